import Foundation
import NIOCore
import NIOPosix
import Vapor

/// police.uk files imported from the browser (OPCC staff): the upload is streamed to the
/// upload folder (a monthly archive can be hundreds of megabytes) and queued; an instance's
/// ``ImportWorker`` imports it as `saferstreets import` would, while `/imports/{id}` shows its
/// progress from any instance.
struct ImportController: Sendable {
    let worker: ImportWorker
    let history: ImportHistoryQueries
    /// The largest upload accepted (4 GiB: more than the whole police.uk archive of a force).
    static let maxBytes: UInt64 = 4 << 30

    struct Page: Encodable {
        struct Recent: Encodable { var when: String; var origin: String; var status: String; var message: String }
        var title = "Import police.uk data"
        var csrf: String
        var jobs: [JobRow]
        var hasJobs: Bool
        var recent: [Recent]
        var hasRecent: Bool
    }

    struct JobRow: Encodable {
        var id: String
        var fileName: String
        var state: String
        var percent: String
        var href: String
    }

    struct JobPage: Encodable {
        var title: String
        var job: ImportQueue.Job
        var percent: String
        var rows: String
        var rate: String
        var left: String
        var running: Bool
        var statusHref: String
        var summaryLines: [String]
        var hasRejects: Bool
        var retried: Bool
    }

    @Sendable func index(req: Request) async throws -> Response {
        let rows = try await history.recent(on: req.db)
        let jobs = try await worker.queue.recent(on: req.db).map {
            JobRow(
                id: $0.id, fileName: $0.fileName, state: $0.state.rawValue,
                percent: Format.number($0.percent, decimals: 0),
                href: SiteURL.importJob($0.id))
        }
        return try await req.render(
            "imports/index",
            Page(
                csrf: req.csrfToken, jobs: jobs, hasJobs: !jobs.isEmpty,
                recent: rows.map {
                    .init(
                        when: Format.dateTime($0.startedAt), origin: $0.origin, status: $0.status, message: $0.message)
                },
                hasRecent: !rows.isEmpty))
    }

    /// The file as the request body (the page's script sends it so, with `X-File-Name`),
    /// or as the `file` part of a multipart form (without script; up to 64 MB).
    @Sendable func upload(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let id = UUID().uuidString.lowercased()
        let folder = worker.folder.appendingPathComponent(id)
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let name: String
        do {
            if req.headers.contentType?.type == "multipart" {
                struct Form: Decodable { var file: File }
                let form = try req.content.decode(Form.self)
                name = Self.safeName(form.file.filename)
                try Data(buffer: form.file.data).write(to: folder.appendingPathComponent(name))
            } else {
                name = Self.safeName(req.headers.first(name: "X-File-Name") ?? "upload")
                try await Self.stream(req, to: folder.appendingPathComponent(name).path)
            }
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        do {
            try await worker.queue.enqueue(
                id: id, fileName: name, storedPath: "\(id)/\(name)", startedBy: user.email, origin: "web: \(user.name)",
                on: req.db)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        worker.nudge(req.application)
        if req.headers.first(name: .accept)?.contains("application/json") == true {
            var headers = HTTPHeaders()
            headers.contentType = .json
            headers.replaceOrAdd(name: .location, value: SiteURL.importJob(id))
            let body = try JSONEncoder().encode(["id": id, "href": SiteURL.importJob(id)])
            return Response(status: .accepted, headers: headers, body: .init(data: body))
        }
        return req.redirect(to: SiteURL.importJob(id))
    }

    @Sendable func show(req: Request) async throws -> Response {
        let job = try await requestedJob(req)
        let lines = job.summary.split(separator: "\n").map(String.init)
        return try await req.render(
            "imports/show",
            JobPage(
                title: "Import of \(job.fileName)", job: job, percent: Format.number(job.percent, decimals: 0),
                rows: Format.count(job.rowsRead),
                rate: Format.count(job.rowsPerSecond), left: job.secondsLeft.map { "\($0) s" } ?? "",
                running: job.state.isActive,
                statusHref: SiteURL.importStatus(job.id), summaryLines: lines, hasRejects: !job.rejects.isEmpty,
                retried: job.attempts > 1))
    }

    @Sendable func status(req: Request) async throws -> Response {
        try APIJSON.response(try await requestedJob(req))
    }

    /// The job from the queue, with this instance's live progress when it is the one importing.
    func requestedJob(_ req: Request) async throws -> ImportQueue.Job {
        let id = req.parameters.get("id") ?? ""
        guard id.count <= 64, var job = try await worker.queue.job(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such import.")
        }
        if job.state == .running, let p = worker.progress(id) {
            job.bytesDone = Int(p.bytesDone)
            job.bytesTotal = Int(p.bytesTotal)
            job.rowsRead = p.rows
        }
        return job
    }

    /// A file name that cannot leave the upload folder: its last component, letters,
    /// digits, dot, dash and underscore only.
    static func safeName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = String(
            last.unicodeScalars.filter {
                CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0)
            })
        let trimmed = kept.trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return trimmed.isEmpty ? "upload" : String(trimmed.prefix(120))
    }

    /// Writes the request body to `path` as it arrives, refusing more than `maxBytes`.
    static func stream(_ req: Request, to path: String) async throws {
        let fileIO = req.application.fileio
        let handle = try await fileIO.openFile(
            path: path, mode: .write, flags: .allowFileCreation(posixMode: 0o600), eventLoop: req.eventLoop
        ).get()
        defer { try? handle.close() }
        var written: UInt64 = 0
        for try await chunk in req.body {
            written += UInt64(chunk.readableBytes)
            guard written <= maxBytes else { throw Abort(.payloadTooLarge, reason: "The file is larger than 4 GiB.") }
            try await fileIO.write(fileHandle: handle, buffer: chunk, eventLoop: req.eventLoop).get()
        }
        guard written > 0 else { throw Abort(.badRequest, reason: "The upload was empty: choose a police.uk file.") }
    }
}
