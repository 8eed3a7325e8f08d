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
              standard_days, in_force_from, in_force_to FROM victim_code_rules ORDER BY rule_key, version
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

    /// Every running clock of the holder's open cases: first contacts not yet made and
    /// events the victim has not yet been told of (two set queries, whatever the case count).
    func runningClocks(holder: Int, now: Date, on db: any Database) async throws -> [Running] {
        let rules = try await rules(on: db)
        let days = try await workingDays(on: db)
        struct Waiting: Decodable {
            var id: Int; var source: String; var reportedOn: String; var receivedAt: String; var enhanced: String
        }
        let waiting = try await db.sql.raw(
            """
            SELECT c.id, c.source, c.reported_on, c.received_at, c.enhanced FROM victim_cases c
            WHERE c.organisation_id = \(bind: holder) AND c.status = 'open' AND NOT EXISTS (
              SELECT 1 FROM victim_contacts k WHERE k.case_id = c.id AND k.outcome IN ('made-contact', 'declined-support'))
            """
        ).rows(Waiting.self)
        var out: [Running] = []
        for c in waiting {
            guard let received = Date(stored: c.receivedAt) else { continue }
            let enhanced = !c.enhanced.isEmpty
            for rule in VictimClock.inForce(rules, on: CalendarDay(received)) where rule.start == "referral-received" {
                let result = VictimClock.evaluate(
                    rule, start: received, stop: nil, enhanced: enhanced, now: now, days: days)
                out.append(
                    .init(
                        caseID: c.id,
                        clock: Clock(
                            rule: rule, what: "First contact", start: received, stop: nil, result: result, eventID: nil)
                    ))
            }
        }
        struct Open: Decodable {
            var id: Int; var caseId: Int; var kind: String; var occurredAt: String; var enhanced: String
        }
        let open = try await db.sql.raw(
            """
            SELECT e.id, e.case_id, e.kind, e.occurred_at, c.enhanced FROM victim_case_events e
            JOIN victim_cases c ON c.id = e.case_id
            WHERE c.organisation_id = \(bind: holder) AND c.status = 'open' AND e.informed_at IS NULL AND e.not_applicable = ''
            """
        ).rows(Open.self)
        for e in open {
            guard let kind = EventKind(rawValue: e.kind), let at = Date(stored: e.occurredAt) else { continue }
            for rule in VictimClock.inForce(rules, on: CalendarDay(at)) where rule.start == kind.clockStart {
                let result = VictimClock.evaluate(
                    rule, start: at, stop: nil, enhanced: !e.enhanced.isEmpty, now: now, days: days)
                out.append(
                    .init(
                        caseID: e.caseId,
                        clock: Clock(rule: rule, what: kind.label, start: at, stop: nil, result: result, eventID: e.id))
                )
            }
        }
        return out.sorted { ($0.clock.result.due, $0.caseID) < ($1.clock.result.due, $1.caseID) }
    }
}
