import Fluent
import Foundation
import SQLKit

/// The Victims' Code compliance report the PCC keeps under review (Victims and Prisoners Act
/// 2024): for each right and quarter, how many clocks ended, how many were met on time, and
/// how many are overdue, by crime type, by enhanced or standard rights, and by organisation.
/// Aggregates only: no case number or person; counts under the threshold are suppressed by
/// the page.
struct VictimCompliance: Sendable {
    struct Key: Hashable, Sendable, Comparable {
        var quarter: String
        var right: String
        var group: String

        static func < (a: Key, b: Key) -> Bool { (a.quarter, a.right, a.group) < (b.quarter, b.right, b.group) }
    }

    struct Tally: Sendable, Equatable {
        var met = 0
        var missed = 0
        var overdue = 0
        /// Ended (met or missed) plus overdue: the clocks judged.
        var judged: Int { met + missed + overdue }
    }

    /// By quarter and right, split by `groups` ("All", a crime type, "Enhanced"/"Standard",
    /// an organisation).
    var tallies: [Key: Tally] = [:]

    enum Split: String, CaseIterable, Sendable {
        case all, crimeType = "crime-type", rights, organisation

        var label: String {
            switch self {
            case .all: "All cases"
            case .crimeType: "By crime type"
            case .rights: "Enhanced or standard rights"
            case .organisation: "By organisation"
            }
        }
    }

    /// `2026 Q3` for a day in July to September.
    static func quarter(_ day: CalendarDay) -> String { "\(day.year) Q\((day.month - 1) / 3 + 1)" }

    /// A quarter as the report names it (`2026 Q3`) and in a link (`2026-Q3`), with its days.
    struct Quarter: Sendable, Equatable {
        var year: Int
        var number: Int

        init?(_ text: String) {
            let parts = text.replacingOccurrences(of: " ", with: "-").split(separator: "-")
            guard parts.count == 2, parts[0].count == 4, let y = Int(parts[0]), y >= 1900, y <= 9999,
                parts[1].count == 2, parts[1].first == "Q", let q = Int(parts[1].dropFirst()), (1...4).contains(q)
            else { return nil }
            (year, number) = (y, q)
        }

        init(_ day: CalendarDay) { (year, number) = (day.year, (day.month - 1) / 3 + 1) }

        var name: String { "\(year) Q\(number)" }
        var slug: String { "\(year)-Q\(number)" }
        var first: CalendarDay { CalendarDay(unchecked: year, month: number * 3 - 2, day: 1) }
        var next: Quarter {
            var q = self
            (q.year, q.number) = number == 4 ? (year + 1, 1) : (year, number + 1)
            return q
        }
    }

    /// One case's clocks with what the report splits them by.
    struct CaseClocks: Sendable {
        var id: Int
        var organisationID: Int
        var organisationName: String
        var crimeType: String
        var enhanced: Bool
        var clocks: [VictimStore.Clock]
    }

    /// The clocks of the cases `filter` selects (a condition on `c`, the case; two set
    /// queries whatever the number of cases), each by the rules in force when it started.
    static func caseClocks(_ filter: SQLQueryString, now: Date, store: VictimStore, on db: any Database) async throws
        -> [CaseClocks]
    {
        let inForce = VictimStore.RulesByDay(try await store.rules(on: db))
        let days = try await store.workingDays(on: db)
        // Read by column (the row decoder's key conversion for 100,000 cases was most of the
        // report's time), with first contact as stored on the case (`recomputeClocks`).
        let events = try await store.eventsByCase(
            "victim_case_events e JOIN victim_cases c ON c.id = e.case_id WHERE \(filter)", on: db)
        let names = Dictionary(
            try await store.services(on: db).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var out: [CaseClocks] = []
        for c in try await db.sql.raw(
            """
            SELECT c.id, c.organisation_id, c.source, c.crime_type, c.reported_on, c.received_at, c.enhanced,
              c.first_contact_at, c.first_contact_na
            FROM victim_cases c WHERE \(filter)
            """
        ).all() {
            let id = try c.decode(column: "id", as: Int.self)
            let organisation = try c.decode(column: "organisation_id", as: Int.self)
            let enhanced = !(try c.decode(column: "enhanced", as: String.self)).isEmpty
            out.append(
                CaseClocks(
                    id: id, organisationID: organisation, organisationName: names[organisation] ?? "",
                    crimeType: try c.decode(column: "crime_type", as: String.self), enhanced: enhanced,
                    clocks: VictimStore.clocks(
                        source: Victims.Source(rawValue: try c.decode(column: "source", as: String.self)) ?? .agency,
                        reportedOn: try c.decode(column: "reported_on", as: String.self),
                        receivedAt: try c.decode(column: "received_at", as: String.self), enhanced: enhanced,
                        firstContact: try c.decode(column: "first_contact_at", as: String?.self),
                        firstContactNA: try c.decode(column: "first_contact_na", as: String.self),
                        events: events[id] ?? [], rules: { inForce($0) }, days: days, now: now)))
        }
        return out
    }

    /// The group a case falls in under `split`.
    static func group(_ split: Split, crimeType: String, enhanced: Bool, organisation: String) -> String {
        switch split {
        case .all: "All"
        case .crimeType: Victims.CrimeType(rawValue: crimeType)?.label ?? crimeType
        case .rights: enhanced ? "Enhanced rights" : "Standard rights"
        case .organisation: organisation
        }
    }

    /// Every case's clocks tallied by `split`, with the tallies kept from cases erased under
    /// the retention schedule (so erasing a case never changes a published quarter).
    /// With `quarter`, only the clocks that started in it. One grouped query over the stored
    /// results (`VictimStore.recomputeClocks` keeps them; a running clock is overdue once its
    /// stored due day is before today), so the work is the rows of the report, not a case's
    /// clocks judged again on every visit.
    static func build(split: Split, quarter only: Quarter? = nil, now: Date, store: VictimStore, on db: any Database)
        async throws -> VictimCompliance
    {
        var report = VictimCompliance()
        let today = CalendarDay(now).description
        let byQuarter: SQLQueryString = only.map { "AND k.quarter = \(bind: $0.name)" } ?? ""
        let column: SQLQueryString =
            switch split {
            case .all: "''"
            case .crimeType: "c.crime_type"
            case .rights: "CASE WHEN c.enhanced = '' THEN 'standard' ELSE 'enhanced' END"
            case .organisation: "CAST(c.organisation_id AS TEXT)"
            }
        // PostgreSQL refuses a constant in GROUP BY: "all" groups by nothing more.
        let groupBy: SQLQueryString = split == .all ? "" : ", \(column)"
        let names = Dictionary(
            try await store.services(on: db).map { (String($0.id), $0.name) }, uniquingKeysWith: { a, _ in a })
        for r in try await db.sql.raw(
            """
            SELECT k.quarter, r.right_name, r.title, \(column) AS split_value,
              CAST(SUM(CASE WHEN k.state = 'met' THEN 1 ELSE 0 END) AS BIGINT) AS met,
              CAST(SUM(CASE WHEN k.state = 'missed' THEN 1 ELSE 0 END) AS BIGINT) AS missed,
              CAST(SUM(CASE WHEN k.state = 'running' AND k.due_on < \(bind: today) THEN 1 ELSE 0 END) AS BIGINT) AS overdue
            FROM victim_clocks k JOIN victim_cases c ON c.id = k.case_id JOIN victim_code_rules r ON r.id = k.rule_id
            WHERE c.status <> 'duplicate' \(byQuarter)
            GROUP BY k.quarter, r.right_name, r.title\(groupBy)
            """
        ).all() {
            let tally = Tally(
                met: try r.decode(column: "met", as: Int.self), missed: try r.decode(column: "missed", as: Int.self),
                overdue: try r.decode(column: "overdue", as: Int.self))
            // Only clocks judged make a row (as when they were counted one by one).
            guard tally.judged > 0 else { continue }
            let grouping = try r.decode(column: "split_value", as: String.self)
            let key = Key(
                quarter: try r.decode(column: "quarter", as: String.self),
                right:
                    "\(try r.decode(column: "right_name", as: String.self)): \(try r.decode(column: "title", as: String.self))",
                group: group(
                    split, crimeType: grouping, enhanced: grouping == "enhanced", organisation: names[grouping] ?? ""))
            report.tallies[key, default: Tally()].met += tally.met
            report.tallies[key, default: Tally()].missed += tally.missed
            report.tallies[key, default: Tally()].overdue += tally.overdue
        }
        for e in try await store.erasedTallies(on: db) where only == nil || e.quarter == only?.name {
            let key = Key(
                quarter: e.quarter, right: "\(e.rightName): \(e.title)",
                group: group(split, crimeType: e.crimeType, enhanced: e.enhanced != 0, organisation: e.organisationName)
            )
            report.tallies[key, default: Tally()].met += e.met
            report.tallies[key, default: Tally()].missed += e.missed
            report.tallies[key, default: Tally()].overdue += e.overdue
        }
        return report
    }
}
