import Fluent
import Foundation
import SQLKit

/// The case worker's queue: the running clocks due by tomorrow, by their stored due days.
extension VictimStore {
    /// A running clock on one of the holder's open cases, for the queue.
    struct Running: Sendable {
        var caseID: Int
        var clock: Clock
    }

    /// The holder's running clocks due by the end of `until` (overdue ones included), soonest
    /// first, at most `limit`: first contacts not yet made and events the victim has not yet
    /// been told of, read by their stored due dates (`recomputeClocks`), so the work is the
    /// clocks shown, not every open case.
    func runningClocks(
        holder: Int, assignee: Assignee? = nil, now: Date, until: CalendarDay, limit: Int, on db: any Database
    ) async throws
        -> [Running]
    {
        let rules = try await rules(on: db)
        let days = try await workingDays(on: db)
        let waiting = try await db.sql.raw(
            """
            SELECT c.id, c.received_at, c.enhanced FROM victim_cases c
            WHERE c.organisation_id = \(bind: holder) AND c.status = 'open' AND c.first_contact_at IS NULL
              AND c.first_contact_due <= \(bind: until.description) \(assignee?.condition ?? "")
            ORDER BY c.first_contact_due, c.id LIMIT \(bind: limit)
            """
        ).all()
        var out: [Running] = []
        for row in waiting {
            let id = try row.decode(column: "id", as: Int.self)
            guard let received = Date(stored: try row.decode(column: "received_at", as: String.self)) else { continue }
            let enhanced = !(try row.decode(column: "enhanced", as: String.self)).isEmpty
            for rule in VictimClock.inForce(rules, on: CalendarDay(received)) where rule.start == "referral-received" {
                let result = VictimClock.evaluate(
                    rule, start: received, stop: nil, enhanced: enhanced, now: now, days: days)
                out.append(
                    .init(
                        caseID: id,
                        clock: Clock(
                            rule: rule, what: "First contact", start: received, stop: nil, result: result, eventID: nil)
                    ))
            }
        }
        let open = try await db.sql.raw(
            """
            SELECT e.id, e.case_id, e.kind, e.occurred_at, c.enhanced FROM victim_case_events e
            JOIN victim_cases c ON c.id = e.case_id
            WHERE e.informed_at IS NULL AND e.not_applicable = '' AND e.due_on <= \(bind: until.description)
              AND c.organisation_id = \(bind: holder) AND c.status = 'open' \(assignee?.condition ?? "")
            ORDER BY e.due_on, e.id LIMIT \(bind: limit)
            """
        ).all()
        for row in open {
            guard let kind = EventKind(rawValue: try row.decode(column: "kind", as: String.self)),
                let at = Date(stored: try row.decode(column: "occurred_at", as: String.self))
            else { continue }
            let enhanced = !(try row.decode(column: "enhanced", as: String.self)).isEmpty
            for rule in VictimClock.inForce(rules, on: CalendarDay(at)) where rule.start == kind.clockStart {
                let result = VictimClock.evaluate(
                    rule, start: at, stop: nil, enhanced: enhanced, now: now, days: days)
                out.append(
                    .init(
                        caseID: try row.decode(column: "case_id", as: Int.self),
                        clock: Clock(
                            rule: rule, what: kind.label, start: at, stop: nil, result: result,
                            eventID: try row.decode(column: "id", as: Int.self))))
            }
        }
        return Array(
            out.sorted { ($0.clock.result.due, $0.caseID) < ($1.clock.result.due, $1.caseID) }.prefix(limit))
    }

    /// How many of the holder's running clocks are overdue (due before `today`) and how many
    /// fall due today or tomorrow.
    func queueCounts(
        holder: Int, assignee: Assignee? = nil, today: CalendarDay, tomorrow: CalendarDay, on db: any Database
    ) async throws
        -> (overdue: Int, due: Int)
    {
        struct Row: Decodable { var overdue: Int?; var due: Int? }
        let (t, m) = (today.description, tomorrow.description)
        let cases = try await db.sql.raw(
            """
            SELECT CAST(SUM(CASE WHEN first_contact_due < \(bind: t) THEN 1 ELSE 0 END) AS BIGINT) AS overdue,
              CAST(SUM(CASE WHEN first_contact_due >= \(bind: t) THEN 1 ELSE 0 END) AS BIGINT) AS due
            FROM victim_cases c WHERE c.organisation_id = \(bind: holder) AND c.status = 'open'
              AND c.first_contact_at IS NULL AND c.first_contact_due <= \(bind: m) \(assignee?.condition ?? "")
            """
        ).row(Row.self)
        let events = try await db.sql.raw(
            """
            SELECT CAST(SUM(CASE WHEN e.due_on < \(bind: t) THEN 1 ELSE 0 END) AS BIGINT) AS overdue,
              CAST(SUM(CASE WHEN e.due_on >= \(bind: t) THEN 1 ELSE 0 END) AS BIGINT) AS due
            FROM victim_case_events e JOIN victim_cases c ON c.id = e.case_id
            WHERE e.informed_at IS NULL AND e.not_applicable = '' AND e.due_on <= \(bind: m)
              AND c.organisation_id = \(bind: holder) AND c.status = 'open' \(assignee?.condition ?? "")
            """
        ).row(Row.self)
        return ((cases?.overdue ?? 0) + (events?.overdue ?? 0), (cases?.due ?? 0) + (events?.due ?? 0))
    }
}
