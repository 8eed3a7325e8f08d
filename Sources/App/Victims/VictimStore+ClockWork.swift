import CrimeData
import Fluent
import Foundation
import SQLKit

/// The pure half of working the clocks out again: a window of cases read as one text, and
/// what their clocks come to.
extension VictimStore {
    /// The cases a run reads at once: every case in windows of ids, or the cases named.
    enum CaseWindow: Sendable {
        case ids([Int])
        case range(Int, Int)
    }

    /// Windows of 10,000 case ids over every case (`ids` nil), or the cases `ids`.
    func caseWindows(_ ids: [Int]?, on db: any Database) async throws -> [CaseWindow] {
        if let ids { return [.ids(ids)] }
        struct Span: Decodable { var lo: Int?; var hi: Int? }
        guard
            let span = try await db.sql.raw("SELECT MIN(id) AS lo, MAX(id) AS hi FROM victim_cases").rows(Span.self)
                .first,
            let lo = span.lo, let hi = span.hi
        else { return [] }
        return stride(from: lo, through: hi, by: 10_000).map { .range($0, min(hi, $0 + 9_999)) }
    }

    /// Every case of `window` but duplicates, a line each, in one text: SQLKit's decoder costs
    /// per row and per column, and reading 100,000 cases row by row was most of a full run.
    /// A line is the case's id, source, day reported, time received, enhanced (1 or empty),
    /// status, first contact, first contact's not-applicable reason and clocks' fingerprint,
    /// then its events (`;` between them: id, kind, occurred, informed, not-applicable reason,
    /// `,` between those), all joined by `|`. No field can hold a separator (codes, days,
    /// times, numbers); a line that does is refused as damaged.
    func packedCases(_ window: CaseWindow, on db: any Database) async throws -> String {
        let flavor = SQLFlavor(db.sql)
        let chosen: SQLQueryString =
            switch window {
            case .ids(let ids): "c.id IN (\(binds: ids))"
            case .range(let lo, let hi): "c.id BETWEEN \(bind: lo) AND \(bind: hi)"
            }
        let event =
            "e.id || ',' || e.kind || ',' || e.occurred_at || ',' || COALESCE(e.informed_at, '') || ',' || e.not_applicable"
        let line = """
            c.id || '|' || c.source || '|' || c.reported_on || '|' || c.received_at || '|'
              || CASE WHEN c.enhanced = '' THEN '' ELSE '1' END || '|' || c.status || '|'
              || COALESCE(c.first_contact_at, '') || '|' || c.first_contact_na || '|' || c.clocks_hash || '|'
              || COALESCE((SELECT \(flavor.joined(event, by: "';'")) FROM victim_case_events e WHERE e.case_id = c.id), '')
            """
        struct Packed: Decodable { var lines: String? }
        let packed = try await db.sql.raw(
            """
            SELECT \(unsafeRaw: flavor.joined("p.line", by: flavor.newline)) AS lines FROM (
              SELECT \(unsafeRaw: line) AS line FROM victim_cases c WHERE c.status <> 'duplicate' AND \(chosen)) AS p
            """
        ).rows(Packed.self)
        return packed.first?.lines ?? ""
    }

    /// What a window of cases' clocks come to: the queue's due days of open cases, every
    /// clock's result, and the fingerprints of the cases whose clocks changed (only those
    /// cases' rows are then written).
    struct ClockWork: Sendable {
        var caseDue: [(Int, String?)] = []
        var eventDue: [(Int, String?)] = []
        var results: [StoredClock] = []
        var changed: [(Int, String?)] = []
        /// Days' and quarters' texts, made once each: many clocks share a day.
        private var dayTexts: [Int: String] = [:]
        private var quarterTexts: [Int: String] = [:]

        init() {}

        private mutating func text(_ day: CalendarDay) -> String {
            if let known = dayTexts[day.dayNumber] { return known }
            let made = day.description
            dayTexts[day.dayNumber] = made
            return made
        }

        private mutating func quarter(_ day: CalendarDay) -> String {
            if let known = quarterTexts[day.dayNumber] { return known }
            let made = VictimCompliance.quarter(day)
            quarterTexts[day.dayNumber] = made
            return made
        }

        mutating func add(_ other: ClockWork) {
            caseDue += other.caseDue
            eventDue += other.eventDue
            results += other.results
            changed += other.changed
        }

        /// Works out the clocks of the cases in `lines` (`packedCases`) by the rules in force
        /// when each clock started.
        init(_ lines: String, rules: [VictimClock.Rule], days: WorkingDays, now: Date) throws {
            let inForce = RulesByDay(rules)
            var text = lines
            try text.withUTF8 { bytes in
                try Pieces.forEach(bytes, separatedBy: UInt8(ascii: "\n")) { line in
                    guard !line.isEmpty else { return }
                    let f = Pieces.strings(line, separatedBy: UInt8(ascii: "|"))
                    guard f.count == 10, let id = Int(f[0]) else {
                        throw VictimStore.Failure.damaged(
                            "case V\(f.first ?? "?"): a stored field of its clocks holds a separator")
                    }
                    try work(
                        id: id, fields: f, events: try Self.events(f[9], ofCase: id), rules: { inForce($0) },
                        days: days, now: now)
                }
            }
        }

        /// The events of one case's line, in the order they were recorded.
        private static func events(_ text: String, ofCase id: Int) throws -> [Event] {
            guard !text.isEmpty else { return [] }
            var events: [Event] = []
            var text = text
            try text.withUTF8 { bytes in
                try Pieces.forEach(bytes, separatedBy: UInt8(ascii: ";")) { item in
                    let e = Pieces.strings(item, separatedBy: UInt8(ascii: ","))
                    guard e.count == 5, let eventID = Int(e[0]) else {
                        throw VictimStore.Failure.damaged("case V\(id): a stored field of an event holds a separator")
                    }
                    events.append(
                        Event(
                            id: eventID, caseId: id, kind: e[1], occurredAt: e[2],
                            informedAt: e[3].isEmpty ? nil : e[3],
                            notApplicable: e[4]))
                }
            }
            return events.sorted { $0.id < $1.id }
        }

        private mutating func work(
            id: Int, fields f: [String], events: [Event], rules: (CalendarDay) -> [VictimClock.Rule],
            days: WorkingDays, now: Date
        ) throws {
            let (status, firstContact, storedHash) = (f[5], f[6].isEmpty ? nil : f[6], f[8])
            let clocks = VictimStore.clocks(
                source: Victims.Source(rawValue: f[1]) ?? .agency, reportedOn: f[2], receivedAt: f[3],
                enhanced: !f[4].isEmpty, firstContact: firstContact, firstContactNA: f[7], events: events,
                rules: rules, days: days, now: now)
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
                    caseID: id, ruleID: k.rule.id, eventID: k.eventID, quarter: quarter(CalendarDay(k.start)),
                    due: text(k.result.due), state: state)
                hash.combine(String(row.ruleID))
                hash.combine(String(row.eventID ?? 0))
                hash.combine(row.quarter)
                hash.combine(row.due)
                hash.combine(row.state)
                stored.append(row)
            }
            // The same clocks as last time: nothing to write.
            let fingerprint = String(hash.value)
            guard storedHash != fingerprint else { return }
            changed.append((id, fingerprint))
            results += stored
            // The queue's due days: open cases only (the queue shows no other).
            guard status == "open" else { return }
            if firstContact == nil {
                caseDue.append((id, firstDue?.description))
            }
            for e in events where e.informedAt == nil && e.notApplicable.isEmpty {
                eventDue.append((e.id, eventDues[e.id]?.description))
            }
        }
    }
}
