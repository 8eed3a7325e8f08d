@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Needs against provision: the gap rules (pure), and the page for OPCC staff only, with
/// every count under 5 suppressed and its order among the suppressed saying nothing.
@Suite("victims: needs against provision")
struct VictimProvisionTests {
    @Test("the gaps: no service, 10% declined for no capacity, a median wait over 5 days; rates from 5 decided")
    func gaps() {
        typealias T = VictimStore.OnwardTally
        #expect(VictimController.gaps(T(), providers: 0, highNeed: 0, threshold: 5).isEmpty)
        #expect(
            VictimController.gaps(T(), providers: 0, highNeed: 5, threshold: 5) == [
                "No service commissioned, though high needs were assessed"
            ])
        #expect(VictimController.gaps(T(), providers: 0, highNeed: 4, threshold: 5).isEmpty)
        var t = T(referred: 10, accepted: 9, noCapacity: 1, waits: [1, 2, 3, 4, 9])
        #expect(
            VictimController.gaps(t, providers: 1, highNeed: 0, threshold: 5) == [
                "10% of decided referrals declined for no capacity"
            ])
        t.accepted = 10  // 1 in 11: under 10%
        #expect(VictimController.gaps(t, providers: 1, highNeed: 0, threshold: 5).isEmpty)
        t.waits = [6, 7, 1, 8, 9, 2]  // median 6.5
        #expect(
            VictimController.gaps(t, providers: 1, highNeed: 0, threshold: 5) == ["Median wait for a decision 6.5 days"]
        )
        // Four decided: too few to judge a rate.
        #expect(
            VictimController.gaps(
                T(referred: 4, noCapacity: 4, waits: [9, 9, 9, 9]), providers: 1, highNeed: 0, threshold: 5
            )
            .isEmpty)
        #expect(VictimController.median([3, 1, 2]) == 2 && VictimController.median([]) == nil)
        // With a part of the row suppressed, the share is not given.
        #expect(
            VictimController.gaps(
                T(referred: 10, accepted: 7, noCapacity: 3), providers: 1, highNeed: 0, threshold: 5, exactShare: false)
                == ["10% or more of decided referrals declined for no capacity"])
        // Secondary suppression: one hidden count takes the smallest shown one with it.
        let s = Suppression(threshold: 5)
        #expect(VictimController.tableTexts([20, 7, 3, 9], s) == ["20", "withheld", "fewer than 5", "9"])
        #expect(VictimController.tableTexts([20, 7, 3, 2], s) == ["20", "7", "fewer than 5", "fewer than 5"])
        #expect(VictimController.tableTexts([20, 7, 0], s) == ["20", "7", "0"])
    }

    @Test("the page: OPCC staff only; counts under 5 suppressed; erased cases still counted")
    func page() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            let drafts = (1...7).map { tests.draft($0) } + (8...10).map { tests.draft($0, crime: "theft") }
            #expect(
                try await tests.call(app, "/api/v1/victim-referrals", token: token, json: tests.json(drafts)).status
                    == .created)
            let analyst = try await app.signIn("analyst@opcc.example")
            var page = try await app.get("/victims/provision", as: analyst)
            #expect(page.status == .ok)
            let body = page.body.string
            #expect(body.contains("10 referrals to victim services"))
            #expect(body.contains("<th scope=\"row\">Theft</th><td class=\"numeric\">fewer than 5</td>"))
            // Burglary (7) is the only other row: withheld, or 10 − 7 would give theft's 3 away.
            #expect(body.contains("<th scope=\"row\">Burglary</th><td class=\"numeric\">withheld</td>"))
            #expect(!body.contains("<td class=\"numeric\">3</td>"))
            #expect(body.contains("Mental health support"))
            // The victim service's people and other partners see none of it.
            #expect(
                try await app.get("/victims/provision", as: try await app.signIn("worker@care.example")).status
                    == .forbidden)
            // Erased cases still count (their kept tallies).
            let worker = try await app.signIn("worker@care.example")
            let first = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            _ = try await app.post("/victims/cases/\(first)/close", ["reason": "support-completed"], as: worker)
            try await app.db.sql.raw(
                "UPDATE victim_cases SET closed_at = '2019-06-01T09:00:00Z' WHERE id = \(bind: first)"
            )
            .run()
            #expect(try await VictimStore(cipher: nil, audit: AuditLog()).eraseDue(on: app.db) == 1)
            page = try await app.get("/victims/provision", as: analyst)
            #expect(page.body.string.contains("10 referrals to victim services"))
            #expect(page.body.string.contains("<th scope=\"row\">Burglary</th><td class=\"numeric\">withheld</td>"))
        }
    }

    @Test("the compliance report for one quarter is the whole report's rows for that quarter, split by split")
    func quarterly() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            let drafts = (1...40).map { tests.draft($0, crime: $0 % 3 == 0 ? "theft" : "burglary") }
            #expect(
                try await tests.call(app, "/api/v1/victim-referrals", token: token, json: tests.json(drafts)).status
                    == .created)
            // Spread over 2025 and 2026: reported a day before receipt, some received at a
            // quarter's edge late in the UTC evening (the next day in BST), contacts a few
            // days later, events in the next quarter for some.
            let first = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            for id in first..<(first + 40) {
                let (m, d) = (1 + id % 12, 1 + id % 27)
                let received = id % 5 == 0 ? "2025-06-30T23:30:00Z" : "2025-\(two(m))-\(two(d))T10:00:00Z"
                try await app.db.sql.raw(
                    """
                    UPDATE victim_cases SET received_at = \(bind: received),
                      reported_on = \(bind: String(received.prefix(10))), first_contact_at = NULL WHERE id = \(bind: id)
                    """
                ).run()
                if id % 5 != 0 && id % 7 != 0 {
                    try await app.db.sql.raw(
                        """
                        INSERT INTO victim_contacts (case_id, contacted_at, channel, outcome, note_sealed)
                        VALUES (\(bind: id), \(bind: "2025-\(two(m))-\(two(d + id % 4))T10:00:00Z"), 'phone', 'made-contact', '')
                        """
                    ).run()
                }
                if id % 3 == 0 {
                    try await app.db.sql.raw(
                        """
                        INSERT INTO victim_case_events (case_id, kind, occurred_at, informed_at, recorded_at)
                        VALUES (\(bind: id), 'arrest', \(bind: "2025-\(two(m))-28T09:00:00Z"),
                          \(bind: id % 2 == 0 ? nil : "2025-\(two(m))-28T15:00:00Z"), \(bind: received))
                        """
                    ).run()
                }
            }
            // Some clocks marked not applicable: a first contact and some events.
            try await app.db.sql.raw(
                "UPDATE victim_cases SET first_contact_na = 'opted-out' WHERE id IN (\(bind: first + 6), \(bind: first + 13))"
            ).run()
            try await app.db.sql.raw(
                "UPDATE victim_case_events SET not_applicable = 'another-agency' WHERE case_id % 4 = 0"
            ).run()
            let store = VictimStore(cipher: nil, audit: AuditLog())
            try await store.recomputeClocks(on: app.db)
            let now = Date()
            for split in VictimCompliance.Split.allCases {
                let all = try await VictimCompliance.build(split: split, now: now, store: store, on: app.db).tallies
                // The stored results tally as every clock judged afresh from the records.
                let judged = try await Self.judged(split, now: now, store: store, on: app.db)
                #expect(all == judged, "\(split)")
                #expect(all.values.contains { $0.met > 0 } && all.values.contains { $0.missed + $0.overdue > 0 })
                let quarters = Set(all.keys.map(\.quarter))
                #expect(quarters.count >= 4)
                #expect(quarters.contains("2025 Q3"))  // 30 June 23:30 UTC is 1 July in the UK
                for name in quarters {
                    let q = try #require(VictimCompliance.Quarter(name))
                    let one = try await VictimCompliance.build(
                        split: split, quarter: q, now: now, store: store, on: app.db
                    ).tallies
                    #expect(one == all.filter { $0.key.quarter == name }, "\(split) \(name)")
                }
            }
            // Bank holidays added through May 2025: the clocks that span them fall due later;
            // working them out again rewrites those cases' stored results (the fingerprint
            // changed) and the report is again every clock judged afresh.
            let before = try await Self.stored(app.db)
            #expect(before == (try await Self.live(now: now, store: store, on: app.db)))
            for day in 1...31 {
                try await app.db.sql.raw(
                    """
                    INSERT INTO extra_bank_holidays (day, name, added_at) VALUES (\(bind: "2025-05-\(two(day))"),
                      'test', '2026-01-01T00:00:00Z')
                    """
                ).run()
            }
            try await store.recomputeClocks(on: app.db)
            let after = try await Self.stored(app.db)
            #expect(after != before)
            #expect(after == (try await Self.live(now: now, store: store, on: app.db)))
            #expect(
                try await VictimCompliance.build(split: .all, now: now, store: store, on: app.db).tallies
                    == (try await Self.judged(.all, now: now, store: store, on: app.db)))
            let analyst = try await app.signIn("analyst@opcc.example")
            var page = try await app.get("/victims/compliance?quarter=2025-Q3", as: analyst)
            #expect(
                page.status == .ok && page.body.string.contains("2025 Q3")
                    && !page.body.string.contains("<td>2025 Q1</td>"))
            page = try await app.get("/victims/compliance?quarter=2025-Q9", as: analyst)
            #expect(page.status == .badRequest)
            #expect(try await app.get("/victims/compliance.csv?quarter=2025-Q2", as: analyst).status == .ok)
        }
    }

    /// Every stored clock result as `case rule event quarter due state`.
    static func stored(_ db: any Database) async throws -> Set<String> {
        struct Row: Decodable { var caseId: Int; var ruleId: Int; var eventId: Int?; var quarter, dueOn, state: String }
        return Set(
            try await db.sql.raw("SELECT case_id, rule_id, event_id, quarter, due_on, state FROM victim_clocks").rows(
                Row.self
            ).map { "\($0.caseId) \($0.ruleId) \($0.eventId ?? 0) \($0.quarter) \($0.dueOn) \($0.state)" })
    }

    /// The same, every clock judged afresh from the records.
    static func live(now: Date, store: VictimStore, on db: any Database) async throws -> Set<String> {
        var out = Set<String>()
        for c in try await VictimCompliance.caseClocks("c.status <> 'duplicate'", now: now, store: store, on: db) {
            for k in c.clocks {
                let state =
                    switch k.result.state {
                    case .due, .overdue: "running"
                    default: k.result.state.rawValue
                    }
                out.insert(
                    "\(c.id) \(k.rule.id) \(k.eventID ?? 0) \(VictimCompliance.quarter(CalendarDay(k.start))) \(k.result.due) \(state)"
                )
            }
        }
        return out
    }

    /// The report as every clock judged afresh from the records (what the stored results must
    /// add up to).
    static func judged(_ split: VictimCompliance.Split, now: Date, store: VictimStore, on db: any Database)
        async throws -> [VictimCompliance.Key: VictimCompliance.Tally]
    {
        var judged: [VictimCompliance.Key: VictimCompliance.Tally] = [:]
        for c in try await VictimCompliance.caseClocks("c.status <> 'duplicate'", now: now, store: store, on: db) {
            let group = VictimCompliance.group(
                split, crimeType: c.crimeType, enhanced: c.enhanced, organisation: c.organisationName)
            for k in c.clocks {
                let key = VictimCompliance.Key(
                    quarter: VictimCompliance.quarter(CalendarDay(k.start)), right: "\(k.rule.right): \(k.rule.title)",
                    group: group)
                switch k.result.state {
                case .met: judged[key, default: .init()].met += 1
                case .missed: judged[key, default: .init()].missed += 1
                case .overdue: judged[key, default: .init()].overdue += 1
                case .due, .notApplicable: break
                }
            }
        }
        return judged
    }
}
