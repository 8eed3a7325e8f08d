@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Each case worker's cases and queue: a case assigned to one of the holder's people (never
/// to anyone else, never another organisation's case), the list and the queue filtered to
/// them; the list a hundred to a page.
@Suite("victims: assignment, each case worker's queue, the list by pages")
struct VictimQueueTests {
    /// The counts the database keeps (`victim_case_counts`, by triggers) are the cases counted.
    static func countsAgree(_ app: Application) async throws -> Bool {
        struct Row: Decodable, Hashable { var organisationId: Int; var assignee: Int; var status: String; var n: Int }
        let live = try await app.db.sql.raw(
            """
            SELECT organisation_id, COALESCE(assigned_to, 0) AS assignee, status, COUNT(*) AS n FROM victim_cases
            GROUP BY organisation_id, COALESCE(assigned_to, 0), status
            """
        ).rows(Row.self)
        let kept = try await app.db.sql.raw(
            "SELECT organisation_id, assignee, status, n FROM victim_case_counts WHERE n <> 0"
        ).rows(Row.self)
        return !live.isEmpty && Set(live) == Set(kept)
    }

    @Test("assigned cases make a case worker's list and queue; outsiders and other organisations' cases refused")
    func assignment() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            try await app.makeUser(
                "other@elsewhere.example", role: .partnerUser, organisation: "Elsewhere Care", kind: .victimService)
            let drafts = (1...105).map { tests.draft($0) }
            #expect(
                try await tests.call(
                    app, "/api/v1/victim-referrals", token: token, json: tests.json(drafts, service: "victim-care")
                ).status == .created)
            let first = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let workerID = try await app.scalar("SELECT id AS n FROM users WHERE email = 'worker@care.example'")
            let outsiderID = try await app.scalar("SELECT id AS n FROM users WHERE email = 'other@elsewhere.example'")
            let worker = try await app.signIn("worker@care.example")
            // Pages of 100.
            var page = try await app.get("/victims", as: worker)
            #expect(page.body.string.contains("Cases 1 to 100 of 105."))
            #expect(
                page.body.string.contains("status=open&amp;page=2") || page.body.string.contains("status=open&page=2"))
            page = try await app.get("/victims?status=open&page=2", as: worker)
            #expect(page.body.string.contains("Cases 101 to 105 of 105.") && page.body.string.contains("V\(first)<"))
            #expect(try await app.get("/victims?page=-4", as: worker).status == .ok)
            #expect(try await app.get("/victims?page=99999999", as: worker).status == .ok)

            // Assigned to the worker: the case and its first-contact clock are theirs.
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": "\(workerID)"], as: worker).status
                    == .seeOther)
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": "\(outsiderID)"], as: worker).status
                    == .notFound)
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": "x"], as: worker).status == .notFound)
            let other = try await app.signIn("other@elsewhere.example")
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": ""], as: other).status == .notFound)
            #expect(try await app.scalar("SELECT assigned_to AS n FROM victim_cases WHERE id = \(first)") == workerID)
            #expect(try await Self.countsAgree(app))
            // Every first contact stored as due long ago: each case's clock is in the queue.
            try await app.db.sql.raw("UPDATE victim_cases SET first_contact_due = '2000-01-03'").run()
            page = try await app.get("/victims?worker=me", as: worker)
            #expect(page.body.string.contains("Cases 1 to 1 of 1."))
            #expect(page.body.string.contains(">V\(first)<"))
            #expect(page.body.string.contains("1 clock overdue; 0 clocks due today or tomorrow."))
            page = try await app.get("/victims?worker=unassigned", as: worker)
            #expect(page.body.string.contains("of 104.") && !page.body.string.contains(">V\(first)<"))
            #expect(page.body.string.contains("104 clocks overdue"))
            page = try await app.get("/victims?worker=\(workerID)", as: try await app.signIn("admin@care.example"))
            #expect(page.body.string.contains("Cases 1 to 1 of 1."))
            page = try await app.get("/victims/cases/\(first)?purpose=case-work", as: worker)
            #expect(page.body.string.contains("Case worker (now: worker@care.example)"))
            // Unassigned again.
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": ""], as: worker).status == .seeOther)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases WHERE assigned_to IS NOT NULL") == 0)
            #expect(try await Self.countsAgree(app))
        }
    }

    @Test("a running clock marked not applicable says why, leaves the queue and is judged neither met nor missed")
    func notApplicable() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            try await app.makeUser(
                "other@elsewhere.example", role: .partnerUser, organisation: "Elsewhere Care", kind: .victimService)
            #expect(
                try await tests.call(
                    app, "/api/v1/victim-referrals", token: token,
                    json: tests.json([tests.draft(1), tests.draft(2)], service: "victim-care")
                ).status == .created)
            let first = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let second = try await app.scalar("SELECT MAX(id) AS n FROM victim_cases")
            // Both received a fortnight ago: both first contacts overdue.
            let fortnight = Date().addingTimeInterval(-14 * 86_400).stored
            try await app.db.sql.raw("UPDATE victim_cases SET received_at = \(bind: fortnight)").run()
            try await VictimStore(cipher: nil, audit: AuditLog()).recomputeClocks(on: app.db)
            let worker = try await app.signIn("worker@care.example")
            var page = try await app.get("/victims/cases/\(first)?purpose=case-work", as: worker).body.string
            #expect(page.contains("value=\"first-contact\"") && page.contains("Mark not applicable"))
            let before = try await app.get("/victims", as: worker).body.string
            #expect(before.contains("2 clocks overdue") && before.components(separatedBy: ">V\(first)<").count - 1 == 2)

            let form = ["clock": "first-contact", "reason": "opted-out"]
            let other = try await app.signIn("other@elsewhere.example")
            #expect(
                try await app.post("/victims/cases/\(first)/clocks/not-applicable", form, as: other).status
                    == .notFound)
            #expect(
                try await app.post(
                    "/victims/cases/\(first)/clocks/not-applicable", ["clock": "first-contact", "reason": "bored"],
                    as: worker
                ).status == .unprocessableEntity)
            #expect(
                try await app.post(
                    "/victims/cases/\(first)/clocks/not-applicable", ["clock": "event-x", "reason": "opted-out"],
                    as: worker
                ).status == .unprocessableEntity)
            #expect(
                try await app.post("/victims/cases/\(first)/clocks/not-applicable", form, as: worker).status
                    == .seeOther)
            // Once only; the stored code; the audit names the clock and the reason, no person.
            #expect(
                try await app.post("/victims/cases/\(first)/clocks/not-applicable", form, as: worker).status
                    == .notFound)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM victim_cases WHERE first_contact_na = 'opted-out' AND id = \(first)"
                ) == 1)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM victim_cases WHERE first_contact_due IS NULL AND id = \(first)") == 1)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'clock-not-applicable'") == 1)
            page = try await app.get("/victims/cases/\(first)?purpose=case-work", as: worker).body.string
            #expect(page.contains("Not applicable: the victim chose not to receive this"))
            #expect(!page.contains("value=\"first-contact\""))
            let queue = try await app.get("/victims", as: worker).body.string
            #expect(queue.contains("1 clock overdue") && queue.contains(">V\(second)<"))
            // In the list, no longer in the queue as well.
            #expect(queue.components(separatedBy: ">V\(first)<").count - 1 == 1)

            // An event's clock: marked, off the queue, shown with its reason.
            let arrest = CalendarDay(Date().addingTimeInterval(-10 * 86_400)).description
            #expect(
                try await app.post(
                    "/victims/cases/\(first)/events", ["kind": "arrest", "occurredOn": arrest, "occurredAt": "10:00"],
                    as: worker
                ).status == .seeOther)
            let event = try await app.scalar("SELECT MIN(id) AS n FROM victim_case_events")
            #expect(try await app.get("/victims", as: worker).body.string.contains("2 clocks overdue"))
            #expect(
                try await app.post(
                    "/victims/cases/\(first)/clocks/not-applicable",
                    ["clock": "event-\(event)", "reason": "another-agency"],
                    as: worker
                ).status == .seeOther)
            #expect(
                try await app.post(
                    "/victims/cases/\(second)/clocks/not-applicable",
                    ["clock": "event-\(event)", "reason": "another-agency"],
                    as: worker
                ).status == .notFound)
            #expect(try await app.get("/victims", as: worker).body.string.contains("1 clock overdue"))
            page = try await app.get("/victims/cases/\(first)?purpose=case-work", as: worker).body.string
            #expect(page.contains("Not applicable: another agency holds this duty"))

            // The compliance report judges the second case's first contact alone.
            let report = try await VictimCompliance.build(
                split: .all, now: Date(), store: VictimStore(cipher: nil, audit: AuditLog()), on: app.db)
            let firstContact = report.tallies.filter { $0.key.right.hasPrefix("Local standard") }
            #expect(firstContact.values.map(\.judged).reduce(0, +) == 1)
            #expect(firstContact.values.map(\.overdue).reduce(0, +) == 1)
            #expect(!report.tallies.keys.contains { $0.right.hasPrefix("Right 6") })
        }
    }
}
