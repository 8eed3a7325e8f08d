import Foundation
import Vapor

/// A small W3C WebDriver client for headless Chromium through `chromedriver` (Debian's
/// `chromium-driver`): enough to sign in, fill forms, choose files and read pages the way a
/// person does, in a real browser.
final class WebDriver: @unchecked Sendable {
    static let driverPath: String? = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let process: Process
    private let client: any Client
    private let base: URL
    private let profile: URL
    private var sessionID = ""

    /// Starts chromedriver on a port the system chooses and opens a headless Chromium.
    /// Speaks to the driver through the app's HTTP client (AsyncHTTPClient): Foundation's
    /// URLSession on Linux cannot parse chromedriver's headers ("Content-Length:914").
    /// One browser at a time in the whole test run (see `BrowserGate`); `stop()` lets the
    /// next one start.
    static func start(client: any Client) async throws -> WebDriver {
        await BrowserGate.shared.enter()
        do { return try await launch(client: client) } catch {
            await BrowserGate.shared.leave()
            throw error
        }
    }

    private static func launch(client: any Client) async throws -> WebDriver {
        guard let driverPath, let browser = Browser.path else {
            throw Failure(description: "chromedriver or chromium is not installed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: driverPath)
        process.arguments = ["--port=0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read the chosen port from its first lines, on a GCD thread (never block the
        // cooperative pool the app's server needs).
        let port: Int? = await withCheckedContinuation { done in
            DispatchQueue.global().async {
                var text = ""
                let handle = out.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                    if let r = text.range(of: "started successfully on port "),
                        let end = text[r.upperBound...].firstIndex(of: ".")
                    {
                        done.resume(returning: Int(text[r.upperBound..<end]))
                        return
                    }
                }
                done.resume(returning: nil)
            }
        }
        guard let port else {
            process.terminate()
            throw Failure(description: "chromedriver did not say which port it listens on")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        let driver = WebDriver(
            process: process, client: client, base: URL(string: "http://127.0.0.1:\(port)")!, profile: profile)
        let created = try await driver.send(
            "POST", "/session",
            [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        // The test reads the DOM, not images: wait for DOMContentLoaded only.
                        "pageLoadStrategy": "eager",
                        "timeouts": ["pageLoad": 120_000, "script": 30_000],
                        "goog:chromeOptions": [
                            "binary": browser,
                            "args": [
                                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--no-first-run",
                                // A headless renderer that Chromium deems in the background is
                                // throttled, and on a busy machine chromedriver then gives up
                                // with "Timed out receiving message from renderer".
                                "--disable-background-timer-throttling",
                                "--disable-backgrounding-occluded-windows",
                                "--disable-renderer-backgrounding",
                                "--user-data-dir=\(profile.path)", "--window-size=1280,1000",
                            ],
                        ],
                    ] as [String: Any]
                ]
            ])
        guard let value = created as? [String: Any], let id = value["sessionId"] as? String else {
            await driver.end()
            throw Failure(description: "chromedriver did not open a session: \(String(describing: created))")
        }
        driver.sessionID = id
        return driver
    }

    private init(process: Process, client: any Client, base: URL, profile: URL) {
        self.process = process
        self.client = client
        self.base = base
        self.profile = profile
    }

    /// Ends the browser and the driver, and lets the next test's browser start.
    func stop() async {
        await end()
        await BrowserGate.shared.leave()
    }

    private func end() async {
        if !sessionID.isEmpty { _ = try? await send("DELETE", session) }
        process.terminate()
        // A session that did not answer its DELETE leaves Chromium running without its driver,
        // and a page it is still loading would reach a server that is shutting down: end every
        // process started with this test's profile folder.
        let kill = Process()
        kill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        kill.arguments = ["-KILL", "-f", profile.path]
        if (try? kill.run()) != nil { kill.waitUntilExit() }
        try? FileManager.default.removeItem(at: profile)
    }

    @discardableResult
    private func send(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        var headers = HTTPHeaders()
        var buffer: ByteBuffer?
        if let body {
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
            headers.contentType = .json
        }
        let response = try await client.send(
            HTTPMethod(rawValue: method), headers: headers, to: URI(string: base.absoluteString + path)
        ) {
            $0.body = buffer
        }
        let data = Data(response.body.map { Array($0.readableBytesView) } ?? [])
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        if let value = json?["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "\(method) \(path): \(error): \(value["message"] as? String ?? "")")
        }
        return json?["value"]
    }

    private var session: String { "/session/\(sessionID)" }

    /// Loads a page. A renderer that stopped answering under load (chromedriver's "Timed out
    /// receiving message from renderer") gets one more try in a new tab of the same session
    /// (same cookies), since a wedged tab stays wedged; any other error is the test's, and
    /// names the page.
    func open(_ url: String) async throws {
        do { try await send("POST", "\(session)/url", ["url": url]) } catch let failure as Failure
            where failure.description.contains("Timed out receiving message from renderer")
        {
            do {
                let tab = try await send("POST", "\(session)/window/new", ["type": "tab"]) as? [String: Any]
                if let handle = tab?["handle"] as? String {
                    try await send("POST", "\(session)/window", ["handle": handle])
                }
                try await send("POST", "\(session)/url", ["url": url])
            } catch let again as Failure {
                throw Failure(description: "loading \(url), twice: \(again.description)")
            }
        } catch let failure as Failure {
            throw Failure(description: "loading \(url): \(failure.description)")
        }
    }

    var currentURL: String { get async throws { try await send("GET", "\(session)/url") as? String ?? "" } }

    /// The page's HTML as the browser has it now.
    var source: String { get async throws { try await send("GET", "\(session)/source") as? String ?? "" } }

    /// The value a script returns (W3C WebDriver "Execute Script"; `return …` in `body`).
    func script(_ body: String) async throws -> Any? {
        try await send("POST", "\(session)/execute/sync", ["script": body, "args": [] as [Any]])
    }

    /// Sets the browser window's size in CSS pixels.
    func resize(width: Int, height: Int) async throws {
        try await send("POST", "\(session)/window/rect", ["width": width, "height": height])
    }

    /// The visible text of the element matching the CSS selector.
    func text(_ selector: String) async throws -> String {
        try await send("GET", "\(session)/element/\(try await element(selector))/text") as? String ?? ""
    }

    private func element(_ selector: String) async throws -> String {
        let value = try await send("POST", "\(session)/element", ["using": "css selector", "value": selector])
        guard let found = value as? [String: Any], let id = found.values.first as? String else {
            throw Failure(description: "no element matches \(selector)")
        }
        return id
    }

    /// Types into a field (after clearing it), as a person would; for a file input, the
    /// path of the file to choose.
    func type(_ selector: String, _ text: String, clear: Bool = true) async throws {
        let id = try await element(selector)
        if clear { try await send("POST", "\(session)/element/\(id)/clear", [:]) }
        try await send("POST", "\(session)/element/\(id)/value", ["text": text])
    }

    /// Clicks the element. Before a submit button's click the page is marked, so that
    /// `waitForURL` waits for the answer's page even when it has the address the form was on
    /// (a form posting to its own page: CI once read the old page's elements).
    func click(_ selector: String) async throws {
        let id = try await element(selector)
        if selector.contains("submit") {
            _ = try await script("document.documentElement.setAttribute('data-test-submitted', '1'); return true")
        }
        try await send("POST", "\(session)/element/\(id)/click", [:])
    }

    /// Whether the page is still the one a submit button was clicked on (nil mid-navigation).
    private var beforeSubmit: Bool? {
        get async {
            try? await script("return document.documentElement.hasAttribute('data-test-submitted')") as? Bool
        }
    }

    /// Chooses an option of a `<select>` by its value.
    func choose(_ selector: String, value: String) async throws {
        try await click("\(selector) option[value=\"\(value)\"]")
    }

    /// The viewport as a PNG (W3C WebDriver "Take Screenshot").
    func screenshot() async throws -> Data {
        guard let base64 = try await send("GET", "\(session)/screenshot") as? String,
            let data = Data(base64Encoded: base64)
        else { throw Failure(description: "the browser returned no screenshot") }
        return data
    }

    /// The page printed to PDF by the browser (W3C WebDriver "Print Page"), A4, with the
    /// page's print stylesheet.
    func printPDF() async throws -> Data {
        let value = try await send(
            "POST", "\(session)/print", ["page": ["width": 21.0, "height": 29.7], "background": true])
        guard let base64 = value as? String, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "the browser returned no PDF")
        }
        return data
    }

    /// Signs in through the login form on the way to `path` (which redirects there first).
    func signIn(site: String, as email: String, password: String = "correct horse battery", then path: String)
        async throws
    {
        try await open("\(site)\(path)")
        _ = try await waitForURL { $0.contains("/login") }
        try await type("#email", email)
        try await type("#password", password)
        try await click("form#login-form button[type=submit]")
        _ = try await waitForURL { $0.hasSuffix(path) }
    }

    /// Signs out with the account bar's button and waits to leave the page.
    func signOut() async throws {
        let here = try await currentURL
        try await click(".account-form button[type=submit]")
        _ = try await waitForURL { $0 != here }
    }

    /// Waits until an element matching `selector` is on the page (the answer to a form posted
    /// to the page's own address, which `waitForURL` cannot tell from the page before), and
    /// returns its text.
    func waitForText(_ selector: String, timeout: TimeInterval = 20) async throws -> String {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if let text = try? await text(selector) { return text }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw Failure(description: "no \(selector) appeared on the page at \(try await currentURL)")
    }

    /// Waits until the page's URL satisfies `test` (a submitted form has loaded its answer).
    func waitForURL(timeout: TimeInterval = 20, _ test: (String) -> Bool) async throws -> String {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            let url = try await currentURL
            if test(url), await beforeSubmit == false { return url }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw Failure(description: "the page did not reach the expected address; it is at \(try await currentURL)")
    }
}

/// Lets one browser run at a time across the whole test run. Swift Testing runs suites in
/// parallel; on a two-core machine several Chromiums, their test servers and a PostgreSQL
/// under load starved a renderer past chromedriver's patience. Waiters are served in turn.
actor BrowserGate {
    static let shared = BrowserGate()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
