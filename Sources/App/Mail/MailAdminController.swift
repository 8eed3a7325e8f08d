import Fluent
import Vapor

/// The OPCC admins' mail page: how mail leaves, the latest messages with where each one got
/// to (sent, waiting to try again and why, given up), a test message to oneself, and, in
/// development and the demo (mail written to a folder), each message as it was written.
struct MailAdminController: Sendable {
    let queue: MailQueue
    let settings: MailSettings
    /// Messages can be read on the page only here: a development or demo server writing to a
    /// folder. Elsewhere the page lists messages without their contents (a reset link is the
    /// account's owner's alone).
    let canRead: Bool

    struct Page: Encodable {
        struct Row: Encodable {
            var id: Int
            var created: String
            var kind: String
            var to: String
            var subject: String
            var status: String
            var detail: String
            var readable: Bool
        }
        var title = "Mail"
        var csrf: String
        var transport: String
        var waiting: Int
        var sent: Int
        var givenUp: Int
        var rows: [Row]
        var notice: String?
    }

    private func page(_ req: Request, notice: String? = nil) async throws -> Response {
        let rows = try await queue.latest(on: req.db)
        let counts = try await queue.counts(on: req.db)
        let p = Page(
            csrf: req.csrfToken, transport: settings.summary, waiting: counts.waiting, sent: counts.sent,
            givenUp: counts.givenUp,
            rows: rows.map { r in
                let status: String, detail: String
                if let sent = r.sentAt {
                    (status, detail) = ("Sent", Format.dateTime(sent))
                } else if let failed = r.failedAt {
                    (status, detail) = ("Given up", "\(Format.dateTime(failed)): \(r.lastError ?? "")")
                } else if r.attempts > 0 {
                    (
                        status,
                        detail
                    ) = (
                        "Trying again",
                        "attempt \(r.attempts + 1) at \(Format.dateTime(r.nextAttemptAt)): \(r.lastError ?? "")"
                    )
                } else {
                    (status, detail) = ("Waiting", "")
                }
                return Page.Row(
                    id: r.id, created: Format.dateTime(r.createdAt), kind: r.kind, to: r.toAddress, subject: r.subject,
                    status: status, detail: detail, readable: canRead && r.sentAt != nil)
            }, notice: notice)
        let response = try await req.render("admin/mail", p)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable func list(req: Request) async throws -> Response { try await page(req) }

    /// A test message to the admin's own address, queued like any other.
    @Sendable func test(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let text = MailTexts.test(by: user.name, settings: settings.summary)
        try await queue.enqueue(.test, to: user.email, subject: text.subject, body: text.body, on: req.db)
        return try await page(req, notice: "A test message to \(user.email) is in the queue.")
    }

    struct MessagePage: Encodable {
        var title: String
        var id: Int
        var text: String
    }

    @Sendable func message(req: Request) async throws -> Response {
        guard canRead, case .folder(let folder) = settings.transport, let id = req.parameters.get("id", as: Int.self),
            let row = try await queue.message(id: id, on: req.db), row.sentAt != nil,
            let text = FolderTransport(folder: folder).read(queueID: id)
        else {
            throw Abort(.notFound, reason: "There is no such message in the mail folder.")
        }
        let response = try await req.render(
            "admin/mail-message", MessagePage(title: "Message \(id): \(row.subject)", id: id, text: text))
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
