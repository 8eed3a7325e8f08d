import Foundation

/// Working days in England and Wales: Monday to Friday, less the bank holidays (bundled from
/// 2018 to 2030 by `scripts/bank_holidays.py`, to which OPCC admins can add). The Victims'
/// Code's time limits count in working days ("within 1 working day", "within 5 working
/// days"), so every clock is computed here. Pure and fast: days are numbered from 1970-01-01
/// (a Thursday), so a weekday is a remainder and a count over years is arithmetic, not a walk.
struct WorkingDays: Sendable {
    /// Holidays as day numbers, sorted.
    let holidays: [Int]
    private let holidaySet: Set<Int>

    init(holidays: [CalendarDay]) {
        let numbers = Set(holidays.map(\.dayNumber))
        self.holidays = numbers.sorted()
        holidaySet = numbers
    }

    /// The bundled England and Wales list, with `extra` days (added by admins) on top.
    static func bundled(extra: [CalendarDay] = []) throws -> WorkingDays {
        guard
            let url = Bundle.module.url(forResource: "victims", withExtension: nil)?.appendingPathComponent(
                "bank-holidays-england-and-wales.csv")
        else { throw BundleError.missing("victims/bank-holidays-england-and-wales.csv") }
        let text = try String(contentsOf: url, encoding: .utf8)
        var days: [CalendarDay] = []
        for (k, line) in text.split(whereSeparator: \.isNewline).enumerated() where k > 0 {
            let field = line.split(separator: ",", maxSplits: 1).first.map(String.init) ?? ""
            guard let day = CalendarDay(field) else {
                throw BundleError.malformed(
                    "bank-holidays-england-and-wales.csv line \(k + 1): “\(field)” is not a date")
            }
            days.append(day)
        }
        return WorkingDays(holidays: days + extra)
    }

    enum BundleError: Error, CustomStringConvertible {
        case missing(String), malformed(String)
        var description: String {
            switch self {
            case .missing(let f): "\(f) is missing from the build"
            case .malformed(let m): m
            }
        }
    }

    /// 0 Monday … 6 Sunday.
    static func weekday(_ number: Int) -> Int { ((number % 7) + 7 + 3) % 7 }

    func isWorkingDay(_ day: CalendarDay) -> Bool { isWorkingDay(number: day.dayNumber) }

    func isWorkingDay(number: Int) -> Bool { Self.weekday(number) < 5 && !holidaySet.contains(number) }

    /// The `n`th working day after `day` (`day` itself for 0): a limit of "1 working day" from
    /// an event on a Friday falls on the Monday, or the Tuesday after a bank holiday Monday.
    /// `n` is capped at ten years of working days (limits are a few days: a short walk).
    func adding(_ n: Int, to day: CalendarDay) -> CalendarDay {
        var number = day.dayNumber
        var left = min(max(n, 0), 2_600)
        while left > 0 {
            number += 1
            if isWorkingDay(number: number) { left -= 1 }
        }
        return CalendarDay(dayNumber: number)
    }

    /// Working days after `start` up to and including `end` (0 when `end` is not after it):
    /// how late a right met on `end` was against a limit counted from `start`.
    func count(from start: CalendarDay, to end: CalendarDay) -> Int {
        let a = start.dayNumber, b = end.dayNumber
        guard b > a else { return 0 }
        let days = b - a
        var weekdays = (days / 7) * 5
        var d = a + (days / 7) * 7
        while d < b {
            d += 1
            if Self.weekday(d) < 5 { weekdays += 1 }
        }
        return weekdays - holidays(after: a, through: b)
    }

    /// Weekday holidays in (a, b].
    private func holidays(after a: Int, through b: Int) -> Int {
        guard b > a else { return 0 }
        let lo = firstIndex(greaterThan: a), hi = firstIndex(greaterThan: b)
        return holidays[lo..<hi].filter { Self.weekday($0) < 5 }.count
    }

    private func firstIndex(greaterThan x: Int) -> Int {
        var lo = 0, hi = holidays.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if holidays[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

extension CalendarDay {
    /// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's `days_from_civil`).
    var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day `number` days after 1970-01-01 (`civil_from_days`).
    init(dayNumber number: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(unchecked: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }
}
