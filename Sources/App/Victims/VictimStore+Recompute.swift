import CrimeData
import Fluent
import Foundation
import SQLKit

/// Working the clocks out again: each case's first contact, running clocks' due days and every
/// clock's stored result, written only where they changed.
extension VictimStore {
    /// Stores, for the cases `ids` (every case when nil), when first contact was made, when
    /// each running clock falls due, and every clock's result (`victim_clocks`: met, missed,
    /// running with its due day, or not applicable; the compliance report counts them), by
    /// the rules in force when each clock started: run after every change to a case's
    /// contacts or events, and for every case when the rules or the bank holidays change
    /// (`saferstreets victims recompute-clocks`). Every case's clocks are worked out; only
    /// the cases whose clocks came out different from last time (a fingerprint of them is
    /// kept on the case, `clocks_hash`) are written. Returns the running clocks dated.
    @discardableResult
    func recomputeClocks(_ ids: [Int]? = nil, on db: any Database) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        if let ids, ids.count > 2_000 {
            var n = 0
            for chunk in ids.chunks(of: 2_000) { n += try await recomputeClocks(Array(chunk), on: db) }
            return n
        }
        let inForce = RulesByDay(try await rules(on: db))
        let days = try await workingDays(on: db)
        let chosen: SQLQueryString = ids.map { "id IN (\(binds: $0))" } ?? "1 = 1"
        let chosenContacts: SQLQueryString = ids.map { "case_id IN (\(binds: $0))" } ?? "1 = 1"
        // First contact: only the cases where it changed are written (contacts are only ever
        // added, so it is set or moves earlier).
        try await db.sql.raw(
            """
            UPDATE victim_cases SET first_contact_at = f.first FROM (
              SELECT case_id, MIN(contacted_at) AS first FROM victim_contacts
              WHERE outcome IN ('made-contact', 'declined-support') AND \(chosenContacts) GROUP BY case_id) AS f
            WHERE f.case_id = victim_cases.id AND victim_cases.first_contact_at IS DISTINCT FROM f.first
            """
        ).run()
        let eventFilter: SQLQueryString = ids.map { "e.case_id IN (\(binds: $0))" } ?? "1 = 1"
        let events = try await eventsByCase("victim_case_events e WHERE \(eventFilter)", on: db)
        var caseDue: [(Int, String?)] = []
        var eventDue: [(Int, String?)] = []
        var results: [StoredClock] = []
        var changed: [(Int, String?)] = []
        // The report judges the clocks as they stand; `now` only splits running ones into due
        // and overdue, which the stored due day answers at any later time.
        let now = now()
        // A case's fields packed into one text column: SQLKit's decoder costs per column, and
        // decoding nine columns of 100,000 cases was the largest part of a full run. None of
        // them can hold a "|" (codes, days, times, a number); a row that does is refused.
        for r in try await db.sql.raw(
            """
            SELECT id, source || '|' || reported_on || '|' || received_at || '|' || enhanced || '|' || status || '|'
              || COALESCE(first_contact_at, '') || '|' || first_contact_na || '|' || clocks_hash AS packed
            FROM victim_cases WHERE status <> 'duplicate' AND \(chosen)
            """
        ).all() {
            let id = try r.decode(column: "id", as: Int.self)
            // Split by bytes (splitting a String by Character was a sixth of the run).
            let f = try r.decode(column: "packed", as: String.self).utf8.split(
                separator: UInt8(ascii: "|"), omittingEmptySubsequences: false
            ).map { String(decoding: $0, as: UTF8.self) }
            guard f.count == 8 else {
                throw VictimStore.Failure.damaged("case V\(id): a stored field holds a \"|\"")
            }
            let (status, firstContact, storedHash) = (f[4], f[5].isEmpty ? nil : f[5], f[7])
            let clocks = Self.clocks(
                source: Victims.Source(rawValue: f[0]) ?? .agency, reportedOn: f[1], receivedAt: f[2],
                enhanced: !f[3].isEmpty, firstContact: firstContact, firstContactNA: f[6], events: events[id] ?? [],
                rules: { inForce($0) }, days: days, now: now)
            var firstDue: CalendarDay?
            var eventDues: [Int: CalendarDay] = [:]
            var stored: [StoredClock] = []
            var hash = StableHash()
            for k in clocks {
                let state: String
                switch k.result.state {
                case .met, .missed, .notApplicable: state = k.result.state.rawValue
                case .due, .overdue:
                    state = "running"
                    if let event = k.eventID {
                        eventDues[event] = min(eventDues[event] ?? k.result.due, k.result.due)
                    } else if k.rule.start == "referral-received" {
                        firstDue = min(firstDue ?? k.result.due, k.result.due)
                    }
                }
                let row = StoredClock(
                    caseID: id, ruleID: k.rule.id, eventID: k.eventID,
                    quarter: VictimCompliance.quarter(CalendarDay(k.start)), due: k.result.due.description,
                    state: state)
                for field in [String(row.ruleID), String(row.eventID ?? 0), row.quarter, row.due, row.state] {
                    hash.combine(field)
                }
                stored.append(row)
            }
            // The same clocks as last time: nothing to write.
            let fingerprint = String(hash.value)
            guard storedHash != fingerprint else { continue }
            changed.append((id, fingerprint))
            results += stored
            // The queue's due days: open cases only (the queue shows no other).
            guard status == "open" else { continue }
            if firstContact == nil {
                caseDue.append((id, firstDue?.description))
            }
            for e in events[id] ?? [] where e.informedAt == nil && e.notApplicable.isEmpty {
                eventDue.append((e.id, eventDues[e.id]?.description))
            }
        }
        try await setColumn("victim_cases", "first_contact_due", caseDue, on: db)
        try await setColumn("victim_case_events", "due_on", eventDue, on: db)
        try await setColumn("victim_cases", "clocks_hash", changed, on: db)
        for chunk in changed.map(\.0).chunks(of: 1_000) {
            try await db.sql.raw("DELETE FROM victim_clocks WHERE case_id IN (\(binds: Array(chunk)))").run()
        }
        // Written as literals: every value is a number, a day, a quarter or a state made here
        // (binding 1.4 million values was most of a full recompute's time).
        for chunk in results.chunks(of: 1_000) {
            let rows = chunk.map { k in
                "(\(k.caseID), \(k.ruleID), \(k.eventID.map(String.init) ?? "NULL"), '\(k.quarter)', '\(k.due)', '\(k.state)')"
            }.joined(separator: ", ")
            try await db.sql.raw(
                "INSERT INTO victim_clocks (case_id, rule_id, event_id, quarter, due_on, state) VALUES \(unsafeRaw: rows)"
            ).run()
        }
        return caseDue.count + eventDue.count
    }

    /// The rules in force on each day, found once per day: many cases start their clocks on
    /// the same day, and a run over every case asked again for each.
    final class RulesByDay {
        let rules: [VictimClock.Rule]
        private var found: [Int: [VictimClock.Rule]] = [:]

        init(_ rules: [VictimClock.Rule]) { self.rules = rules }

        func callAsFunction(_ day: CalendarDay) -> [VictimClock.Rule] {
            if let known = found[day.dayNumber] { return known }
            let inForce = VictimClock.inForce(rules, on: day)
            found[day.dayNumber] = inForce
            return inForce
        }
    }

    /// One clock's result as stored for the compliance report.
    struct StoredClock: Sendable {
        var caseID: Int
        var ruleID: Int
        var eventID: Int?
        var quarter: String
        var due: String
        var state: String
    }

    /// `table.column = value` for each (id, value), 400 rows a statement (UPDATE … FROM
    /// VALUES: SQLite 3.33 and PostgreSQL both name the columns column1, column2).
    fileprivate func setColumn(_ table: String, _ column: String, _ values: [(Int, String?)], on db: any Database)
        async throws
    {
        for chunk in values.chunks(of: 400) {
            let rows = chunk.map { v -> SQLQueryString in "(\(bind: v.0), \(bind: v.1 ?? ""))" }.joined(separator: ", ")
            try await db.sql.raw(
                """
                UPDATE \(unsafeRaw: table) SET \(unsafeRaw: column) = NULLIF(v.column2, '') FROM (VALUES \(rows)) AS v
                WHERE \(unsafeRaw: table).id = v.column1
                """
            ).run()
        }
    }
}
