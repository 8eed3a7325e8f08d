@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The messages the product sends, delivered to a real SMTP server: PyPI's aiosmtpd, started
/// by `.ci/run` (`TEST_SMTP_SINK=host:port`, writing a Maildir at `TEST_SMTP_MAILDIR`), once
/// by SMTP and once through msmtp as the sendmail program. Without a sink the test has
/// nothing to talk to and stops, unless `SAFERSTREETS_REQUIRE_SMTP_SINK=1` says it must run.
/// `.ci/run` then reads every message in the Maildir with Python's `email` package.
@Suite("e-mail: delivered to a real SMTP server")
struct MailSinkTests {
    static func sink() -> (host: String, port: Int, maildir: String)? {
        let env = ProcessInfo.processInfo.environment
        guard let text = env["TEST_SMTP_SINK"], let maildir = env["TEST_SMTP_MAILDIR"],
            let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...])
        else { return nil }
        return (String(text[..<colon]), port, maildir)
    }

    /// Quoted-printable back to text: soft breaks removed, =XX to bytes.
    static func decodeQP(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var i = 0
        while i < source.count {
            if source[i] == 61, i + 2 < source.count,
                let b = UInt8(String(decoding: source[i + 1...i + 2], as: UTF8.self), radix: 16)
            {
                bytes.append(b)
                i += 3
            } else {
                bytes.append(source[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The arrived message to `address` (waits up to ten seconds), its headers and decoded body.
    static func arrived(to address: String, in maildir: String) async throws -> (headers: String, body: String)? {
        for _ in 0..<50 {
            let folder = maildir + "/new"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                guard let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else { continue }
                let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(
                    of: "\n", with: "\r\n")
                guard let split = normalised.range(of: "\r\n\r\n") else { continue }
                let headers = String(normalised[..<split.lowerBound])
                if headers.contains("To: \(address)\r\n") || headers.hasSuffix("To: \(address)") {
                    return (headers, decodeQP(String(normalised[split.upperBound...])))
                }
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        return nil
    }

    @Test(
        "a welcome, a reset and a reminder arrive by SMTP, and one through msmtp; links whole, no password, no victim")
    func delivered() async throws {
        guard let sink = Self.sink() else {
            if ProcessInfo.processInfo.environment["SAFERSTREETS_REQUIRE_SMTP_SINK"] == "1" {
                Issue.record("TEST_SMTP_SINK and TEST_SMTP_MAILDIR are not set, and this run requires the SMTP sink")
            }
            return
        }
        try await withTestApp { app in
            // Addresses unique to this run: the SQLite and PostgreSQL runs share the sink.
            let run = UUID().uuidString.prefix(8).lowercased()
            let admin = "admin-\(run)@opcc.example", newcomer = "new-\(run)@opcc.example"
            try await app.makeUser(admin, role: .opccAdmin)
            let session = try await app.signIn(admin)
            #expect(
                try await app.post(
                    "/organisation/users", ["email": newcomer, "name": "Nia Newcomer", "role": "opcc-staff"],
                    as: session
                )
                .status == .ok)
            #expect(try await app.postSignedOut("/password/forgot", ["email": admin]).status == .ok)
            // A victim service's reminder: one case due today (its people: two, and one for this run).
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            let worker = "worker-\(run)@care.example"
            try await app.makeUser(worker, role: .partnerUser, organisation: "Victim Care", kind: .victimService)
            #expect(
                try await tests.call(app, "/api/v1/victim-referrals", token: token, json: tests.json([tests.draft(1)]))
                    .status == .created)
            try await app.db.sql.raw(
                "UPDATE victim_cases SET first_contact_due = \(bind: CalendarDay(Date()).description)"
            ).run()
            let settings = MailSettings()
            let notifications = Notifications(queue: MailQueue(), victims: VictimStore(cipher: nil, audit: AuditLog()))
            #expect(try await notifications.run(settings: settings, on: app.db) == 3)
            let smtp = SMTPTransport(host: sink.host, port: sink.port)
            #expect(try await MailQueue().deliverDue(through: smtp, settings: settings, on: app.db).sent == 5)
            let reminder = try #require(try await Self.arrived(to: worker, in: sink.maildir))
            #expect(reminder.body.contains("1 Victims' Code clock falls due today in your service"))
            for personal in ["Robin", "Quillfeather", "07700", "NC-1", "36/10001/26", "burglary"] {
                #expect(!reminder.body.contains(personal) && !reminder.headers.contains(personal))
            }

            let welcome = try #require(try await Self.arrived(to: newcomer, in: sink.maildir))
            #expect(welcome.headers.contains("Subject: Your SaferStreets account"))
            #expect(welcome.headers.contains("Content-Transfer-Encoding: quoted-printable"))
            let welcomeToken = try #require(Application.linkToken(in: welcome.body))
            #expect(PasswordLinks.isWellFormed(welcomeToken), "the link arrives whole, not cut by line wrapping")
            #expect(welcome.body.contains("Hello Nia Newcomer"))
            let reset = try #require(try await Self.arrived(to: admin, in: sink.maildir))
            #expect(reset.headers.contains("Subject: Set a new SaferStreets password"))
            let resetToken = try #require(Application.linkToken(in: reset.body))
            #expect(PasswordLinks.isWellFormed(resetToken))
            #expect(!reset.body.contains("correct horse battery"))
            // The arrived link sets the password.
            let done = try await app.postSignedOut(
                "/password/reset",
                ["token": resetToken, "new_password": "sink tested phrase", "confirm_password": "sink tested phrase"])
            #expect(done.status == .seeOther)

            // Through msmtp as the sendmail program, where it is installed.
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/msmtp") {
                let viaSendmail = "sendmail-\(run)@opcc.example"
                try await MailQueue().enqueue(
                    .test, to: viaSendmail, subject: "Über msmtp", body: "Zürich, 5 €", on: app.db)
                let program = SendmailTransport(command: [
                    "/usr/bin/msmtp", "--host=\(sink.host)", "--port=\(sink.port)", "--auth=off", "--tls=off",
                    "--from=saferstreets@example.org",
                ])
                #expect(try await MailQueue().deliverDue(through: program, settings: settings, on: app.db).sent == 1)
                let m = try #require(try await Self.arrived(to: viaSendmail, in: sink.maildir))
                #expect(m.body.contains("Zürich, 5 €") && m.headers.contains("Subject: =?UTF-8?B?"))
            } else if ProcessInfo.processInfo.environment["SAFERSTREETS_REQUIRE_SMTP_SINK"] == "1" {
                Issue.record("msmtp is not installed at /usr/bin/msmtp")
            }
        }
    }
}
