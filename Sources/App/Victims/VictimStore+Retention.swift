import Fluent
import Foundation
import SQLKit

/// Retention: closed cases are erased when the schedule says (months after closing, by how
/// the case closed), by a daily job or the command line. What an erased case added to the
/// aggregates is kept (its clocks in `victim_erased_tallies`, the case in
/// `victim_erased_counts`), the erasure is logged without naming anyone, and nothing else of
/// the case is left: its details, contacts, events, assessments, onward referrals and the
/// duplicate referrals linked to it go in one transaction.
extension VictimStore {
    /// A line of the retention schedule.
    struct RetentionRule: Decodable, Sendable, Equatable {
        var recordType: String
        var months: Int
        var basis: String
        var updatedAt: String
    }

    /// The kinds of closed case the schedule covers: cases closed because the victim declined
    /// or could not be reached, and every other closed case.
    static let withoutSupport = [Victims.Closure.declined.rawValue, Victims.Closure.noContact.rawValue]
    static let retentionMonths = 1...1_200

    func retentionRules(on db: any Database) async throws -> [RetentionRule] {
        try await db.sql.raw(
            "SELECT record_type, months, basis, updated_at FROM victim_retention_rules ORDER BY record_type"
        ).rows(RetentionRule.self)
    }

    /// Changes how many months a kind of record is kept (1 to 1,200); false if there is no
    /// such line. Audited.
    func setRetention(_ recordType: String, months: Int, by user: CurrentUser, on db: any Database) async throws
        -> Bool
    {
        guard Self.retentionMonths.contains(months) else { return false }
        return try await db.transaction { tx -> Bool in
            guard
                let before = try await retentionRules(on: tx).first(where: { $0.recordType == recordType })
            else { return false }
            try await tx.sql.raw(
                """
                UPDATE victim_retention_rules SET months = \(bind: months), updated_at = \(bind: now().stored),
                  updated_by = \(bind: user.id) WHERE record_type = \(bind: recordType)
                """
            ).run()
            try await audit.record(
                "retention", entity: "victim_retention_rules", id: recordType, before: ["months": before.months],
                after: ["months": months], by: user, on: tx)
            return true
        }
    }

    /// A closed case past its date, with the line of the schedule that made it due.
    struct DueCase: Sendable, Equatable {
        var id: Int
        var holder: Int
        var rule: String
    }

    /// The condition on `victim_cases` that a closed case is past its retention date now
    /// (by the schedule line for how it closed), for the holder or every organisation.
    private func pastRetention(now: Date, holder: Int?, on db: any Database) async throws -> SQLQueryString {
        let rules = Dictionary(
            try await retentionRules(on: db).map { ($0.recordType, $0.months) }, uniquingKeysWith: { a, _ in a })
        let stamp = now.stored
        func cutoff(_ type: String) -> String { Self.monthsBefore(stamp, months: rules[type] ?? 72) }
        let byHolder: SQLQueryString = holder.map { "AND organisation_id = \(bind: $0)" } ?? ""
        return """
            status = 'closed' \(byHolder) AND (
              (closure_reason IN (\(binds: Self.withoutSupport)) AND closed_at < \(bind: cutoff("closed-without-support")))
              OR (closure_reason NOT IN (\(binds: Self.withoutSupport)) AND closed_at < \(bind: cutoff("closed-case"))))
            """
    }

    /// Closed cases past their retention date, oldest closure first (at most `limit`).
    func dueForErasure(now: Date, holder: Int? = nil, limit: Int, on db: any Database) async throws -> [DueCase] {
        struct Row: Decodable { var id: Int; var organisationId: Int; var closureReason: String }
        return try await db.sql.raw(
            """
            SELECT id, organisation_id, closure_reason FROM victim_cases
            WHERE \(try await pastRetention(now: now, holder: holder, on: db)) ORDER BY closed_at, id LIMIT \(bind: limit)
            """
        ).rows(Row.self).map {
            DueCase(
                id: $0.id, holder: $0.organisationId,
                rule: Self.withoutSupport.contains($0.closureReason) ? "closed-without-support" : "closed-case")
        }
    }

    /// How many closed cases are past their retention date (counted, not read).
    func countDueForErasure(now: Date, holder: Int? = nil, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw(
            """
            SELECT COUNT(*) AS n FROM victim_cases WHERE \(try await pastRetention(now: now, holder: holder, on: db))
            """
        ).row(Row.self)?.n ?? 0
    }

    /// The stored time `months` calendar months before `stamp` (`YYYY-MM-DDTHH:MM:SSZ`), on
    /// the same day of the month or that month's last day: 31 August less 6 months is 28 or
    /// 29 February.
    static func monthsBefore(_ stamp: String, months: Int) -> String {
        let digits = Array(stamp.utf8)
        func number(_ from: Int, _ count: Int) -> Int {
            digits.dropFirst(from).prefix(count).reduce(0) { $0 * 10 + Int($1 &- 48) }
        }
        guard digits.count >= 10 else { return stamp }
        let total = number(0, 4) * 12 + number(5, 2) - 1 - months
        let year = total.floorDivided(by: 12), month = total - year * 12 + 1
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let day = CalendarDay(unchecked: year, month: month, day: min(number(8, 2), lengths[month - 1]))
        return day.description + String(decoding: digits.dropFirst(10), as: UTF8.self)
    }

    /// Erases the cases (and the duplicate referrals linked to them) in one transaction,
    /// keeping their share of the aggregates and a line each in the erasure log. `reason`
    /// says why ("retention" for the schedule). Returns how many cases went, duplicates
    /// included.
    func erase(_ due: [DueCase], reason: String, by user: CurrentUser?, on db: any Database) async throws -> Int {
        guard !due.isEmpty else { return 0 }
        let at = now()
        return try await db.transaction { tx -> Int in
            let ids = due.map(\.id)
            struct Dup: Decodable { var id: Int; var duplicateOf: Int; var organisationId: Int }
            let dups = try await tx.sql.raw(
                "SELECT id, duplicate_of, organisation_id FROM victim_cases WHERE duplicate_of IN (\(binds: ids))"
            ).rows(Dup.self)
            let all = ids + dups.map(\.id)

            // The clocks, judged now, into the kept tallies.
            struct TallyKey: Hashable {
                var org: Int; var quarter: String; var rule: Int; var crime: String; var enhanced: Int
            }
            var tallies: [TallyKey: VictimCompliance.Tally] = [:]
            for c in try await VictimCompliance.caseClocks("c.id IN (\(binds: ids))", now: at, store: self, on: tx) {
                for k in c.clocks {
                    let key = TallyKey(
                        org: c.organisationID, quarter: VictimCompliance.quarter(CalendarDay(k.start)), rule: k.rule.id,
                        crime: c.crimeType, enhanced: c.enhanced ? 1 : 0)
                    switch k.result.state {
                    case .met: tallies[key, default: .init()].met += 1
                    case .missed: tallies[key, default: .init()].missed += 1
                    case .overdue: tallies[key, default: .init()].overdue += 1
                    case .due, .notApplicable: break
                    }
                }
            }
            for (k, t) in tallies {
                try await tx.sql.raw(
                    """
                    INSERT INTO victim_erased_tallies (organisation_id, quarter, rule_id, crime_type, enhanced, met, missed, overdue)
                    VALUES (\(bind: k.org), \(bind: k.quarter), \(bind: k.rule), \(bind: k.crime), \(bind: k.enhanced),
                      \(bind: t.met), \(bind: t.missed), \(bind: t.overdue))
                    ON CONFLICT (organisation_id, quarter, rule_id, crime_type, enhanced) DO UPDATE SET
                      met = victim_erased_tallies.met + excluded.met, missed = victim_erased_tallies.missed + excluded.missed,
                      overdue = victim_erased_tallies.overdue + excluded.overdue
                    """
                ).run()
            }
            // The cases themselves into the kept counts (duplicates are not cases).
            try await tx.sql.raw(
                """
                INSERT INTO victim_erased_counts (organisation_id, month, crime_type, local_authority, age_band, enhanced,
                  source, cases)
                SELECT organisation_id, SUBSTR(received_at, 1, 7), crime_type, local_authority, age_band,
                  CASE WHEN enhanced = '' THEN 0 ELSE 1 END, source, COUNT(*) FROM victim_cases WHERE id IN (\(binds: ids))
                GROUP BY organisation_id, SUBSTR(received_at, 1, 7), crime_type, local_authority, age_band,
                  CASE WHEN enhanced = '' THEN 0 ELSE 1 END, source
                ON CONFLICT (organisation_id, month, crime_type, local_authority, age_band, enhanced, source)
                  DO UPDATE SET cases = victim_erased_counts.cases + excluded.cases
                """
            ).run()

            // How many records each case had, then the records.
            var records = Dictionary(all.map { ($0, 1) }, uniquingKeysWith: +)
            records.merge(try await eraseJourneys(ofCases: all, on: tx), uniquingKeysWith: +)
            struct Count: Decodable { var caseId: Int; var n: Int }
            for table in [
                "victim_contacts", "victim_case_events", "victim_assessments", "victim_onward_referrals",
                "victim_rectifications",
            ] {
                for r in try await tx.sql.raw(
                    """
                    SELECT case_id, COUNT(*) AS n FROM \(unsafeRaw: table) WHERE case_id IN (\(binds: all)) GROUP BY case_id
                    """
                ).rows(Count.self) {
                    records[r.caseId, default: 1] += r.n
                }
                try await tx.sql.raw("DELETE FROM \(unsafeRaw: table) WHERE case_id IN (\(binds: all))").run()
            }
            // Derived from the records (`recomputeClocks`), not a record of its own.
            try await tx.sql.raw("DELETE FROM victim_clocks WHERE case_id IN (\(binds: all))").run()
            if !dups.isEmpty {
                try await tx.sql.raw("DELETE FROM victim_cases WHERE id IN (\(binds: dups.map(\.id)))").run()
            }
            try await tx.sql.raw("DELETE FROM victim_cases WHERE id IN (\(binds: ids))").run()

            // The log: one line per case, naming no one.
            let who = user?.name ?? "the daily retention job"
            for d in due {
                try await logErasure(
                    case: d.id, holder: d.holder, at: at, reason: reason, rule: d.rule, records: records[d.id] ?? 1,
                    user: user, name: who, on: tx)
            }
            for d in dups {
                try await logErasure(
                    case: d.id, holder: d.organisationId, at: at,
                    reason: "duplicate of V\(d.duplicateOf), erased with it",
                    rule: due.first { $0.id == d.duplicateOf }?.rule ?? "", records: records[d.id] ?? 1, user: user,
                    name: who, on: tx)
            }
            try await audit.record(
                "erase", entity: "victim_cases", id: reason, before: nil as String?,
                after: ["cases": String(all.count)], by: user, on: tx)
            return all.count
        }
    }

    private func logErasure(
        case id: Int, holder: Int, at: Date, reason: String, rule: String, records: Int, user: CurrentUser?,
        name: String, on db: any Database
    ) async throws {
        try await db.sql.raw(
            """
            INSERT INTO victim_erasures (case_id, holder_id, erased_at, reason, rule, records, user_id, user_name)
            VALUES (\(bind: id), \(bind: holder), \(bind: at.stored), \(bind: reason), \(bind: rule), \(bind: records),
              \(bind: user?.id), \(bind: name))
            """
        ).run()
    }

    /// Erases every case past its date, 500 at a time (each batch all or nothing). Returns how
    /// many cases went.
    func eraseDue(on db: any Database) async throws -> Int {
        var total = 0
        while true {
            let due = try await dueForErasure(now: now(), limit: 500, on: db)
            if due.isEmpty { return total + (try await eraseDueJourneys(by: nil, on: db)) }
            total += try await erase(due, reason: "retention", by: nil, on: db)
        }
    }

    // MARK: What is left

    /// A line of the erasure log.
    struct Erasure: Decodable, Sendable {
        var id: Int
        var caseId: Int
        var erasedAt: String
        var reason: String
        var rule: String
        var records: Int
        var userName: String
    }

    func erasures(holder: Int, limit: Int, on db: any Database) async throws -> [Erasure] {
        try await db.sql.raw(
            """
            SELECT id, case_id, erased_at, reason, rule, records, user_name FROM victim_erasures
            WHERE holder_id = \(bind: holder) ORDER BY id DESC LIMIT \(bind: limit)
            """
        ).rows(Erasure.self)
    }

    func erasedCases(holder: Int, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw(
            "SELECT CAST(COALESCE(SUM(cases), 0) AS BIGINT) AS n FROM victim_erased_counts WHERE organisation_id = \(bind: holder)"
        ).row(Row.self)?.n ?? 0
    }

    /// The kept clock tallies of erased cases, with their rule and organisation.
    struct ErasedTally: Decodable, Sendable {
        var quarter: String
        var rightName: String
        var title: String
        var crimeType: String
        var enhanced: Int
        var organisationName: String
        var met: Int
        var missed: Int
        var overdue: Int
    }

    func erasedTallies(on db: any Database) async throws -> [ErasedTally] {
        try await db.sql.raw(
            """
            SELECT t.quarter, r.right_name, r.title, t.crime_type, t.enhanced, o.name AS organisation_name, t.met, t.missed,
              t.overdue
            FROM victim_erased_tallies t JOIN victim_code_rules r ON r.id = t.rule_id
            JOIN organisations o ON o.id = t.organisation_id
            """
        ).rows(ErasedTally.self)
    }
}
