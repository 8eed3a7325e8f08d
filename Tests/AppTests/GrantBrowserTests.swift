@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// A grant from application to published outcome in a real browser: an organisation saves a
/// draft and submits it; a panel member declares a conflict on another application and
/// scores this one; the officer awards it; the grantee sends a monitoring return and the
/// officer accepts it; the public page shows the grant and what it achieved.
@Suite(
    "grants in a real browser", .serialized,
    .enabled(if: Browser.available, "headless Chromium or chromedriver is not installed"))
struct GrantBrowserTests {
    @Test("apply, declare a conflict and score, award, report, accept; the open page shows the outcome")
    func lifecycle() async throws {
        try await withTestApp { app in
            try await app.makeUser("officer@opcc.example", role: .opccStaff)
            try await app.makeUser(
                "lead@youth.example", role: .partnerAdmin, organisation: "Norwich Youth Project", kind: .voluntary)
            try await app.makeUser(
                "lead@other.example", role: .partnerAdmin, organisation: "Other Charity", kind: .voluntary)
            try await app.makeUser(
                "panel@council.example", role: .partnerUser, organisation: "Norfolk County Council",
                kind: .countyCouncil)
            let store = GrantStore(audit: AuditLog())
            let fund = try await store.createFund(
                .init(name: "Youth grants", slug: "youth-grants", budget: "50,000"), themes: [], by: nil, on: app.db)
            let now = Date()
            let round = try await store.createRound(
                .init(
                    name: "Round one", slug: "round-one", opensAt: now.addingTimeInterval(-86_400).stored,
                    closesAt: now.addingTimeInterval(86_400).stored, minimumScore: 0,
                    questions: [
                        .init(kind: .text, prompt: "What will you do?", wordLimit: 100),
                        .init(kind: .outputs, prompt: "What you will achieve"),
                        .init(kind: .places, prompt: "Where"),
                    ],
                    criteria: [
                        .init(name: "Need", weight: 2, maxScore: 5), .init(name: "Value", weight: 1, maxScore: 5),
                    ]),
                in: fund, by: nil, on: app.db)
            try await store.addPanelMember(email: "panel@council.example", to: round, by: nil, on: app.db)
            // The other charity's application, submitted already: the panel member's conflict.
            let otherOrg = try await app.scalar("SELECT id AS n FROM organisations WHERE name = 'Other Charity'")
            let other = CurrentUser(
                id: 1, name: "", email: "", role: .partnerAdmin, organisationID: otherOrg,
                organisationName: "Other Charity", csrfToken: "", sessionHash: "")
            let qs = try await store.questions(of: round, on: app.db)
            let otherID = try await store.start(in: round, title: "Holiday club", by: other, on: app.db)
            if let a = try await store.application(id: otherID, on: app.db) {
                try await store.saveDraft(
                    a, title: "Holiday club",
                    answers: [
                        qs[0].id: "A club", qs[1].id: #"[{"name":"Children","target":20}]"#,
                        qs[2].id: #"["lad:E07000148"]"#,
                    ], questions: qs, by: other, on: app.db)
                if let saved = try await store.application(id: otherID, on: app.db) {
                    _ = try await store.submit(saved, round: round, questions: qs, by: other, on: app.db)
                }
            }
            try await Browser.driving(app) { browser, site in
                try await walk(browser, site: site, app: app, round: round.id, questions: qs, other: otherID)
            }
        }
    }

    func walk(
        _ browser: WebDriver, site: String, app: Application, round: Int, questions qs: [Grants.Question], other: Int
    ) async throws {
        // The organisation starts, saves a draft, comes back to it, and submits.
        try await browser.signIn(site: site, as: "lead@youth.example", then: "/grants/rounds/\(round)")
        try await browser.type("#title", "Evening drop-in")
        try await browser.click("form#start-form button[type=submit]")
        let applicationURL = try await browser.waitForURL { $0.contains("/grants/applications/") }
        let path = String(applicationURL.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" })
        try await browser.type("#q\(qs[0].id)", "Weekly drop-in sessions for young people on Friday evenings.")
        try await browser.type("#q\(qs[1].id)-out1-name", "Young people reached")
        try await browser.type("#q\(qs[1].id)-out1-target", "120")
        try await browser.type("#q\(qs[2].id)-lads", "E07000148")
        try await browser.click("form#application-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix(path) }
        try await browser.open("\(site)\(path)")
        #expect(try await browser.source.contains("Friday evenings"), "the draft was saved")
        try await browser.click("form#submit-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix(path) }
        #expect(try await browser.text("#application-facts").contains("Submitted"))
        try await browser.signOut()

        // The panel member: a conflict on the other application, scores on this one.
        try await browser.signIn(site: site, as: "panel@council.example", then: "/grants/applications/\(other)")
        try await browser.type("#reason", "I am a trustee of the charity")
        try await browser.click("form#conflict-form button[type=submit]")
        _ = try await browser.waitForURL { !$0.hasSuffix("/grants/applications/\(other)") }
        try await browser.open("\(site)/grants/applications/\(other)")
        #expect(!(try await browser.source.contains("score-form")), "no scoring after a declared conflict")
        try await browser.open("\(site)\(path)")
        let criteria = try await app.db.sql.raw("SELECT id FROM round_criteria ORDER BY position").all()
            .map { try $0.decode(column: "id", as: Int.self) }
        for c in criteria { try await browser.choose("#score-\(c)", value: "4") }
        try await browser.type("#comment-\(criteria[0])", "Clear need in the city centre")
        try await browser.click("#submit-scores")
        try await browser.click("form#score-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix(path) }
        try await browser.open("\(site)\(path)")
        #expect(try await browser.source.contains("panel-scores"), "the member sees the scores once submitted")
        try await browser.signOut()

        // The officer awards it, starting months ago so that a return has fallen due.
        try await browser.signIn(site: site, as: "officer@opcc.example", then: path)
        #expect(try await browser.text("#panel-scores").contains("80"))
        try await browser.choose("#decision-choice", value: "award")
        try await browser.type("#amount", "9,500")
        try await browser.type("#startsOn", DemoBoards.day(-200))
        try await browser.type("#endsOn", DemoBoards.day(160))
        try await browser.type("#recommendation", "Fund")
        try await browser.type("#decisionReason", "Strong evidence of need.")
        try await browser.click("form#decision-form button[type=submit]")
        _ = try await browser.waitForURL { $0.hasSuffix(path) }
        let award = try await app.scalar("SELECT MAX(id) AS n FROM awards")
        #expect(award > 0)
        try await browser.signOut()

        // The grantee reports the first quarter.
        try await browser.signIn(site: site, as: "lead@youth.example", then: "/grants/awards/\(award)")
        let first = try await app.scalar("SELECT MIN(id) AS n FROM monitoring_returns WHERE award_id = \(award)")
        let indicator = try await app.scalar("SELECT MIN(id) AS n FROM award_indicators WHERE award_id = \(award)")
        try await browser.type("#value-\(first)-\(indicator)", "35")
        try await browser.type("#spend-\(first)", "2,000")
        try await browser.type("#narrative-\(first)", "Sessions ran every Friday.")
        try await browser.click("#return-\(first) form button[type=submit]")
        _ = try await browser.waitForURL { $0.contains("/grants/awards/\(award)") }
        try await browser.signOut()

        // The officer accepts it.
        try await browser.signIn(site: site, as: "officer@opcc.example", then: "/grants/awards/\(award)")
        try await browser.choose("#outcome-\(first)", value: "accept")
        try await browser.click("#return-\(first) form button[type=submit]")
        _ = try await browser.waitForURL { $0.contains("/grants/awards/\(award)") }
        try await browser.signOut()

        // The public page: the grant and its outcome.
        try await browser.open("\(site)/open/grants/\(award)")
        #expect(try await browser.text("h1") == "Evening drop-in")
        let facts = try await browser.text("#facts")
        #expect(facts.contains("Norwich Youth Project") && facts.contains("£9,500"))
        let outcomes = try await browser.text("#outcomes")
        #expect(outcomes.contains("Young people reached") && outcomes.contains("35") && outcomes.contains("120"))
        try await browser.open("\(site)/open/grants")
        #expect(try await browser.source.contains("Evening drop-in"))
        #expect(!(try await browser.source.contains("Holiday club")), "an undecided application is not published")
    }
}
