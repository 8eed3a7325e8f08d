@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Editing the rules in the browser: a new version from a date ends the one before (cases
/// started before it keep their limits), an added bank holiday moves a running clock's due
/// day; only OPCC admins may change either, every bad field is named.
@Suite("victims: the rules and bank holidays, edited by OPCC admins")
struct VictimRulesTests {
    @Test("a new version ends the old one; a bank holiday moves the due day; staff read, admins change")
    func editing() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            try await app.makeUser("admin@opcc.example", role: .opccAdmin, organisation: "OPCC", kind: .opcc)
            #expect(
                try await tests.call(app, "/api/v1/victim-referrals", token: token, json: tests.json([tests.draft(1)]))
                    .status == .created)
            let id = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            struct Due: Decodable { var firstContactDue: String; var receivedAt: String }
            func due() async throws -> Due {
                try #require(
                    try await app.db.sql.raw(
                        "SELECT first_contact_due, received_at FROM victim_cases WHERE id = \(bind: id)"
                    ).row(Due.self))
            }
            let before = try await due()
            let analyst = try await app.signIn("analyst@opcc.example")
            #expect(try await app.get("/victims/rules", as: analyst).body.string.contains("Right 4"))
            #expect(!(try await app.get("/victims/rules", as: analyst)).body.string.contains("rule-form"))
            #expect(
                try await app.post("/victims/bank-holidays", ["day": "2030-01-02", "name": "x"], as: analyst).status
                    == .forbidden)
            let admin = try await app.signIn("admin@opcc.example")
            // Every bad field named; nothing changed.
            var page = try await app.post(
                "/victims/rules",
                ["rule": "service-first-contact", "enhancedDays": "two", "standardDays": "99", "inForceFrom": "soon"],
                as: admin)
            #expect(page.status == .unprocessableEntity)
            for field in ["#enhanced_days", "#in_force_from"] {
                #expect(page.body.string.contains("href=\"\(field)\""))
            }
            page = try await app.post(
                "/victims/rules",
                [
                    "rule": "service-first-contact", "enhancedDays": "1", "standardDays": "99", "citation": "Contract",
                    "inForceFrom": "2030-01-01",
                ], as: admin)
            #expect(page.status == .unprocessableEntity && page.body.string.contains("0 to 60 working days"))
            page = try await app.post(
                "/victims/rules",
                [
                    "rule": "service-first-contact", "enhancedDays": "1", "standardDays": "3", "citation": "Contract",
                    "inForceFrom": "2019-01-01",
                ], as: admin)
            #expect(page.status == .unprocessableEntity && page.body.string.contains("must start after"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_code_rules") == 5)
            // From tomorrow: the case, received today, keeps version 1's limit.
            let tomorrow = CalendarDay(Date().addingTimeInterval(86_400)).description
            page = try await app.post(
                "/victims/rules",
                [
                    "rule": "service-first-contact", "enhancedDays": "1", "standardDays": "3",
                    "citation": "Contract variation 2", "inForceFrom": tomorrow,
                ], as: admin)
            #expect(page.status == .seeOther, "\(page.body.string.prefix(300))")
            #expect(
                try await app.scalar(
                    "SELECT version AS n FROM victim_code_rules WHERE rule_key = 'service-first-contact' AND in_force_to IS NULL"
                ) == 2)
            #expect(try await due().firstContactDue == before.firstContactDue)
            page = try await app.get("/victims/rules", as: admin)
            #expect(page.body.string.contains("Contract variation 2"))

            // A bank holiday on the due day (if a weekday the bundled list lacks): due a working day later.
            let dueDay = try #require(CalendarDay(before.firstContactDue))
            let days = try WorkingDays.bundled()
            #expect(
                try await app.post("/victims/bank-holidays", ["day": "2026-12-25", "name": "Christmas"], as: admin)
                    .status == .unprocessableEntity)
            if days.isWorkingDay(dueDay) {
                #expect(
                    try await app.post(
                        "/victims/bank-holidays", ["day": dueDay.description, "name": "A new holiday"], as: admin
                    ).status == .seeOther)
                #expect(try await due().firstContactDue == days.adding(1, to: dueDay).description)
                #expect(try await app.get("/victims/rules", as: analyst).body.string.contains("A new holiday"))
            }
        }
    }
}
