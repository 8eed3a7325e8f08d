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
    ///
    /// One transaction (or the caller's): a fingerprint stored without its clocks' rows would
    /// let the next run skip the case for good.
    @discardableResult
    func recomputeClocks(_ ids: [Int]? = nil, on db: any Database) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        return try await db.transaction { tx in
            guard let ids, ids.count > 2_000 else { return try await recompute(ids, on: tx) }
            var n = 0
            for chunk in ids.chunks(of: 2_000) { n += try await recompute(Array(chunk), on: tx) }
            return n
        }
    }

    private func recompute(_ ids: [Int]?, on db: any Database) async throws -> Int {
        let rules = try await rules(on: db)
        let days = try await workingDays(on: db)
        // The report judges the clocks as they stand; `now` only splits running ones into due
        // and overdue, which the stored due day answers at any later time.
        let now = now()
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
        // Each window of cases is read as one text and worked out on another core while the
        // next window is read: a case's clocks depend on nothing outside it.
        var found = ClockWork()
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount)
        try await withThrowingTaskGroup(of: ClockWork.self) { group in
            var pending = 0
            for window in try await caseWindows(ids, on: db) {
                let lines = try await packedCases(window, on: db)
                if pending >= width, let done = try await group.next() {
                    found.add(done)
                    pending -= 1
                }
                group.addTask { try ClockWork(lines, rules: rules, days: days, now: now) }
                pending += 1
            }
            for try await done in group { found.add(done) }
        }
        let (caseDue, eventDue, results, changed) = (found.caseDue, found.eventDue, found.results, found.changed)
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
