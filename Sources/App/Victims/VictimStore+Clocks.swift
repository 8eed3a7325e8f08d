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
}
