@testable import App
import Analytics
import AsyncKit
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

/// Findings 8–11 of the probe: wide CSV files, weak passwords, headers, resources, imports
/// and the throttles.
extension HardeningTests {
    // 8. A one-line CSV of 1,000,000 columns took 15.6 s and answered with 8.9 MB.
    @Test("a CSV upload of a million columns is refused at once with a short message")
    func wideCSV() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            let pc = try await app.signIn("pc@police.example")
            let csv = (0..<1_000_000).map { "c\($0)" }.joined(separator: ",") + "\n"
            var out: TestingHTTPResponse?
            try await app.testing().test(
                .POST, "/activities/upload",
                beforeRequest: { req in
                    req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.cookie)=\(pc.cookie)")
                    req.headers.replaceOrAdd(name: "X-CSRF-Token", value: pc.csrf)
                    try req.content.encode(
                        ActivityController.UploadForm(
                            type: "patrol", file: File(data: ByteBuffer(string: csv), filename: "wide.csv")),
                        as: .formData)
                }
            ) { res async in out = res }
            let res = try #require(out)
            #expect(res.status == .badRequest)
            #expect(res.body.readableBytes < 50_000, "the error page is short: \(res.body.readableBytes) bytes")
            #expect(res.body.string.contains("longer than 64 KiB") || res.body.string.contains("columns"))
            // Many unknown columns in a normal-sized header: a few are named, not all.
            let header = (0..<2_000).map { "x\($0)" }.joined(separator: ",") + "\n"
            #expect(ActivityCSV.maximumColumns < 2_000)
            let r = ActivityCSV.read(
                Array(header.utf8), type: try #require(ActivityType.named("patrol")), areas: [:], campaigns: [:],
                today: try #require(CalendarDay("2025-07-01")))
            if case .failure(.refused(let message)) = r {
                #expect(message.utf8.count < 500, "\(message)")
            } else {
                Issue.record("not refused")
            }
        }
    }

    // 9. Weak passwords.
    @Test("common passwords, repeated characters and the e-mail's name are refused; bytes are counted honestly")
    func weakPasswords() {
        #expect(CommonPasswords.shared.count >= 95_000)
        #expect(Passwords.problem("password1234") != nil)
        #expect(Passwords.problem("Password1234!") != nil, "a common word with digits and a symbol added")
        #expect(Passwords.problem("aaaaaaaaaaaa") != nil)
        #expect(Passwords.problem("abcabcabcabc") != nil)
        #expect(Passwords.problem("qwertyuiop123") != nil)
        #expect(Passwords.problem("jane.smith@norfolk.gov.uk", email: "jane.smith@norfolk.gov.uk") != nil)
        #expect(Passwords.problem("my jane.smith secret", email: "Jane.Smith@norfolk.gov.uk") != nil)
        #expect(Passwords.problem("correct horse battery") == nil)
        #expect(Passwords.problem("tidal-kettle-orbit-9", email: "jane@x.example") == nil)
        #expect(
            Passwords.problem(String(repeating: "é", count: 37))
                == "Use at most 72 bytes (bcrypt ignores the rest); this one is 74")
    }

    // 10. Headers on every answer, long paths, cookie prefix.
    @Test("error responses carry the security headers; HSTS; no-store when signed in; a 4,096-character path is a 414")
    func headersEverywhere() async throws {
        try await withTestApp { app in
            for path in [
                "/no-such-page", "/api/v1/no-such", "/areas/no-such-area", "/api/crimes-street/all-crime?lat=x&lng=1",
                "/open/campaigns/a%00b", "/" + String(repeating: "a", count: 4_096),
            ] {
                let res = try await get(app, path)
                #expect(res.status.code >= 400 && res.status.code < 500, "\(path.prefix(40)): \(res.status)")
                for header in [
                    "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                    "Strict-Transport-Security",
                ] {
                    #expect(res.headers.first(name: header) != nil, "\(header) on \(path.prefix(40))")
                }
                #expect(res.headers.first(name: "Content-Security-Policy")?.contains("base-uri 'none'") == true)
                #expect(res.headers.first(name: "Content-Security-Policy")?.contains("form-action 'self'") == true)
            }
            #expect(try await get(app, "/" + String(repeating: "a", count: 4_096)).status == .uriTooLong)
            // PostgreSQL refuses NUL in text: refused at the door on both databases.
            #expect(try await get(app, "/open/campaigns/a%00b").status == .badRequest)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let s = try await app.signIn("analyst@opcc.example")
            #expect(
                try await app.get("/campaigns", as: s).headers.first(name: .cacheControl)?.contains("no-store") == true)
            #expect(SessionMiddleware.cookie.hasPrefix("__Host-") && SessionMiddleware.csrfCookie.hasPrefix("__Host-"))
        }
    }

    // 11. Resources looked up relative to the working directory.
    @Test("templates and public files are found from any working directory; a wrong setting is named")
    func resources() throws {
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let elsewhere = FileManager.default.temporaryDirectory.path
        let fromExecutable = ResourceDirectory.locate(
            configured: nil, workingDirectory: elsewhere,
            executable: checkout.appendingPathComponent(".build/debug/saferstreets").path)
        #expect((try? fromExecutable.get()) == checkout.path + "/")
        let configured = ResourceDirectory.locate(
            configured: checkout.path, workingDirectory: elsewhere, executable: nil)
        #expect((try? configured.get()) == checkout.path + "/")
        guard
            case .failure(let problem) = ResourceDirectory.locate(
                configured: elsewhere, workingDirectory: checkout.path, executable: nil)
        else {
            Issue.record("a folder without templates was accepted")
            return
        }
        #expect(problem.description.contains("SAFERSTREETS_RESOURCES"))
    }

    // 10 (continued). Import summaries showed server paths; a zip of 20,000 entries became hours of work.
    @Test("an upload's summary names the file, not the server's folder; a zip of more than 6,000 entries is refused")
    func importEdges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "saferstreets-upload-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("upload.zip")
        let shown = ImportWorker.hidingFolder(
            "\(path.path):2024-06/x.csv, line 3: bad month", path: path, as: "june.zip")
        #expect(shown == "june.zip:2024-06/x.csv, line 3: bad month")
        #expect(!shown.contains(folder.path))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var entries: [String: String] = [:]
        for k in 0...PoliceInputs.maximumEntries { entries["e\(k).csv"] = "a" }
        let zip = try TestZip.make(at: path, entries: entries)
        let listing = PoliceInputs.list([zip])
        #expect(listing.sources.isEmpty)
        #expect(listing.refused.first?.description.contains("more than 6000 entries") == true, "\(listing.refused)")
    }

    // 10 (continued). Current-password checks, API tokens and share links were not throttled.
    @Test("wrong current passwords, unknown API tokens and unknown report links are throttled")
    func throttles() async throws {
        try await withTestApp { app in
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let s = try await app.signIn("analyst@opcc.example")
            var statuses: [HTTPStatus] = []
            for _ in 0..<(RateLimits.passwordCheck.maxHits + 1) {
                statuses.append(
                    try await app.post(
                        "/account/password",
                        [
                            "current_password": "not it", "new_password": "tidal kettle orbit",
                            "confirm_password": "tidal kettle orbit",
                        ], as: s
                    ).status)
            }
            #expect(
                statuses.dropLast().allSatisfy { $0 == .badRequest } && statuses.last == .tooManyRequests, "\(statuses)"
            )
            // Even the right password waits now.
            let right = try await app.post(
                "/account/password",
                [
                    "current_password": "correct horse battery", "new_password": "tidal kettle orbit",
                    "confirm_password": "tidal kettle orbit",
                ], as: s)
            #expect(right.status == .tooManyRequests)

            var tokenStatuses: [HTTPStatus] = []
            for k in 0...RateLimits.badAPIToken.maxHits {
                try await app.testing().test(
                    .GET, "/api/v1/activities", headers: ["Authorization": "Bearer sst_guess\(k)"]
                ) { res async in
                    tokenStatuses.append(res.status)
                }
            }
            #expect(
                tokenStatuses.dropLast().allSatisfy { $0 == .unauthorized } && tokenStatuses.last == .tooManyRequests,
                "\(tokenStatuses)")

            var linkStatuses: [HTTPStatus] = []
            for k in 0...RateLimits.badShareLink.maxHits {
                linkStatuses.append(try await get(app, "/shared/reports/ssr_guess\(k)").status)
            }
            #expect(
                linkStatuses.dropLast().allSatisfy { $0 == .notFound } && linkStatuses.last == .tooManyRequests,
                "\(linkStatuses)")
        }
    }

    // 11 (continued). A missing template dropped the connection.
    @Test("a missing template is a 500 page with the security headers, never a dropped connection")
    func missingTemplate() async throws {
        try await withTestApp { app in
            app.on(.GET, ["broken-page"], access: .everyone) { req async throws -> View in
                try await req.view.render("no-such-folder/no-such-template", ["x": "y"])
            }
            let res = try await get(app, "/broken-page")
            #expect(res.status == .internalServerError)
            #expect(res.body.string.contains("Something went wrong on our side"))
            #expect(res.headers.first(name: "Content-Security-Policy") != nil)
            let plain = ProblemMiddleware.plain(status: .internalServerError, detail: "x")
            #expect(plain.status == .internalServerError && plain.body.string == "500 Internal Server Error\nx\n")
        }
    }

    @Test("the smallest and largest whole numbers in a query are shown, not a crash (abs(Int.min) traps)")
    func extremeNumbers() async throws {
        #expect(
            Format.count(Int.min) == "-9,223,372,036,854,775,808"
                && Format.count(Int.max) == "9,223,372,036,854,775,807")
        try await withTestApp { app in
            try await app.makeUser("pc@police.example", role: .partnerUser, organisation: "Police", kind: .police)
            let pc = try await app.signIn("pc@police.example")
            let page = try await app.get("/activities?saved=-9223372036854775808", as: pc)
            #expect(page.status == .ok && page.body.string.contains("-9,223,372,036,854,775,808 records saved"))
        }
    }

    // 19. With one PostgreSQL connection a core, a long query made requests wait 10 s and fail with 500.
    @Test("every database connection busy for the whole wait is a 503 with Retry-After, not a 500")
    func poolExhausted() async throws {
        try await withTestApp { app in
            struct Exhausted: AsyncResponder {
                func respond(to request: Request) async throws -> Response {
                    throw ConnectionPoolTimeoutError.connectionRequestTimeout
                }
            }
            let request = Request(application: app, method: .GET, url: "/rankings", on: app.eventLoopGroup.next())
            let response = try await ProblemMiddleware(environment: .testing).respond(
                to: request, chainingTo: Exhausted())
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers.first(name: .retryAfter) == "5")
            #expect(response.body.string?.contains("The service is busy") == true)
        }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["SAFERSTREETS_DB_CONNECTIONS": "0"]) }
        #expect(try AppConfig.fromEnvironment(["SAFERSTREETS_DB_CONNECTIONS": "8"]).databaseConnections == 8)
    }
}
