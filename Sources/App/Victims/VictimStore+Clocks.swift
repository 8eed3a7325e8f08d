import Fluent
import Foundation
import SQLKit

/// The Victims' Code clocks: the rules (every version), the working-day calendar (bundled
/// bank holidays plus those admins add), a case's criminal justice events, and each case's
/// clocks evaluated by the rules in force when they started.
extension VictimStore {
    /// Criminal justice events a victim must be told of, and the clock each starts.
    enum EventKind: String, CaseIterable, Sendable {
        case arrest, interview, releaseNoAction = "release-nfa", bail, charge, hearing = "hearing-date", verdict,
            sentence, appeal

        var label: String {
            switch self {
            case .arrest: "Suspect arrested"
            case .interview: "Suspect interviewed under caution"
            case .releaseNoAction: "Suspect released with no further action"
            case .bail: "Suspect bailed, or bail conditions changed"
            case .charge: "Suspect charged"
            case .hearing: "Court hearing date set"
            case .verdict: "Verdict"
            case .sentence: "Sentence"
            case .appeal: "Appeal decided"
            }
        }

        /// The `clock_start` of the rule this event starts.
        var clockStart: String {
            switch self {
            case .arrest, .interview, .releaseNoAction, .bail, .charge: "investigation-event"
            case .hearing: "court-hearing"
            case .verdict, .sentence, .appeal: "case-outcome"
            }
        }
    }

    struct Event: Decodable, Sendable {
        var id: Int
        var caseId: Int
        var kind: String
        var occurredAt: String
        var informedAt: String?
        var notApplicable: String
    }

    /// One clock of a case: its rule, start and stop, and what the rule makes of them.
    struct Clock: Sendable {
        var rule: VictimClock.Rule
        var what: String
        var start: Date
        var stop: Date?
        var result: VictimClock.Result
        var eventID: Int?
    }

    func rules(on db: any Database) async throws -> [VictimClock.Rule] {
        struct Row: Decodable {
            var id: Int; var ruleKey: String; var version: Int; var rightName: String; var title: String
            var citation: String; var clockStart: String; var clockStop: String; var enhancedDays: Int
            var standardDays: Int; var inForceFrom: String; var inForceTo: String?
        }
        return try await db.sql.raw(
            """
            SELECT id, rule_key, version, right_name, title, citation, clock_start, clock_stop, enhanced_days,
              standard_days, in_force_from, in_force_to FROM victim_code_rules ORDER BY right_name, rule_key, version
            """
        ).rows(Row.self).map {
            VictimClock.Rule(
                id: $0.id, key: $0.ruleKey, version: $0.version, right: $0.rightName, title: $0.title,
                citation: $0.citation, start: $0.clockStart, stop: $0.clockStop, enhancedDays: $0.enhancedDays,
                standardDays: $0.standardDays, inForceFrom: $0.inForceFrom, inForceTo: $0.inForceTo)
        }
    }

    /// Working days: the bundled England and Wales bank holidays and any admins added.
    func workingDays(on db: any Database) async throws -> WorkingDays {
        struct Row: Decodable { var day: String }
        let extra = try await db.sql.raw("SELECT day FROM extra_bank_holidays").rows(Row.self).compactMap {
            CalendarDay($0.day)
        }
        return try WorkingDays.bundled(extra: extra)
    }

    func events(ofCase id: Int, on db: any Database) async throws -> [Event] {
        try await db.sql.raw(
            """
            SELECT id, case_id, kind, occurred_at, informed_at, not_applicable FROM victim_case_events
            WHERE case_id = \(bind: id) ORDER BY occurred_at, id
            """
        ).rows(Event.self)
    }

    /// Records an event on a case `viewer`'s organisation holds; false if it holds no such case.
    func addEvent(
        toCase id: Int, kind: EventKind, occurredAt: Date, informedAt: Date?, viewer: CurrentUser, on db: any Database
    ) async throws -> Bool {
        guard try await holds(id, viewer: viewer, on: db) else { return false }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                INSERT INTO victim_case_events (case_id, kind, occurred_at, informed_at, recorded_by, recorded_at)
                VALUES (\(bind: id), \(bind: kind.rawValue), \(bind: occurredAt.stored), \(bind: informedAt?.stored),
                  \(bind: viewer.id), \(bind: now().stored))
                """
            ).run()
            try await recomputeClocks([id], on: tx)
            try await audit.record(
                "event", entity: "victim_cases", id: String(id), before: nil as String?, after: ["kind": kind.rawValue],
                by: viewer, on: tx)
        }
        return true
    }

    /// Marks an event's victim as told now; false unless the event is on a case `viewer`'s
    /// organisation holds and not yet marked.
    func markInformed(event: Int, ofCase id: Int, at: Date, viewer: CurrentUser, on db: any Database) async throws
        -> Bool
    {
        guard try await holds(id, viewer: viewer, on: db) else { return false }
        return try await db.transaction { tx -> Bool in
            struct Row: Decodable { var id: Int }
            guard
                try await tx.sql.raw(
                    """
                    SELECT id FROM victim_case_events WHERE id = \(bind: event) AND case_id = \(bind: id)
                      AND informed_at IS NULL
                    """
                ).row(Row.self) != nil
            else { return false }
            try await tx.sql.raw(
                "UPDATE victim_case_events SET informed_at = \(bind: at.stored) WHERE id = \(bind: event)"
            ).run()
            try await audit.record(
                "informed", entity: "victim_case_events", id: String(event), before: nil as String?,
                after: ["at": at.stored], by: viewer, on: tx)
            return true
        }
    }

    /// Every clock of a case, by the rules in force when each started.
    static func clocks(
        source: Victims.Source, reportedOn: String, receivedAt: String, enhanced: Bool, firstContact: String?,
        events: [Event], rules: [VictimClock.Rule], days: WorkingDays, now: Date
    ) -> [Clock] {
        var out: [Clock] = []
        func add(_ start: String, what: String, from: Date, to: Date?, event: Int? = nil) {
            let ruled = VictimClock.inForce(rules, on: CalendarDay(from)).filter { $0.start == start }
            for rule in ruled {
                out.append(
                    Clock(
                        rule: rule, what: what, start: from, stop: to,
                        result: VictimClock.evaluate(
                            rule, start: from, stop: to, enhanced: enhanced, now: now, days: days),
                        eventID: event))
            }
        }
        guard let received = Date(stored: receivedAt) else { return [] }
        if source == .police, let reported = CalendarDay(reportedOn) {
            add("crime-reported", what: "Referral from the police", from: reported.date, to: received)
        }
        add("referral-received", what: "First contact", from: received, to: firstContact.flatMap(Date.init(stored:)))
        for e in events where e.notApplicable.isEmpty {
            guard let kind = EventKind(rawValue: e.kind), let at = Date(stored: e.occurredAt) else { continue }
            add(kind.clockStart, what: kind.label, from: at, to: e.informedAt.flatMap(Date.init(stored:)), event: e.id)
        }
        return out
    }
}

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

    /// Stores, for the cases `ids` (every case when nil), when first contact was made and when
    /// each running clock falls due, by the rules in force when it started: run after every
    /// change to a case's contacts or events, and for every case when the rules or the bank
    /// holidays change (`saferstreets victims recompute-clocks`). Returns the clocks dated.
    @discardableResult
    func recomputeClocks(_ ids: [Int]? = nil, on db: any Database) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        if let ids, ids.count > 2_000 {
            var n = 0
            for chunk in ids.chunks(of: 2_000) { n += try await recomputeClocks(Array(chunk), on: db) }
            return n
        }
        let rules = try await rules(on: db)
        let days = try await workingDays(on: db)
        let chosen: SQLQueryString = ids.map { "id IN (\(binds: $0))" } ?? "1 = 1"
        let chosenCases: SQLQueryString = ids.map { "c.id IN (\(binds: $0))" } ?? "1 = 1"
        try await db.sql.raw(
            """
            UPDATE victim_cases SET first_contact_at = (SELECT MIN(k.contacted_at) FROM victim_contacts k
              WHERE k.case_id = victim_cases.id AND k.outcome IN ('made-contact', 'declined-support'))
            WHERE \(chosen)
            """
        ).run()
        func due(_ start: String, _ at: Date, enhanced: Bool) -> String? {
            VictimClock.inForce(rules, on: CalendarDay(at)).filter { $0.start == start }.map {
                days.adding($0.limit(enhanced: enhanced), to: CalendarDay(at))
            }.min()?.description
        }
        var caseDue: [(Int, String?)] = []
        for row in try await db.sql.raw(
            """
            SELECT id, received_at, enhanced FROM victim_cases
            WHERE status = 'open' AND first_contact_at IS NULL AND \(chosen)
            """
        ).all() {
            guard let received = Date(stored: try row.decode(column: "received_at", as: String.self)) else { continue }
            caseDue.append(
                (
                    try row.decode(column: "id", as: Int.self),
                    due(
                        "referral-received", received,
                        enhanced: !(try row.decode(column: "enhanced", as: String.self)).isEmpty)
                ))
        }
        var eventDue: [(Int, String?)] = []
        for row in try await db.sql.raw(
            """
            SELECT e.id, e.kind, e.occurred_at, c.enhanced FROM victim_case_events e JOIN victim_cases c ON c.id = e.case_id
            WHERE e.informed_at IS NULL AND e.not_applicable = '' AND c.status = 'open' AND \(chosenCases)
            """
        ).all() {
            guard let kind = EventKind(rawValue: try row.decode(column: "kind", as: String.self)),
                let at = Date(stored: try row.decode(column: "occurred_at", as: String.self))
            else { continue }
            eventDue.append(
                (
                    try row.decode(column: "id", as: Int.self),
                    due(kind.clockStart, at, enhanced: !(try row.decode(column: "enhanced", as: String.self)).isEmpty)
                ))
        }
        try await setColumn("victim_cases", "first_contact_due", caseDue, on: db)
        try await setColumn("victim_case_events", "due_on", eventDue, on: db)
        return caseDue.count + eventDue.count
    }

    /// `table.column = value` for each (id, value), 400 rows a statement (UPDATE … FROM
    /// VALUES: SQLite 3.33 and PostgreSQL both name the columns column1, column2).
    private func setColumn(_ table: String, _ column: String, _ values: [(Int, String?)], on db: any Database)
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
