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
            try await Browser.driving(app) { browser, site in try await quarter(browser, site: site, app: app) }
        }
    }

    func quarter(_ browser: WebDriver, site: String, app: Application) async throws {
        try await browser.signIn(site: site, as: "analyst@opcc.example", then: "/plan/values")

        let header = "measure,period,value,source"
        let bad = try app.write(
            [
                header, "calls-999-within-10s,2024-06,88.4,Contact centre",
                "calls-999-within-10s,2024-07,lots,Contact centre",
            ]
            .joined(separator: "\n") + "\n", to: "figures-bad.csv")
        try await browser.type("#file", bad, clear: false)
        try await browser.click("form#upload-form button[type=submit]")
        // The form posts to the page's own address: wait for the answer's message, not the URL.
        #expect(try await browser.waitForText("#problem").contains("Nothing was saved"))
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
        #expect(try await browser.waitForText("#saved").contains("2 figures saved"))

        try await browser.open("\(site)/plan")
        let scorecard = try await browser.source
        #expect(scorecard.contains("999 calls answered within 10 seconds") && scorecard.contains("91.6%"))
        #expect(scorecard.contains("Jul 2024"))
        try await browser.open("\(site)/plan/measures/calls-999-within-10s")
        #expect(try await browser.text("#points").contains("91.6%"))
    }

    @Test("the Commissioner puts a question, the Chief Constable's office answers it, the minutes are published")
    func accountability() async throws {
        try await withTestApp { app in
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            try await app.makeUser(
                "staff@chief.example", role: .partnerUser, organisation: "Office of the Chief Constable", kind: .police)
            let chief = try await app.scalar(
                "SELECT id AS n FROM organisations WHERE name = 'Office of the Chief Constable'")
            let store = BoardStore(audit: AuditLog())
            let board = try await store.create(
                .init(
                    name: "Police Accountability Forum", slug: "forum", kind: "accountability",
                    answeringOrganisationID: chief),
                members: [], by: nil, on: app.db)
            let meeting = try await store.schedule(
                .init(heldOn: "2026-10-14", startsAt: "10:00", kind: "public"), of: board, by: nil, on: app.db)
            try await Browser.driving(app) { browser, site in
                try await questionAnswered(browser, site: site, meeting: meeting, app: app)
            }
        }
    }

    func questionAnswered(_ browser: WebDriver, site: String, meeting: Int, app: Application) async throws {
        let path = "/boards/forum/meetings/\(meeting)"
        try await browser.signIn(site: site, as: "analyst@opcc.example", then: path)
        try await browser.type("#question", "What is the plan to bring 999 answering back above 90%?")
        try await browser.click("form#question-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix(path) }
        #expect(try await browser.source.contains("Awaiting answer"))
        try await browser.signOut()

        try await browser.signIn(site: site, as: "staff@chief.example", then: "/boards")
        #expect(try await browser.source.contains("What is the plan to bring 999 answering back above 90%?"))
        let question = try await app.scalar("SELECT MAX(id) AS n FROM meeting_questions")
        try await browser.type("#answer-\(question)", "Two new cohorts of call handlers start in January.")
        try await browser.click("#question-\(question) form button[type=submit]")
        _ = try await browser.waitForURL { $0.contains(path) }
        #expect(try await browser.source.contains("Two new cohorts of call handlers start in January."))
        try await browser.signOut()

        try await browser.signIn(site: site, as: "analyst@opcc.example", then: path)
        try await browser.type("#minutes-text", "1. Performance. The Commissioner asked about 999 answering.")
        try await browser.click("form#minutes-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix(path) }
        try await browser.click("form#publish-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix(path) }
        try await browser.open("\(site)/open/meetings/\(meeting)")
        let published = try await browser.source
        #expect(published.contains("Two new cohorts of call handlers start in January."))
        #expect(published.contains("The Commissioner asked about 999 answering."))
    }
}
