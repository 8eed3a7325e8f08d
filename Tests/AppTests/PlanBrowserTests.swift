@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The OPCC analyst's quarter in a real browser: a CSV of figures with one bad row (the
/// error by line and column, nothing saved), the corrected file, and the scorecard showing
/// the new figure.
@Suite(
    "the plan's figures in a real browser", .serialized,
    .enabled(if: Browser.available, "headless Chromium or chromedriver is not installed"))
struct PlanBrowserTests {
    @Test(
        "the analyst uploads figures with a bad row (error shown, nothing saved), fixes it, and the scorecard follows")
    func analystQuarter() async throws {
        try await withTestApp { app in
            try await PlanTests().world(app)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            try await Browser.serving(app) { port in
                let site = "http://localhost:\(port)"
                let browser = try await WebDriver.start(client: app.client)
                do { try await quarter(browser, site: site, app: app) } catch {
                    await browser.stop()
                    throw error
                }
                await browser.stop()
            }
        }
    }

    func quarter(_ browser: WebDriver, site: String, app: Application) async throws {
        try await browser.open("\(site)/plan/values")
        _ = try await browser.waitForURL { $0.contains("/login") }
        try await browser.type("#email", "analyst@opcc.example")
        try await browser.type("#password", "correct horse battery")
        try await browser.click("form#login-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix("/plan/values") }

        let header = "measure,period,value,source"
        let bad = try app.write(
            [
                header, "calls-999-within-10s,2024-06,88.4,Contact centre",
                "calls-999-within-10s,2024-07,lots,Contact centre",
            ]
            .joined(separator: "\n") + "\n", to: "figures-bad.csv")
        try await browser.type("#file", bad, clear: false)
        try await browser.click("form#upload-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix("/plan/values") }
        #expect(try await browser.text("#problem").contains("Nothing was saved"))
        let errors = try await browser.text("#row-errors")
        #expect(errors.contains("3") && errors.contains("value"), "line 3, column value: \(errors)")
        #expect(try await app.scalar("SELECT COUNT(*) AS n FROM measure_values WHERE computed = 0") == 0)

        let good = try app.write(
            [
                header, "calls-999-within-10s,2024-06,88.4,Contact centre",
                "calls-999-within-10s,2024-07,91.6,Contact centre",
            ]
            .joined(separator: "\n") + "\n", to: "figures.csv")
        try await browser.open("\(site)/plan/values")
        try await browser.type("#file", good, clear: false)
        try await browser.click("form#upload-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix("/plan/values") }
        #expect(try await browser.text("#saved").contains("2 figures saved"))

        try await browser.open("\(site)/plan")
        let scorecard = try await browser.source
        #expect(scorecard.contains("999 calls answered within 10 seconds") && scorecard.contains("91.6%"))
        #expect(scorecard.contains("Jul 2024"))
        try await browser.open("\(site)/plan/measures/calls-999-within-10s")
        #expect(try await browser.text("#points").contains("91.6%"))
    }
}
