@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The Victims' Code clocks: each rule's boundary in working days (met at the last minute of
/// the due day, missed by one working day), across weekends and bank holidays, the rule
/// version in force when the clock started, and the clocks on a case page and the queue.
@Suite("victims: the Victims' Code clocks")
struct VictimClockTests {
    static let days = WorkingDays(holidays: [
        CalendarDay(unchecked: 2025, month: 12, day: 25), CalendarDay(unchecked: 2025, month: 12, day: 26),
        CalendarDay(unchecked: 2026, month: 1, day: 1), CalendarDay(unchecked: 2026, month: 4, day: 3),
        CalendarDay(unchecked: 2026, month: 4, day: 6),
    ])

    static func rule(
        _ version: Int = 1, enhanced: Int = 1, standard: Int = 5, from: String = "2021-04-01", to: String? = nil
    )
        -> VictimClock.Rule
    {
        VictimClock.Rule(
            id: version, key: "right-6-investigation", version: version, right: "Right 6", title: "Told of an arrest",
            citation: "Right 6", start: "investigation-event", stop: "victim-informed", enhancedDays: enhanced,
            standardDays: standard, inForceFrom: from, inForceTo: to)
    }

    /// A UK civil moment.
    static func at(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 12, _ min: Int = 0) -> Date {
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute) = (y, m, d, h, min)
        return CalendarDay.calendar.date(from: c) ?? Date.distantPast
    }

    @Test("an arrest on Thursday 2 April 2026 (Good Friday and Easter Monday follow): 1 working day is Tuesday 7 April")
    func easter() {
        let start = Self.at(2026, 4, 2, 18, 30)
        let met = VictimClock.evaluate(
            Self.rule(), start: start, stop: Self.at(2026, 4, 7, 23, 59), enhanced: true, now: Self.at(2026, 5, 1),
            days: Self.days)
        #expect(met.state == .met && met.due == CalendarDay(unchecked: 2026, month: 4, day: 7))
        let missed = VictimClock.evaluate(
            Self.rule(), start: start, stop: Self.at(2026, 4, 8, 0, 1), enhanced: true, now: Self.at(2026, 5, 1),
            days: Self.days)
        #expect(missed.state == .missed && missed.lateBy == 1)
        // A standard victim: 5 working days, Tuesday 7 to Monday 13 April.
        let standard = VictimClock.evaluate(
            Self.rule(), start: start, stop: Self.at(2026, 4, 13, 23, 0), enhanced: false, now: Self.at(2026, 5, 1),
            days: Self.days)
        #expect(standard.state == .met && standard.due == CalendarDay(unchecked: 2026, month: 4, day: 13))
    }

    @Test("Christmas: an event on Wednesday 24 December 2025 with 1 working day is due Monday 29 December")
    func christmas() {
        let r = VictimClock.evaluate(
            Self.rule(), start: Self.at(2025, 12, 24), stop: Self.at(2026, 1, 5, 9), enhanced: true,
            now: Self.at(2026, 2, 1), days: Self.days)
        // 25, 26 Dec and 1 Jan are holidays; 27, 28 Dec and 3, 4 Jan weekends: due Monday 29 Dec.
        #expect(r.due == CalendarDay(unchecked: 2025, month: 12, day: 29))
        // Told Monday 5 January: 30, 31 December, 2 and 5 January after the due day: 4 late.
        #expect(r.state == .missed && r.lateBy == 4)
    }

    @Test("a running clock is due (with working days left), then overdue by the working days since its due day")
    func running() {
        let start = Self.at(2026, 3, 2, 10)  // Monday
        let due = VictimClock.evaluate(
            Self.rule(), start: start, stop: nil, enhanced: false, now: Self.at(2026, 3, 5), days: Self.days)
        #expect(due.state == .due && due.left == 2 && due.due == CalendarDay(unchecked: 2026, month: 3, day: 9))
        let today = VictimClock.evaluate(
            Self.rule(), start: start, stop: nil, enhanced: false, now: Self.at(2026, 3, 9, 23, 59), days: Self.days)
        #expect(today.state == .due && today.left == 0)
        let late = VictimClock.evaluate(
            Self.rule(), start: start, stop: nil, enhanced: false, now: Self.at(2026, 3, 12), days: Self.days)
        #expect(late.state == .overdue && late.lateBy == 3)
    }

    @Test("a case is judged by the rule version in force when its clock started")
    func versions() {
        let old = Self.rule(1, enhanced: 1, standard: 5, from: "2021-04-01", to: "2026-06-01")
        let new = Self.rule(2, enhanced: 2, standard: 10, from: "2026-06-01")
        #expect(VictimClock.inForce([old, new], on: CalendarDay(unchecked: 2026, month: 5, day: 31)) == [old])
        #expect(VictimClock.inForce([old, new], on: CalendarDay(unchecked: 2026, month: 6, day: 1)) == [new])
        #expect(VictimClock.inForce([old, new], on: CalendarDay(unchecked: 2020, month: 1, day: 1)).isEmpty)
        // The seeded rules: one version each, in force from 1 April 2021, every one cited.
        #expect(CreateVictimClocks.rules.count == 5)
        #expect(CreateVictimClocks.rules.allSatisfy { !$0.citation.isEmpty && !$0.citation.contains("'") })
    }

    @Test("a case page shows its clocks; an event told late is missed; the queue lists what is overdue")
    func onCase() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "pc@police.example", role: .partnerAdmin, organisation: "Constabulary", kind: .police)
            try await app.makeUser(
                "worker@care.example", role: .partnerUser, organisation: "Victim Care", kind: .victimService)
            let token = try await APITests().makeToken(app, as: try await app.signIn("pc@police.example"))
            let tests = VictimTests()
            var d = tests.draft(1)
            d.reportedOn = CalendarDay(Date().addingTimeInterval(-20 * 86_400)).description
            let res = try await tests.call(app, "/api/v1/victim-referrals", token: token, json: tests.json([d]))
            #expect(res.status == .created)
            let id = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let worker = try await app.signIn("worker@care.example")
            // Reported 20 days ago, received today: Right 4 missed; first contact not yet due past.
            var page = try await app.get("/victims/cases/\(id)?purpose=case-work", as: worker)
            var html = page.body.string
            #expect(html.contains("Right 4") && html.contains("Missed by"))
            #expect(html.contains("First contact") && html.contains("Due"))
            // An arrest ten days ago, not yet told: Right 6 overdue, and on the queue.
            let arrest = CalendarDay(Date().addingTimeInterval(-10 * 86_400)).description
            let posted = try await app.post(
                "/victims/cases/\(id)/events", ["kind": "arrest", "occurredOn": arrest, "occurredAt": "10:00"],
                as: worker)
            #expect(posted.status == .seeOther)
            page = try await app.get("/victims/cases/\(id)?purpose=case-work", as: worker)
            html = page.body.string
            #expect(html.contains("Suspect arrested") && html.contains("Overdue by"))
            let queue = try await app.get("/victims", as: worker)
            #expect(queue.body.string.contains("Suspect arrested") && queue.body.string.contains("V\(id)"))
            #expect(queue.body.string.contains("1 clock overdue; 0 clocks due today or tomorrow."))
            // First contact is due in five working days: not on the queue yet.
            #expect(!queue.body.string.contains("<td>First contact</td>"))
            // Told now: missed (late), and off the queue.
            let event = try await app.scalar("SELECT MIN(id) AS n FROM victim_case_events")
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM victim_clocks WHERE event_id = \(event) AND state = 'running'") == 1)
            let told = try await app.post("/victims/cases/\(id)/events/\(event)/informed", [:], as: worker)
            #expect(told.status == .seeOther)
            // The stored result stopped with it (the compliance report counts it missed).
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM victim_clocks WHERE event_id = \(event) AND state = 'missed'") == 1)
            #expect(
                try await app.post("/victims/cases/\(id)/events/\(event)/informed", [:], as: worker).status == .notFound
            )
            page = try await app.get("/victims/cases/\(id)?purpose=case-work", as: worker)
            #expect(page.body.string.components(separatedBy: "Missed by").count - 1 == 2)
            #expect(!(try await app.get("/victims", as: worker)).body.string.contains("Suspect arrested"))
            // Received a fortnight ago (the clocks dated again, as after a change of rules): first
            // contact is overdue and queued; contact made takes it off.
            let fortnight = Date().addingTimeInterval(-14 * 86_400).stored
            try await app.db.sql.raw(
                "UPDATE victim_cases SET received_at = \(bind: fortnight) WHERE id = \(bind: id)"
            ).run()
            #expect(try await VictimStore(cipher: nil, audit: AuditLog()).recomputeClocks(on: app.db) == 1)
            var list = try await app.get("/victims", as: worker).body.string
            #expect(list.contains("<td>First contact</td>") && list.contains("1 clock overdue"))
            #expect(
                try await app.post(
                    "/victims/cases/\(id)/contacts", ["channel": "phone", "outcome": "made-contact", "note": ""],
                    as: worker
                ).status == .seeOther)
            list = try await app.get("/victims", as: worker).body.string
            #expect(list.contains("0 clocks overdue") && !list.contains("<td>First contact</td>"))
            #expect(!page.body.string.contains("Told the victim now"))
            // A future event, a bad date, another organisation's case: refused.
            let future = CalendarDay(Date().addingTimeInterval(5 * 86_400)).description
            #expect(
                try await app.post("/victims/cases/\(id)/events", ["kind": "arrest", "occurredOn": future], as: worker)
                    .status == .unprocessableEntity)
            #expect(
                try await app.post(
                    "/victims/cases/\(id)/events", ["kind": "coronation", "occurredOn": arrest], as: worker
                )
                .status == .unprocessableEntity)
            #expect(
                try await app.post(
                    "/victims/cases/999999/events", ["kind": "arrest", "occurredOn": arrest], as: worker
                )
                .status == .notFound)
        }
    }

    @Test("the OPCC's compliance report: shares met by right and quarter, small counts suppressed, no case named")
    func compliance() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "pc@police.example", role: .partnerAdmin, organisation: "Constabulary", kind: .police)
            try await app.makeUser(
                "worker@care.example", role: .partnerUser, organisation: "Victim Care", kind: .victimService)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff, organisation: "OPCC", kind: .opcc)
            let token = try await APITests().makeToken(app, as: try await app.signIn("pc@police.example"))
            let tests = VictimTests()
            let today = CalendarDay(Date()).description
            let drafts = (1...9).map { n -> ReferralDraft in
                var d = tests.draft(n)
                d.reportedOn = today
                return d
            }
            #expect(
                try await tests.call(app, "/api/v1/victim-referrals", token: token, json: tests.json(drafts)).status
                    == .created)
            // Six contacted at once, three not yet (their first-contact clocks still running).
            try await app.db.sql.raw(
                """
                INSERT INTO victim_contacts (case_id, contacted_at, channel, outcome, note_sealed)
                SELECT id, received_at, 'phone', 'made-contact', '' FROM victim_cases WHERE id <= (SELECT MIN(id) + 5 FROM victim_cases)
                """
            ).run()
            // Written straight into the table, as the demo does: the clocks are dated again.
            try await VictimStore(cipher: nil, audit: AuditLog()).recomputeClocks(on: app.db)
            let analyst = try await app.signIn("analyst@opcc.example")
            var page = try await app.get("/victims/compliance", as: analyst)
            var html = page.body.string
            #expect(page.status == .ok, "\(page.status)")
            // Right 4: nine referrals received the day they were reported: 9 of 9.
            #expect(html.contains("Right 4: Referral to services that support victims"))
            #expect(html.contains("<td>9</td><td>9</td><td>0</td><td>0</td><td>100%</td>"))
            // First contact: six met; the three still within their limit are not judged yet.
            #expect(html.contains("<td>6</td><td>6</td><td>0</td><td>0</td><td>100%</td>"))
            #expect(!html.contains("Quillfeather") && !html.contains("V1<") && !html.contains("36/1000"))
            // By rights: all standard. A group of fewer than five shows only "fewer than 5".
            page = try await app.get("/victims/compliance?by=rights", as: analyst)
            #expect(page.body.string.contains("Standard rights"))
            try await app.db.sql.raw(
                "UPDATE victim_cases SET crime_type = 'theft' WHERE id <= (SELECT MIN(id) + 2 FROM victim_cases)"
            ).run()
            page = try await app.get("/victims/compliance?by=crime-type", as: analyst)
            html = page.body.string
            #expect(html.contains("Theft") && html.contains("fewer than 5"))
            let csv = try await app.get("/victims/compliance.csv?by=all", as: analyst)
            #expect(
                csv.status == .ok
                    && csv.body.string.hasPrefix("quarter,right,group,judged,met,missed,overdue,share_met"))
            #expect(try await app.get("/victims/compliance?by=nonsense", as: analyst).status == .badRequest)
            // Not for a victim service's people or a partner: figures are the OPCC's.
            #expect(
                try await app.get("/victims/compliance", as: try await app.signIn("worker@care.example")).status
                    == .forbidden)
        }
    }
}
