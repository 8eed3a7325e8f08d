@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// A partner's day in a real browser (headless Chromium driven through chromedriver, both
/// from Debian and installed by `.ci/run`): sign in, record a patrol on the form, upload a
/// CSV with one bad row and see the error, then see the campaign dashboard's totals change.
@Suite(
    "a partner user in a real browser", .serialized,
    .enabled(if: Browser.available, "headless Chromium or chromedriver is not installed"))
struct PartnerBrowserTests {
    @Test(
        "sign in, record a patrol, upload a CSV with a bad row (error shown, nothing saved), fix it, and the dashboard totals follow"
    )
    func partnerDay() async throws {
        try await withTestApp { app in
            let police = try await app.makeUser(
                "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            let store = CampaignStore(audit: AuditLog())
            let c = try await store.create(
                CampaignDraft(name: "Summer", description: "", startsOn: "2025-07-01", endsOn: "2025-09-30"), by: nil,
                on: app.db)
            try await store.addOrganisation(police.organisationId, to: c, by: nil, on: app.db)
            try await Browser.driving(app) { browser, site in try await partnerDay(browser, site: site, app: app) }
        }
    }

    func partnerDay(_ browser: WebDriver, site: String, app: Application) async throws {
        // Sign in through the form; the page asked for first comes back after.
        try await browser.signIn(site: site, as: "pc@police.example", then: "/campaigns/summer/dashboard")
        #expect(try await browser.source.contains("0 activity records in this campaign"))

        // One patrol on the form.
        try await browser.open("\(site)/activities/new?type=patrol")
        try await browser.type("#date", "2025-07-12")
        try await browser.type("#time", "19:30")
        try await browser.type("#hours", "2")
        try await browser.type("#officers", "2")
        try await browser.type("#visits", "4")
        try await browser.choose("#style", value: "high-visibility")
        try await browser.type("#location", "Gentleman's Walk")
        try await browser.choose("#campaign", value: "summer")
        try await browser.click("input[name=visibility][value=shared]")
        try await browser.click("form#activity-form button[type=submit]")
        _ = try await browser.waitForURL { $0.contains("/activities?saved=1") }
        #expect(try await browser.text("#saved").contains("1 record saved."))

        // A CSV with one bad row: the error is shown by line and column; nothing is saved.
        let header = "date,time,area,location,campaign,hours,officers,visits,style,visibility"
        let row = "2025-07-19,20:00,,Market Place,summer,1.5,2,3,high-visibility,shared"
        let badFile = try app.write(
            [header, row, "2025-07-20,20:00,,Market Place,summer,two,2,3,high-visibility,shared", row].joined(
                separator: "\n") + "\n",
            to: "patrols-bad.csv")
        try await browser.open("\(site)/activities/upload")
        try await browser.choose("#type", value: "patrol")
        try await browser.type("#file", badFile, clear: false)
        try await browser.click("form#upload-form button[type=submit]")
        // The form posts to the page's own address: wait for the answer's message, not the URL.
        let problem = try await browser.waitForText("#problem")
        #expect(problem.contains("patrols-bad.csv: 1 problem in the file. Nothing was saved"))
        let errors = try await browser.text("#row-errors")
        #expect(errors.contains("3") && errors.contains("hours"), "line 3, column hours: \(errors)")
        try await browser.open("\(site)/campaigns/summer/dashboard")
        let before = try await browser.source
        #expect(before.contains("1 activity record in this campaign"))
        #expect(before.contains("2 hours of high-visibility patrols, with 4 hot-spot visits"))

        // The corrected file: two more patrols, and the dashboard follows.
        let goodFile = try app.write([header, row, row].joined(separator: "\n") + "\n", to: "patrols.csv")
        try await browser.open("\(site)/activities/upload")
        try await browser.choose("#type", value: "patrol")
        try await browser.type("#file", goodFile, clear: false)
        try await browser.click("form#upload-form button[type=submit]")
        _ = try await browser.waitForURL { $0.contains("/activities?saved=2") }
        try await browser.open("\(site)/campaigns/summer/dashboard")
        let after = try await browser.source
        #expect(after.contains("3 activity records in this campaign"))
        #expect(after.contains("5 hours of high-visibility patrols, with 10 hot-spot visits"))
        #expect(after.contains("w/c 7 July 2025") && after.contains("w/c 14 July 2025"))
    }
}
