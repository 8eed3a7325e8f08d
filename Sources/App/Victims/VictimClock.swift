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
    ///
    /// A class, not a struct: every clock of every case holds its rule, and copying eight
    /// strings per clock was a fifth of working out 100,000 cases' clocks.
    final class Rule: Sendable, Equatable {
        let id: Int
        let key: String
        let version: Int
        let right: String
        let title: String
        let citation: String
        let start: String
        let stop: String
        let enhancedDays: Int
        let standardDays: Int
        let inForceFrom: String
        let inForceTo: String?
        /// The two dates read once (reading them per case was most of the time of a
        /// 100,000-case queue: BENCHMARKS.md, issue 18).
        private let fromDay: CalendarDay?
        private let toDay: CalendarDay?

        init(
            id: Int, key: String, version: Int, right: String, title: String, citation: String, start: String,
            stop: String, enhancedDays: Int, standardDays: Int, inForceFrom: String, inForceTo: String?
        ) {
            (self.id, self.key, self.version, self.right, self.title) = (id, key, version, right, title)
            (self.citation, self.start, self.stop) = (citation, start, stop)
            (self.enhancedDays, self.standardDays) = (enhancedDays, standardDays)
            (self.inForceFrom, self.inForceTo) = (inForceFrom, inForceTo)
            fromDay = CalendarDay(inForceFrom)
            toDay = inForceTo.flatMap(CalendarDay.init)
        }

        static func == (a: Rule, b: Rule) -> Bool {
            (a.id, a.key, a.version, a.right, a.title, a.citation) == (
                b.id, b.key, b.version, b.right, b.title, b.citation
            )
                && (a.start, a.stop, a.enhancedDays, a.standardDays, a.inForceFrom, a.inForceTo)
                    == (b.start, b.stop, b.enhancedDays, b.standardDays, b.inForceFrom, b.inForceTo)
        }

        func limit(enhanced: Bool) -> Int { enhanced ? enhancedDays : standardDays }

        /// In force on `day` (from `inForceFrom`, up to but not including `inForceTo`).
        func inForce(on day: CalendarDay) -> Bool {
            guard let fromDay, day >= fromDay else { return false }
            guard let toDay else { return true }
            return day < toDay
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
        // A handful of rules: a scan, no dictionary per case.
        var best: [Rule] = []
        for r in rules where r.inForce(on: day) {
            if let k = best.firstIndex(where: { $0.key == r.key }) {
                if best[k].version < r.version { best[k] = r }
            } else {
                best.append(r)
            }
        }
        // Usually in order already (`rules(on:)` reads them so): sorting copied every rule
        // for every case.
        for k in best.indices.dropFirst() where (best[k].right, best[k].key) < (best[k - 1].right, best[k - 1].key) {
            return best.sorted { ($0.right, $0.key) < ($1.right, $1.key) }
        }
        return best
    }
}
