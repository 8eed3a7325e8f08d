@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Pages in a real browser: the app listens on a port and headless Chromium (Debian's
/// `chromium`, installed by `.ci/run`) loads them and returns the DOM after rendering.
/// Skipped where Chromium is not installed.
@Suite("pages in a real browser", .serialized, .enabled(if: Browser.available, "headless Chromium is not installed"))
struct BrowserTests {
    @Test("the home page shows the loaded data, the coverage grid and the last import")
    func homePage() async throws {
        try await withTestApp { app in
            let rows = (1...30).map { PoliceCSV.crime($0) } + [PoliceCSV.asb(), PoliceCSV.asb(month: "2024-08")]
            _ = try await app.importFiles(try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "a.csv"))
            let port = try await Browser.serve(app)
            let dom = try await Browser.dom("http://127.0.0.1:\(port)/")
            #expect(dom.contains("<h1 class=\"heading-xl\">Data loaded</h1>"))
            #expect(dom.contains("Norfolk Constabulary"))
            #expect(dom.contains("32"), "row count")
            #expect(dom.contains("cell cell--full"), "coverage grid cell for a month with data")
            #expect(dom.contains("2024-08: street 1"))
            #expect(dom.contains("files: 1 imported, 0 refused"))
            await app.server.shutdown()
        }
    }
}

extension BrowserTests {
    @Test("the hot-spot page draws its map and chart, with hot cells in the towns and a legend")
    func hotspotPage() async throws {
        try await withTestApp { app in
            let folder = app.scratch.appendingPathComponent("demo")
            _ = try NorfolkDemo().write(to: folder, months: 2)
            _ = try await app.importFiles(folder.path)
            try await NorfolkDemo.createTownAreas(on: app.db)
            let port = try await Browser.serve(app)
            let dom = try await Browser.dom("http://127.0.0.1:\(port)/hotspots?force=norfolk&from=2022-10&to=2022-11")
            await app.server.shutdown()
            #expect(dom.contains("<svg"), "an inline SVG map")
            #expect(dom.contains("fill=\"#b2182b\""), "cells coloured as 99% hot spots")
            #expect(dom.contains("Hot spot, 99% confidence"), "the legend")
            #expect(dom.contains("Norwich town centre"), "a town outline label")
            #expect(dom.contains("class=\"scale-bar\""))
            #expect(dom.contains("id=\"chart\""), "the monthly chart")
        }
    }
}

enum Browser {
    /// Starts the app's server on a port the system chooses (a random one can collide with
    /// the ephemeral ports of the test databases' connections) and returns it.
    static func serve(_ app: Application) async throws -> Int {
        app.http.server.configuration.port = 0
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        return try #require(app.http.server.shared.localAddress?.port)
    }

    /// Serves the app while `body` runs, and always stops the server after (an HTTP server
    /// left running when the app shuts down is a crash, not a test failure).
    static func serving(_ app: Application, _ body: (Int) async throws -> Void) async throws {
        let port = try await serve(app)
        do { try await body(port) } catch {
            await app.server.shutdown()
            throw error
        }
        await app.server.shutdown()
    }

    /// Serves the app and drives Chromium through WebDriver while `body` runs (given the
    /// browser and the site's address); the browser and the server are always stopped after.
    static func driving(_ app: Application, _ body: (WebDriver, String) async throws -> Void) async throws {
        try await serving(app) { port in
            let browser = try await WebDriver.start(client: app.client)
            do { try await body(browser, "http://localhost:\(port)") } catch {
                await browser.stop()
                throw error
            }
            await browser.stop()
        }
    }

    /// Whether to run the browser tests: where Chromium and chromedriver are installed, and
    /// always under `SAFERSTREETS_REQUIRE_BROWSER=1` (CI), where a missing browser must fail.
    static let available =
        (path != nil && WebDriver.driverPath != nil)
        || ProcessInfo.processInfo.environment["SAFERSTREETS_REQUIRE_BROWSER"] == "1"

    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The page's DOM after Chromium has loaded and rendered it.
    static func dom(_ url: String) async throws -> String {
        await BrowserGate.shared.enter()
        defer { Task { await BrowserGate.shared.leave() } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=5000", "--dump-dom", url,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait on a GCD thread, never on Swift's cooperative pool: with two cores that pool
        // has two threads, and two browser tests blocking both would leave none for the
        // server that Chromium is waiting on.
        let data = await withCheckedContinuation { (done: CheckedContinuation<Data, Never>) in
            DispatchQueue.global().async {
                let data = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                done.resume(returning: data)
            }
        }
        try? FileManager.default.removeItem(at: profile)
        return String(decoding: data, as: UTF8.self)
    }
}
