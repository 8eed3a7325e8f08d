import Foundation

/// The Victims' Code's time limits as data, and what they say about one case. Pure: a rule,
/// the moment its clock starts, the moment it stopped (if it has), whether the victim has
/// enhanced rights, the working-day calendar and now, in; the clock's state out.
///
/// A limit of N working days from an event on day D is met by anything done by the end of
/// the Nth working day after D (UK civil dates): an arrest on Friday with a 1-working-day
/// limit is met by Monday 23:59, or Tuesday after a bank holiday Monday.
enum VictimClock {
    /// A rule: which right, what starts and stops its clock, its limits, where the Code says
    /// so, and when it was in force (a case is judged by the rules in force when its clock
    /// started).
    struct Rule: Sendable, Equatable, Codable {
        var id: Int
        var key: String
        var version: Int
        var right: String
        var title: String
        var citation: String
        var start: String
        var stop: String
        var enhancedDays: Int
        var standardDays: Int
        var inForceFrom: String
        var inForceTo: String?

        func limit(enhanced: Bool) -> Int { enhanced ? enhancedDays : standardDays }

        /// In force on `day` (from `inForceFrom`, up to but not including `inForceTo`).
        func inForce(on day: CalendarDay) -> Bool {
            guard let from = CalendarDay(inForceFrom), day >= from else { return false }
            guard let to = inForceTo.flatMap(CalendarDay.init) else { return true }
            return day < to
        }
    }

    enum State: String, Sendable, Equatable, Codable {
        /// Stopped by the end of the due day.
        case met
        /// Stopped after the due day.
        case missed
        /// Running, due today or later.
        case due
        /// Running, past its due day.
        case overdue
        /// Paused or not applicable, with a reason recorded.
        case notApplicable = "not-applicable"
    }

    struct Result: Sendable, Equatable {
        var state: State
        var due: CalendarDay
        /// Working days late (missed or overdue); 0 otherwise.
        var lateBy: Int
        /// Working days left until due (running clocks); 0 when due today.
        var left: Int
    }

    /// The clock of `rule` started at `start`, stopped at `stop` (nil: still running).
    static func evaluate(
        _ rule: Rule, start: Date, stop: Date?, enhanced: Bool, now: Date, days: WorkingDays
    ) -> Result {
        let startDay = CalendarDay(start)
        let due = days.adding(rule.limit(enhanced: enhanced), to: startDay)
        if let stop {
            let stopDay = CalendarDay(stop)
            if stopDay <= due { return Result(state: .met, due: due, lateBy: 0, left: 0) }
            return Result(state: .missed, due: due, lateBy: days.count(from: due, to: stopDay), left: 0)
        }
        let today = CalendarDay(now)
        if today <= due { return Result(state: .due, due: due, lateBy: 0, left: days.count(from: today, to: due)) }
        return Result(state: .overdue, due: due, lateBy: days.count(from: due, to: today), left: 0)
    }

    /// The version of each rule in force on `day`: for a case whose clocks start then.
    static func inForce(_ rules: [Rule], on day: CalendarDay) -> [Rule] {
        var best: [String: Rule] = [:]
        for r in rules where r.inForce(on: day) {
            if let b = best[r.key], b.version >= r.version { continue }
            best[r.key] = r
        }
        return best.values.sorted { ($0.right, $0.key) < ($1.right, $1.key) }
    }
}
