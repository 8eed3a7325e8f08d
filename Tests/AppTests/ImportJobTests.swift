@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Importing from the browser: streamed upload, background job, progress, the same
/// all-or-nothing import and report as the command.
@Suite("import from the web")
struct ImportJobTests {
    func upload(_ app: Application, name: String, body: String, as s: Session?, csrf: Bool = true) async throws
        -> TestingHTTPResponse
    {
        var out: TestingHTTPResponse?
        try await app.testing().test(
            .POST, "/imports",
            beforeRequest: { req in
                if let s {
                    req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.cookie)=\(s.cookie)")
                    if csrf { req.headers.replaceOrAdd(name: "X-CSRF-Token", value: s.csrf) }
                }
                req.headers.replaceOrAdd(name: "X-File-Name", value: name)
                req.headers.replaceOrAdd(name: .accept, value: "application/json")
                req.headers.contentType = .binary
                req.body = ByteBuffer(string: body)
            }
        ) { res async in out = res }
        return out!
    }

    /// Polls the job's status until it has finished (or 60 s pass).
    func finished(_ app: Application, _ href: String, as s: Session) async throws -> JSONValue {
        for _ in 0..<600 {
            let status = try JSONValue.parse(Data(buffer: try await app.get("\(href)/status", as: s).body))
            if status["state"] != .string("running") && status["state"] != .string("queued") { return status }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the import did not finish")
        return .null
    }

    @Test("a street file uploaded from the browser is imported in the background, with progress and the usual report")
    func streetFile() async throws {
        try await withTestApp { app in
            _ = try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let analyst = try await app.signIn("analyst@opcc.example")
            #expect(try await app.get("/imports", as: analyst).body.string.contains("Upload and import"))
            // Crime IDs 0x1000… (PoliceCSV.id pads with "a", so small numbers can collide).
            let rows = (4096..<4396).map { PoliceCSV.crime($0) } + [PoliceCSV.asb(), "not,a,police,row"]
            let response = try await upload(
                app, name: "2024-06-norfolk-street.csv", body: PoliceCSV.file(PoliceCSV.street, rows), as: analyst)
            #expect(response.status == .accepted)
            let href = try #require(try JSONValue.parse(Data(buffer: response.body))["href"]?.string)
            let job = try await finished(app, href, as: analyst)
            #expect(job["state"] == .string("finished"))
            #expect(job["percent"] == .number(100) || job["percent"] == .integer(100))
            #expect(job["rows"] == .integer(302))
            #expect(job["summary"]?.string?.contains("301 inserted") == true, "\(job["summary"]?.string ?? "")")
            #expect(job["rejects"]?.array.count == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 301)
            let page = try await app.get(href, as: analyst).body.string
            #expect(page.contains("301 inserted") && page.contains("line 303"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM imports WHERE origin LIKE 'web:%'") == 1)

            // The same file again changes nothing.
            let again = try await upload(
                app, name: "2024-06-norfolk-street.csv", body: PoliceCSV.file(PoliceCSV.street, rows), as: analyst)
            let second = try await finished(
                app, try #require(try JSONValue.parse(Data(buffer: again.body))["href"]?.string), as: analyst)
            #expect(second["summary"]?.string?.contains("0 inserted") == true)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 301)
        }
    }

    @Test(
        "a file that is not police.uk data is refused and nothing stored is touched; only OPCC staff may import, with the CSRF token"
    )
    func refusals() async throws {
        try await withTestApp { app in
            _ = try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            _ = try await app.makeUser(
                "ranger@bid.example", role: .partnerAdmin, organisation: "Norwich BID",
                kind: .businessImprovementDistrict)
            let analyst = try await app.signIn("analyst@opcc.example")
            _ = try await app.importFiles(
                try app.write(PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(1)]), to: "2024-06-norfolk-street.csv"))
            let refused = try await upload(
                app, name: "../../etc/passwd", body: "root:x:0:0:root:/root:/bin/bash\n", as: analyst)
            #expect(refused.status == .accepted)
            let job = try await finished(
                app, try #require(try JSONValue.parse(Data(buffer: refused.body))["href"]?.string), as: analyst)
            #expect(job["fileName"] == .string("passwd"), "the name cannot leave the upload folder")
            #expect(job["summary"]?.string?.contains("1 refused") == true, "\(job)")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 1)

            let partner = try await app.signIn("ranger@bid.example")
            #expect(try await upload(app, name: "x.csv", body: "a", as: partner).status == .forbidden)
            #expect(try await upload(app, name: "x.csv", body: "a", as: analyst, csrf: false).status == .forbidden)
            // Signed out: refused as a sign-in matter before the body or its CSRF token is read.
            #expect(try await upload(app, name: "x.csv", body: "a", as: nil).status == .unauthorized)
            #expect(try await upload(app, name: "empty.csv", body: "", as: analyst).status == .badRequest)
            #expect(try await app.get("/imports/no-such-job", as: analyst).status == .notFound)
        }
    }

    @Test("a raw upload larger than the form limit (64 MB) is accepted: the import route bounds it at 4 GiB itself")
    func largeUpload() async throws {
        try await withTestApp { app in
            _ = try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let analyst = try await app.signIn("analyst@opcc.example")
            // 70 MB that is not police.uk data: accepted as an upload, then refused by the import.
            let body = String(repeating: "x", count: 70 << 20)
            let response = try await upload(app, name: "big.csv", body: body, as: analyst)
            #expect(response.status == .accepted, "\(response.body.string.prefix(300))")
            let href = try #require(try JSONValue.parse(Data(buffer: response.body))["href"]?.string)
            let job = try await finished(app, href, as: analyst)
            #expect(job["summary"]?.string?.contains("refused") == true, "\(job)")
        }
    }

    @Test("upload names are kept inside the upload folder")
    func safeNames() {
        #expect(ImportController.safeName("../../2024-06-norfolk-street.csv") == "2024-06-norfolk-street.csv")
        #expect(ImportController.safeName("C:\\Users\\x\\archive.zip") == "archive.zip")
        #expect(ImportController.safeName("..") == "upload")
        #expect(ImportController.safeName("2024 06 é.csv") == "202406.csv")
    }
}

/// The import page in a real browser: the page's script sends the chosen file as the
/// request body, the progress page follows the background import to its end.
@Suite(
    "import from the web, in a real browser", .serialized,
    .enabled(if: Browser.available, "headless Chromium or chromedriver is not installed"))
struct ImportBrowserTests {
    @Test("choose a street file, upload it, and watch the import finish")
    func uploadInBrowser() async throws {
        try await withTestApp { app in
            _ = try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let rows = (4096..<4296).map { PoliceCSV.crime($0) } + [PoliceCSV.asb(), PoliceCSV.asb()]
            let file = try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "2024-06-norfolk-street.csv")
            try await Browser.serving(app) { port in
                let site = "http://localhost:\(port)"
                let browser = try await WebDriver.start(client: app.client)
                do {
                    try await browser.open("\(site)/imports")
                    _ = try await browser.waitForURL { $0.contains("/login") }
                    try await browser.type("#email", "analyst@opcc.example")
                    try await browser.type("#password", "correct horse battery")
                    try await browser.click("form#login-form button[type=submit]")
                    _ = try await browser.waitForURL { $0.hasSuffix("/imports") }
                    try await browser.type("#file", file, clear: false)
                    try await browser.click("form#import-form button[type=submit]")
                    do {
                        _ = try await browser.waitForURL {
                            $0.range(of: #"/imports/[0-9a-f-]{36}$"#, options: .regularExpression) != nil
                        }
                    } catch {
                        Issue.record(
                            "the upload did not reach its progress page: \(try await browser.text("#upload-status"))")
                        throw error
                    }
                    // The page follows the job and reloads itself when it ends: read until the
                    // reloaded page shows the summary (an element read mid-reload is retried).
                    var summary = ""
                    for _ in 0..<100 where !summary.contains("inserted") {
                        summary = (try? await browser.text("#summary")) ?? ""
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    #expect(summary.contains("202 inserted"))
                    #expect(try await browser.text("#state") == "finished")
                    #expect(try await browser.text("#percent") == "100%")
                } catch {
                    await browser.stop()
                    throw error
                }
                await browser.stop()
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 202)
        }
    }
}
