import CrimeData
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
        /// Why it does not apply (`Victims.NotApplicable`), when the state says so.
        var notApplicable: Victims.NotApplicable? = nil
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

    /// The events `source` selects (`victim_case_events e`, with any join and condition), by
    /// case: read by column (SQLKit's row decoder converts every key on every row, most of the
    /// time for a hundred thousand cases).
    func eventsByCase(_ source: SQLQueryString, on db: any Database) async throws -> [Int: [Event]] {
        var events: [Int: [Event]] = [:]
        for r in try await db.sql.raw(
            "SELECT e.id, e.case_id, e.kind, e.occurred_at, e.informed_at, e.not_applicable FROM \(source)"
        ).all() {
            let e = Event(
                id: try r.decode(column: "id", as: Int.self), caseId: try r.decode(column: "case_id", as: Int.self),
                kind: try r.decode(column: "kind", as: String.self),
                occurredAt: try r.decode(column: "occurred_at", as: String.self),
                informedAt: try r.decode(column: "informed_at", as: String?.self),
                notApplicable: try r.decode(column: "not_applicable", as: String.self))
            events[e.caseId, default: []].append(e)
        }
        return events
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
            // The clock stopped: its stored result (met or missed) with it.
            try await recomputeClocks([id], on: tx)
            try await audit.record(
                "informed", entity: "victim_case_events", id: String(event), before: nil as String?,
                after: ["at": at.stored], by: viewer, on: tx)
            return true
        }
    }

    /// Which running clock of a case: its first contact, or the telling of one event.
    enum ClockRef: Equatable, Sendable {
        case firstContact
        case event(Int)

        /// `first-contact` or `event-12`, as a form sends it.
        init?(_ text: String) {
            if text == "first-contact" {
                self = .firstContact
            } else if text.hasPrefix("event-"), let id = Int(text.dropFirst(6)), id > 0 {
                self = .event(id)
            } else {
                return nil
            }
        }

        var value: String {
            switch self {
            case .firstContact: "first-contact"
            case .event(let id): "event-\(id)"
            }
        }
    }

    /// Marks a running clock of a case `viewer`'s organisation holds as not applicable, with
    /// its reason (audited; the queue drops it). False unless the case is held and the clock
    /// is still running and not already marked.
    func markNotApplicable(
        _ clock: ClockRef, ofCase id: Int, reason: Victims.NotApplicable, viewer: CurrentUser, on db: any Database
    ) async throws -> Bool {
        guard try await holds(id, viewer: viewer, on: db) else { return false }
        struct Row: Decodable { var id: Int }
        return try await db.transaction { tx -> Bool in
            switch clock {
            case .firstContact:
                guard
                    try await tx.sql.raw(
                        """
                        SELECT id FROM victim_cases WHERE id = \(bind: id) AND first_contact_at IS NULL
                          AND first_contact_na = ''
                        """
                    ).row(Row.self) != nil
                else { return false }
                try await tx.sql.raw(
                    "UPDATE victim_cases SET first_contact_na = \(bind: reason.rawValue) WHERE id = \(bind: id)"
                ).run()
            case .event(let event):
                guard
                    try await tx.sql.raw(
                        """
                        SELECT id FROM victim_case_events WHERE id = \(bind: event) AND case_id = \(bind: id)
                          AND informed_at IS NULL AND not_applicable = ''
                        """
                    ).row(Row.self) != nil
                else { return false }
                try await tx.sql.raw(
                    "UPDATE victim_case_events SET not_applicable = \(bind: reason.rawValue) WHERE id = \(bind: event)"
                ).run()
            }
            try await tx.sql.raw("UPDATE victim_cases SET updated_at = \(bind: now().stored) WHERE id = \(bind: id)")
                .run()
            try await recomputeClocks([id], on: tx)
            try await audit.record(
                "clock-not-applicable", entity: "victim_cases", id: String(id), before: nil as String?,
                after: ["clock": clock.value, "reason": reason.rawValue], by: viewer, on: tx)
            return true
        }
    }

    /// Every clock of a case, by the rules in force when each started; a clock marked not
    /// applicable (`firstContactNA`, an event's `notApplicable`: a `Victims.NotApplicable`
    /// code) keeps its due day and says why, and counts neither as met nor as missed.
    static func clocks(
        source: Victims.Source, reportedOn: String, receivedAt: String, enhanced: Bool, firstContact: String?,
        firstContactNA: String = "", events: [Event], rules: [VictimClock.Rule], days: WorkingDays, now: Date
    ) -> [Clock] {
        clocks(
            source: source, reportedOn: reportedOn, receivedAt: receivedAt, enhanced: enhanced,
            firstContact: firstContact, firstContactNA: firstContactNA, events: events,
            rules: { VictimClock.inForce(rules, on: $0) }, days: days, now: now)
    }

    /// The same, with the rules in force on a day from `rules` (a `RulesByDay` for a run over
    /// many cases, which finds each day's once).
    static func clocks(
        source: Victims.Source, reportedOn: String, receivedAt: String, enhanced: Bool, firstContact: String?,
        firstContactNA: String, events: [Event], rules: (CalendarDay) -> [VictimClock.Rule], days: WorkingDays,
        now: Date
    ) -> [Clock] {
        var out: [Clock] = []
        func add(_ start: String, what: String, from: Date, to: Date?, event: Int? = nil, na: String = "") {
            for rule in rules(CalendarDay(from)) where rule.start == start {
                var result = VictimClock.evaluate(rule, start: from, stop: to, enhanced: enhanced, now: now, days: days)
                let reason = na.isEmpty ? nil : Victims.NotApplicable(rawValue: na) ?? .notEligible
                if reason != nil { result = .init(state: .notApplicable, due: result.due, lateBy: 0, left: 0) }
                out.append(
                    Clock(
                        rule: rule, what: what, start: from, stop: to, result: result, eventID: event,
                        notApplicable: reason))
            }
        }
        guard let received = Date(stored: receivedAt) else { return [] }
        if source == .police, let reported = CalendarDay(reportedOn) {
            add("crime-reported", what: "Referral from the police", from: reported.date, to: received)
        }
        add(
            "referral-received", what: "First contact", from: received, to: firstContact.flatMap(Date.init(stored:)),
            na: firstContactNA)
        for e in events {
            guard let kind = EventKind(rawValue: e.kind), let at = Date(stored: e.occurredAt) else { continue }
            add(
                kind.clockStart, what: kind.label, from: at, to: e.informedAt.flatMap(Date.init(stored:)), event: e.id,
                na: e.notApplicable)
        }
        return out
    }
}

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
