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

    /// Reads every case's clocks (three set queries) and tallies them by `split`.
    static func build(split: Split, now: Date, store: VictimStore, on db: any Database) async throws
        -> VictimCompliance
    {
        let rules = try await store.rules(on: db)
        let days = try await store.workingDays(on: db)
        struct Row: Decodable {
            var id: Int; var organisationName: String; var source: String; var crimeType: String
            var reportedOn: String; var receivedAt: String; var enhanced: String; var firstContact: String?
        }
        let cases = try await db.sql.raw(
            """
            SELECT c.id, o.name AS organisation_name, c.source, c.crime_type, c.reported_on, c.received_at, c.enhanced,
              (SELECT MIN(k.contacted_at) FROM victim_contacts k WHERE k.case_id = c.id
                AND k.outcome IN ('made-contact', 'declined-support')) AS first_contact
            FROM victim_cases c JOIN organisations o ON o.id = c.organisation_id WHERE c.status <> 'duplicate'
            """
        ).rows(Row.self)
        let events = Dictionary(
            grouping: try await db.sql.raw(
                """
                SELECT e.id, e.case_id, e.kind, e.occurred_at, e.informed_at, e.not_applicable
                FROM victim_case_events e JOIN victim_cases c ON c.id = e.case_id WHERE c.status <> 'duplicate'
                """
            ).rows(VictimStore.Event.self), by: \.caseId)
        var report = VictimCompliance()
        for c in cases {
            let enhanced = !c.enhanced.isEmpty
            let clocks = VictimStore.clocks(
                source: Victims.Source(rawValue: c.source) ?? .agency, reportedOn: c.reportedOn,
                receivedAt: c.receivedAt, enhanced: enhanced, firstContact: c.firstContact, events: events[c.id] ?? [],
                rules: rules, days: days, now: now)
            let group: String =
                switch split {
                case .all: "All"
                case .crimeType: Victims.CrimeType(rawValue: c.crimeType)?.label ?? c.crimeType
                case .rights: enhanced ? "Enhanced rights" : "Standard rights"
                case .organisation: c.organisationName
                }
            for k in clocks {
                let key = Key(
                    quarter: quarter(CalendarDay(k.start)), right: "\(k.rule.right): \(k.rule.title)", group: group)
                switch k.result.state {
                case .met: report.tallies[key, default: Tally()].met += 1
                case .missed: report.tallies[key, default: Tally()].missed += 1
                case .overdue: report.tallies[key, default: Tally()].overdue += 1
                case .due, .notApplicable: break
                }
            }
        }
        return report
    }
}
