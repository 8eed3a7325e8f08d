@testable import App
import Analytics
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

/// Reminders by e-mail: who hears of what (their organisation's actions, orders, returns,
/// victims' clocks), each item once, each kind turned off on the account page, and nothing
/// about a victim but counts.
@Suite("e-mail: reminders")
struct MailReminderTests {
    @Test(
        "actions, orders and victims' clocks reach their organisations' people once; opted-out kinds do not; no victim named"
    )
    func reminders() async throws {
        try await withTestApp { app in
            let pc = try await app.makeUser(
                "inspector@force.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            try await app.makeUser(
                "sgt@force.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerUser, organisation: "Norwich BID",
                kind: .businessImprovementDistrict)
            try await AreaStore().create(
                AreaDraft(
                    name: "Market", kind: .radius, forceID: "norfolk",
                    shape: .circle(centre: GridPoint(easting: 622_900, northing: 308_500), radius: 300), radius: 300),
                on: app.db)
            let today = CalendarDay(Date())
            let store = CampaignStore(audit: AuditLog())
            let c = try await store.create(
                CampaignDraft(name: "Summer", description: "", startsOn: "2025-07-01", endsOn: "2027-09-30"), by: nil,
                on: app.db)
            let market = try #require(try await AreaStore().find(slug: "market", on: app.db))
            try await store.addArea(market.id, to: c, by: nil, on: app.db)
            try await store.addOrganisation(pc.organisationId, to: c, by: nil, on: app.db)
            let plan = try await store.plan(c, areaSlug: "market", on: app.db)
            try await store.addAction(
                ActionDraft(
                    title: "Evening patrols", ownerOrganisationID: pc.organisationId, leadName: "Insp",
                    dueOn: CalendarDay(dayNumber: today.dayNumber + 3).description, status: "not-started"),
                to: plan, campaign: c, by: nil, on: app.db)
            // A PSPO expiring in ten days and a dispersal authorisation ending today.
            for (type, day, details) in [
                (
                    "pspo", today.dayNumber - 300,
                    "{\"expires_on\": \"\(CalendarDay(dayNumber: today.dayNumber + 10))\"}"
                ),
                ("dispersal-authorisation", today.dayNumber - 1, "{\"hours\": \"48\"}"),
            ] {
                try await app.db.sql.raw(
                    """
                    INSERT INTO activities (organisation_id, type, occurred_on, start_time, location, quantity, details, visibility, created_at)
                    VALUES (\(bind: pc.organisationId), \(bind: type), \(bind: CalendarDay(dayNumber: day).description), '00:00',
                      'Gentleman''s Walk', 1, \(bind: details), 'private', \(bind: Date().stored))
                    """
                ).run()
            }
            // A victim service with one case whose first contact is due today.
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            #expect(
                try await tests.call(app, "/api/v1/victim-referrals", token: token, json: tests.json([tests.draft(1)]))
                    .status == .created)
            try await app.db.sql.raw("UPDATE victim_cases SET first_contact_due = \(bind: today.description)").run()

            // The sergeant turns plan actions off.
            let sgt = try await app.signIn("sgt@force.example")
            let account = try await app.get("/account", as: sgt).body.string
            #expect(account.contains("id=\"notify-actions\" name=\"actions\" value=\"on\" checked"))
            let saved = try await app.post(
                "/account/notifications", ["orders": "on", "returns": "on", "victims": "on"], as: sgt)
            #expect(saved.status == .ok && saved.body.string.contains("Your e-mail reminders are saved"))
            #expect(!saved.body.string.contains("name=\"actions\" value=\"on\" checked"))

            let notifications = Notifications(queue: MailQueue(), victims: VictimStore(cipher: nil, audit: AuditLog()))
            var settings = MailSettings()
            settings.publicURL = "https://saferstreets.example.org"
            // Two instances' runs in the same hour, side by side: each message is queued once.
            async let first = notifications.run(settings: settings, on: app.db)
            async let second = notifications.run(settings: settings, on: app.db)
            let (a, b) = try await (first, second)
            #expect(a + b == 4, "four people hear of something, once each")
            let pcMail = try await app.queuedMail(to: "inspector@force.example")
            #expect(pcMail.count == 1)
            let body = try #require(pcMail.first).body
            // The new action says when it is due; its due line is not repeated.
            #expect(try #require(pcMail.first).subject == "SaferStreets: 3 reminders")
            #expect(
                body.contains(
                    "New for your organisation: Evening patrols (Market, Summer), due \(CalendarDay(dayNumber: today.dayNumber + 3).long)"
                ))
            #expect(!body.contains("- Due "))
            #expect(body.contains("https://saferstreets.example.org/campaigns/summer/areas/market"))
            #expect(body.contains("Public space protection order at Gentleman's Walk expires"))
            #expect(body.contains("Dispersal authorisation at Gentleman's Walk ends"))
            #expect(body.contains("https://saferstreets.example.org/account#notifications"))
            let sgtBody = try #require(try await app.queuedMail(to: "sgt@force.example").first).body
            #expect(!sgtBody.contains("Evening patrols") && sgtBody.contains("Public space protection order"))
            #expect(try await app.queuedMail(to: "ranger@bid.example").isEmpty, "nothing of theirs is due")
            // The victim service hears counts, never who.
            for who in ["worker@care.example", "admin@care.example"] {
                let m = try #require(try await app.queuedMail(to: who).first)
                #expect(m.body.contains("- 1 Victims' Code clock falls due today in your service"))
                #expect(!m.body.contains("Robin") && !m.body.contains("07700") && !m.body.contains("NC-1"))
                #expect(!m.body.contains("burglary") && !m.body.contains("36/10001/26"))
            }
            // Each item once.
            #expect(try await notifications.run(settings: settings, on: app.db) == 0)
        }
    }

    @Test("a reminder message: items grouped under their heading, each with its full link; clocks counted in words")
    func returns() {
        #expect(Notifications.clocksLine(due: 0, overdue: 0) == nil)
        #expect(Notifications.clocksLine(due: 0, overdue: 3) == "3 Victims' Code clocks are overdue in your service")
        #expect(
            Notifications.clocksLine(due: 2, overdue: 1)
                == "2 Victims' Code clocks fall due today and 1 is overdue in your service")
        let items = [
            Notifications.Item(
                key: "return:1:due:2026-12-10", kind: .returns,
                line: "The Q3 monitoring return for “Night buses” is due 10 December 2026",
                path: "/grants/awards/1/returns/1")
        ]
        let text = Notifications.message(name: "Sam", items: items, base: "https://s.example.org")
        #expect(text.subject == "SaferStreets: 1 reminder")
        #expect(
            text.body.contains(
                "MONITORING RETURNS\n\n- The Q3 monitoring return for “Night buses” is due 10 December 2026\n  https://s.example.org/grants/awards/1/returns/1"
            ))
    }
}
