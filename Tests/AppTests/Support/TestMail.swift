@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

extension Application {
    struct QueuedMail: Decodable {
        var id: Int
        var kind: String
        var toAddress: String
        var subject: String
        var body: String
    }

    /// The messages queued for `to` (lower case), oldest first.
    func queuedMail(to: String) async throws -> [QueuedMail] {
        try await db.sql.raw(
            "SELECT id, kind, to_address, subject, body FROM mail_queue WHERE to_address = \(bind: to) ORDER BY id"
        ).rows(QueuedMail.self)
    }

    /// The token in a message's set-password link.
    static func linkToken(in body: String) -> String? {
        guard let r = body.range(of: "/password/reset?token=") else { return nil }
        return String(body[r.upperBound...].prefix { !$0.isWhitespace })
    }

    /// Posts a form signed out, with the pre-login CSRF cookie as a browser would.
    func postSignedOut(_ path: String, _ form: [String: String], headers: HTTPHeaders = [:]) async throws
        -> TestingHTTPResponse
    {
        let token = try await loginToken()
        var out: TestingHTTPResponse?
        try await testing().test(
            .POST, path,
            beforeRequest: { req in
                for (name, value) in headers { req.headers.replaceOrAdd(name: name, value: value) }
                req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.csrfCookie)=\(token)")
                var body = form
                body["_csrf"] = token
                try req.content.encode(body, as: .urlEncodedForm)
            }
        ) { res async in out = res }
        return try #require(out)
    }

    /// Chooses `password` with the set-password link in the latest message to `email`.
    func setPasswordByMail(_ email: String, password: String) async throws {
        let mail = try #require(try await queuedMail(to: email).last)
        let token = try #require(Self.linkToken(in: mail.body))
        let done = try await postSignedOut(
            "/password/reset", ["token": token, "new_password": password, "confirm_password": password])
        #expect(done.status == .seeOther && done.headers.first(name: .location) == "/login?password=set")
    }
}
