@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// E-mail: the message format (golden values from Python's `email.quoprimime`), password
/// resets (one answer whether or not the account exists, single use, 30 minutes, hashed at
/// rest, limited), the queue (retries, giving up, one send per message with two workers),
/// reminders (each item once, turned off per kind, no victim's details) and the admins' page.
@Suite("e-mail: messages, password reset, the queue and reminders")
struct MailTests {
    @Test("headers cannot be injected; subjects and bodies encoded as RFC 2047 and 2045 say")
    func format() throws {
        // Golden values: Python 3's email.quoprimime.body_encode(text.encode('utf-8').decode('latin-1'), eol='\r\n').
        #expect(
            MailMessage.quotedPrintable("Café = 5 €\nsecond line ") == "Caf=C3=A9 =3D 5 =E2=82=AC\r\nsecond line=20")
        #expect(
            MailMessage.quotedPrintable(String(repeating: "x", count: 100))
                == String(repeating: "x", count: 75) + "=\r\n" + String(repeating: "x", count: 25))
        #expect(
            MailMessage.quotedPrintable(String(repeating: "é", count: 40))
                == "=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=\r\n"
                + "=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=\r\n"
                + "=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=\r\n=A9=C3=A9=C3=A9")
        let m = MailMessage(
            from: "SaferStreets <s@example.org>", to: "a@example.org\r\nBcc: everyone@example.org",
            subject: "Réunion\r\nBcc: x@example.org", body: "Hello\n.\nBye", date: Date(timeIntervalSince1970: 0),
            messageID: "<1.a@saferstreets>")
        let text = m.rendered
        let headers = text.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(!headers.contains { $0.hasPrefix("Bcc:") }, "no header of the message's own making")
        #expect(headers.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        let subject = try #require(headers.first { $0.hasPrefix("Subject: ") })
        #expect(subject.hasPrefix("Subject: =?UTF-8?B?"))
        let encoded = subject.dropFirst("Subject: =?UTF-8?B?".count).dropLast(2)
        let decoded = String(decoding: try #require(Data(base64Encoded: String(encoded))), as: UTF8.self)
        #expect(decoded == "Réunion  Bcc: x@example.org")
        // SMTP's dot-stuffing: a line that is a lone dot does not end the message.
        #expect(SMTPTransport.dotStuffed(text).contains("\r\n..\r\nBye\r\n.\r\n"))
        var reply = "250-first\r\n250-second\r\n250 last\r\n220 next"
        let r = try #require(SMTPTransport.takeReply(&reply))
        #expect(r.code == 250 && r.text == "first second last" && reply == "220 next")
        #expect(SMTPTransport.takeReply(&reply) == nil)
    }

    @Test("settings: each way of sending named; a bad value refused with what to write")
    func settings() throws {
        let dev = try AppConfig.fromEnvironment(["SAFERSTREETS_ENV": "development"])
        #expect(dev.mail.transport == .folder("mail") && dev.mail.publicURL == "http://127.0.0.1:8080")
        #expect(try AppConfig.fromEnvironment([:]).mail.transport == MailSettings.Transport.none)
        let smtp = try AppConfig.fromEnvironment([
            "SAFERSTREETS_MAIL": "smtp://relay.example.org:2525", "SAFERSTREETS_PUBLIC_URL": "https://s.example.org/",
            "SAFERSTREETS_MAIL_FROM": "OPCC <noreply@opcc.example.org>",
        ])
        #expect(smtp.mail.transport == .smtp(host: "relay.example.org", port: 2525))
        #expect(smtp.mail.publicURL == "https://s.example.org" && smtp.mail.from == "OPCC <noreply@opcc.example.org>")
        #expect(
            try AppConfig.fromEnvironment([
                "SAFERSTREETS_MAIL": "sendmail:/usr/sbin/sendmail -oi",
                "SAFERSTREETS_PUBLIC_URL": "https://s.example.org",
            ]).mail.transport
                == .sendmail(["/usr/sbin/sendmail", "-oi"]))
        for (env, words) in [
            (["SAFERSTREETS_MAIL": "smtp://relay.example.org"], "SAFERSTREETS_PUBLIC_URL is needed"),
            (["SAFERSTREETS_MAIL": "pigeon:loft"], "SAFERSTREETS_MAIL must be"),
            (["SAFERSTREETS_MAIL": "sendmail:sendmail"], "full path"),
            (["SAFERSTREETS_MAIL_FROM": "x\nBcc: y@z"], "SAFERSTREETS_MAIL_FROM must be"),
            (["SAFERSTREETS_PUBLIC_URL": "javascript:alert(1)"], "SAFERSTREETS_PUBLIC_URL must be"),
        ] {
            #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(env) }
            do {
                _ = try AppConfig.fromEnvironment(env)
            } catch {
                #expect("\(error)".contains(words), "\(env)")
            }
        }
    }

    @Test("password reset: one answer for every address, a single-use 30-minute link stored hashed, limits")
    func reset() async throws {
        try await withTestApp { app in
            try await app.makeUser("reed@police.example", role: .partnerAdmin, organisation: "Police", kind: .police)
            let old = try await app.signIn("reed@police.example")
            let known = try await app.postSignedOut("/password/forgot", ["email": "Reed@police.example "])
            let unknown = try await app.postSignedOut("/password/forgot", ["email": "nobody@police.example"])
            #expect(known.status == .ok && unknown.status == .ok)
            func notice(_ r: TestingHTTPResponse) -> String {
                let html = r.body.string
                guard let s = html.range(of: "<div class=\"summary-card\""),
                    let e = html.range(of: "</div>", range: s.upperBound..<html.endIndex)
                else { return "" }
                return String(html[s.lowerBound..<e.upperBound])
            }
            #expect(
                notice(known).replacingOccurrences(of: "reed@police.example", with: "X")
                    == notice(unknown).replacingOccurrences(of: "nobody@police.example", with: "X")
                    && !notice(known).isEmpty)
            #expect(try await app.queuedMail(to: "nobody@police.example").isEmpty)
            let mail = try #require(try await app.queuedMail(to: "reed@police.example").first)
            #expect(mail.kind == "password-reset" && mail.body.contains("within 30 minutes"))
            let token = try #require(Application.linkToken(in: mail.body))
            #expect(mail.body.contains("http://127.0.0.1:8080/password/reset?token=\(token)"))
            // Only the token's hash is stored.
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM password_links WHERE token_hash = '\(SessionStore.hash(token))'") == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM password_links WHERE token_hash = '\(token)'") == 0)

            var page = ""
            try await app.testing().test(.GET, "/password/reset?token=\(token)") { res async in
                #expect(res.status == .ok && res.headers.first(name: .cacheControl) == "no-store")
                page = res.body.string
            }
            #expect(page.contains("For the account reed@police.example"))
            let weak = try await app.postSignedOut(
                "/password/reset", ["token": token, "new_password": "password1234", "confirm_password": "password1234"])
            #expect(weak.status == .badRequest)
            try await app.setPasswordByMail("reed@police.example", password: "lantern orchard kettle")
            #expect(try await app.get("/account", as: old).status == .seeOther, "every session ended")
            _ = try await app.signIn("reed@police.example", password: "lantern orchard kettle")
            // Used once: the link no longer works, on the page or the form.
            try await app.testing().test(.GET, "/password/reset?token=\(token)") { res async in
                #expect(res.status == .notFound && res.body.string.contains("This link does not work"))
            }
            let again = try await app.postSignedOut(
                "/password/reset",
                ["token": token, "new_password": "another good phrase", "confirm_password": "another good phrase"])
            #expect(again.status == .notFound)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'set password by e-mailed link'") == 1)

            // Expired after 30 minutes; a newer link ends the older one.
            _ = try await app.postSignedOut("/password/forgot", ["email": "reed@police.example"])
            let latest = try #require(try await app.queuedMail(to: "reed@police.example").last)
            let second = try #require(Application.linkToken(in: latest.body))
            try await app.db.sql.raw(
                "UPDATE password_links SET expires_at = '2020-01-01T00:00:00Z' WHERE token_hash = \(bind: SessionStore.hash(second))"
            ).run()
            try await app.testing().test(.GET, "/password/reset?token=\(second)") { res async in
                #expect(res.status == .notFound)
            }
            // Three messages an hour for one account; past that the page answers the same and sends nothing.
            for _ in 0..<3 { _ = try await app.postSignedOut("/password/forgot", ["email": "reed@police.example"]) }
            #expect(try await app.queuedMail(to: "reed@police.example").count == 3)
            // No message holds a password.
            for m in try await app.queuedMail(to: "reed@police.example") {
                #expect(!m.body.contains("lantern orchard kettle") && !m.body.contains("correct horse battery"))
            }
            // Ten requests an hour from one address.
            var last: HTTPStatus = .ok
            for i in 0..<8 {
                last = try await app.postSignedOut("/password/forgot", ["email": "x\(i)@example.org"]).status
            }
            #expect(last == .tooManyRequests)
        }
    }

    /// Fails the first `failures` sends, then records each message it is given.
    actor Flaky: MailTransport {
        var failures: Int
        var permanent = false
        var delivered: [Int] = []
        init(failures: Int, permanent: Bool = false) { (self.failures, self.permanent) = (failures, permanent) }
        func send(_ message: MailMessage, queueID: Int) async throws {
            if failures > 0 {
                failures -= 1
                throw permanent ? MailFailure.permanent("550 no such mailbox") : MailFailure.temporary("421 try later")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
            delivered.append(queueID)
        }
    }

    @Test(
        "the queue: a failed send waits and is tried again, a refusal is given up, two workers send each message once")
    func queue() async throws {
        try await withTestApp { app in
            final class Clock: @unchecked Sendable { var now = Date(timeIntervalSince1970: 1_800_000_000) }
            let clock = Clock()
            let queue = MailQueue(now: { clock.now })
            let settings = MailSettings()
            let a = try await queue.enqueue(.test, to: "a@example.org", subject: "A", body: "first", on: app.db)
            let flaky = Flaky(failures: 2)
            #expect(try await queue.deliverDue(through: flaky, settings: settings, on: app.db) == .init(retrying: 1))
            #expect(
                try await queue.deliverDue(through: flaky, settings: settings, on: app.db) == .init(), "waits a minute")
            clock.now += 61
            #expect(try await queue.deliverDue(through: flaky, settings: settings, on: app.db) == .init(retrying: 1))
            clock.now += 4 * 60
            #expect(try await queue.deliverDue(through: flaky, settings: settings, on: app.db) == .init(), "then five")
            clock.now += 61
            #expect(try await queue.deliverDue(through: flaky, settings: settings, on: app.db) == .init(sent: 1))
            #expect(await flaky.delivered == [a])
            let row = try #require(try await queue.message(id: a, on: app.db))
            #expect(row.sentAt != nil && row.attempts == 3 && row.lastError == nil)
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM mail_queue WHERE body = '' AND id = \(a)") == 1,
                "the text is gone once sent")

            let b = try await queue.enqueue(.test, to: "b@example.org", subject: "B", body: "x", on: app.db)
            #expect(
                try await queue.deliverDue(through: Flaky(failures: 1, permanent: true), settings: settings, on: app.db)
                    == .init(givenUp: 1))
            #expect(try await queue.message(id: b, on: app.db)?.lastError == "550 no such mailbox")

            // Two workers at once (two instances of the app): every message sent exactly once.
            for i in 0..<20 {
                try await queue.enqueue(.test, to: "p\(i)@example.org", subject: "P", body: "x", on: app.db)
            }
            let shared = Flaky(failures: 0)
            async let one = queue.deliverDue(through: shared, settings: settings, on: app.db)
            async let two = queue.deliverDue(through: shared, settings: settings, on: app.db)
            let (o1, o2) = try await (one, two)
            #expect(o1.sent + o2.sent == 20)
            let ids = await shared.delivered
            #expect(ids.count == 20 && Set(ids).count == 20)
        }
    }

    @Test("the folder and a sendmail program receive the message; the admins' page lists it and its status")
    func folderAndSendmail() async throws {
        try await withTestApp { app in
            let queue = MailQueue()
            let folder = app.scratch.appendingPathComponent("mail").path
            let id = try await queue.enqueue(
                .test, to: "a@example.org", subject: "Hello", body: "Line\n.\nEnd", on: app.db)
            #expect(
                try await queue.deliverDue(
                    through: FolderTransport(folder: folder), settings: MailSettings(), on: app.db
                ).sent == 1)
            let written = try #require(FolderTransport(folder: folder).read(queueID: id))
            #expect(written.contains("To: a@example.org\r\n") && written.contains("\r\n\r\nLine\r\n.\r\nEnd\r\n"))

            // A sendmail-compatible program: a script that keeps what it is given.
            let out = app.scratch.appendingPathComponent("sendmail-out").path
            let script = try app.write("#!/bin/sh\necho \"$@\" > \(out).args\ncat > \(out).eml\n", to: "fake-sendmail")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
            let id2 = try await queue.enqueue(.test, to: "b@example.org", subject: "Hi", body: "Body", on: app.db)
            #expect(
                try await queue.deliverDue(
                    through: SendmailTransport(command: [script, "-oi"]), settings: MailSettings(), on: app.db
                ).sent == 1)
            #expect(try String(contentsOfFile: out + ".args", encoding: .utf8) == "-oi -i -- b@example.org\n")
            #expect(try String(contentsOfFile: out + ".eml", encoding: .utf8).contains("Subject: Hi\r\n"))
            // A program that fails with EX_TEMPFAIL is tried again; a missing one too.
            let failing = try app.write("#!/bin/sh\ncat >/dev/null\necho 'queue full' >&2\nexit 75\n", to: "tempfail")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: failing)
            _ = try await queue.enqueue(.test, to: "c@example.org", subject: "Later", body: "x", on: app.db)
            #expect(
                try await queue.deliverDue(
                    through: SendmailTransport(command: [failing]), settings: MailSettings(), on: app.db
                ).retrying == 1)

            try await app.makeUser("admin@opcc.example", role: .opccAdmin)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let admin = try await app.signIn("admin@opcc.example")
            #expect(
                try await app.get("/admin/mail", as: try await app.signIn("analyst@opcc.example")).status == .forbidden)
            let html = try await app.get("/admin/mail", as: admin).body.string
            #expect(
                html.contains("1 waiting, 2 sent, 0 given up") && html.contains("Trying again")
                    && html.contains("queue full"))
            // Outside development the messages' text is not shown.
            #expect(try await app.get("/admin/mail/\(id)", as: admin).status == .notFound)
            let tested = try await app.post("/admin/mail/test", [:], as: admin)
            #expect(
                tested.status == .ok
                    && tested.body.string.contains("A test message to admin@opcc.example is in the queue"))
            #expect(try await app.queuedMail(to: "admin@opcc.example").first?.subject == "SaferStreets test message")
        }
    }
}
