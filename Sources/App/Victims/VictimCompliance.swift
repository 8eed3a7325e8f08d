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

    /// The cases with a clock that may start in `q` (reported, received or an event in it,
    /// a day's margin either side for UK time against the stored UTC; the tally keeps only
    /// the clocks that started in it).
    static func cases(startingIn q: Quarter) -> SQLQueryString {
        let from = CalendarDay(dayNumber: q.first.dayNumber - 1).description
        let to = CalendarDay(dayNumber: q.next.first.dayNumber + 1).description
        return """
            c.status <> 'duplicate' AND c.id IN (
              SELECT r.id FROM victim_cases r WHERE r.reported_on >= \(bind: q.first.description)
                AND r.reported_on < \(bind: q.next.first.description)
              UNION SELECT v.id FROM victim_cases v WHERE v.received_at >= \(bind: from) AND v.received_at < \(bind: to)
              UNION SELECT x.case_id FROM victim_case_events x WHERE x.occurred_at >= \(bind: from)
                AND x.occurred_at < \(bind: to))
            """
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
        let rules = try await store.rules(on: db)
        let days = try await store.workingDays(on: db)
        // Read by column (the row decoder's key conversion for 100,000 cases was most of the
        // report's time), with first contact as stored on the case (`recomputeClocks`).
        var events: [Int: [VictimStore.Event]] = [:]
        for r in try await db.sql.raw(
            """
            SELECT e.id, e.case_id, e.kind, e.occurred_at, e.informed_at, e.not_applicable
            FROM victim_case_events e JOIN victim_cases c ON c.id = e.case_id WHERE \(filter)
            """
        ).all() {
            let e = VictimStore.Event(
                id: try r.decode(column: "id", as: Int.self), caseId: try r.decode(column: "case_id", as: Int.self),
                kind: try r.decode(column: "kind", as: String.self),
                occurredAt: try r.decode(column: "occurred_at", as: String.self),
                informedAt: try r.decode(column: "informed_at", as: String?.self),
                notApplicable: try r.decode(column: "not_applicable", as: String.self))
            events[e.caseId, default: []].append(e)
        }
        let names = Dictionary(
            try await store.services(on: db).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var out: [CaseClocks] = []
        for c in try await db.sql.raw(
            """
            SELECT c.id, c.organisation_id, c.source, c.crime_type, c.reported_on, c.received_at, c.enhanced,
              c.first_contact_at
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
                        events: events[id] ?? [], rules: rules, days: days, now: now)))
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
    /// With `quarter`, only the clocks that started in it (the cases read are those that may
    /// have one).
    static func build(split: Split, quarter only: Quarter? = nil, now: Date, store: VictimStore, on db: any Database)
        async throws -> VictimCompliance
    {
        var report = VictimCompliance()
        let filter: SQLQueryString = only.map { cases(startingIn: $0) } ?? "c.status <> 'duplicate'"
        for c in try await caseClocks(filter, now: now, store: store, on: db) {
            let group = group(split, crimeType: c.crimeType, enhanced: c.enhanced, organisation: c.organisationName)
            for k in c.clocks {
                let started = quarter(CalendarDay(k.start))
                if let only, started != only.name { continue }
                let key = Key(quarter: started, right: "\(k.rule.right): \(k.rule.title)", group: group)
                switch k.result.state {
                case .met: report.tallies[key, default: Tally()].met += 1
                case .missed: report.tallies[key, default: Tally()].missed += 1
                case .overdue: report.tallies[key, default: Tally()].overdue += 1
                case .due, .notApplicable: break
                }
            }
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
