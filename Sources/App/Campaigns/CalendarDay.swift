import Foundation

/// A calendar date, `YYYY-MM-DD`, in UK civil terms (no time, no zone).
struct CalendarDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    let year: Int, month: Int, day: Int

    init?(_ text: String) {
        // The stored form, exactly `YYYY-MM-DD`, by its digits (Foundation's trimming,
        // splitting and calendar were 15% of the compliance report over 100,000 cases);
        // anything else the long way. Tested to agree on every day from 1899 to 2101 and on
        // the invalid ones.
        switch Self.exact(text) {
        case .some(.some(let day)):
            self = day
            return
        case .some(.none): return nil  // the stored form, but no such day
        case .none: break  // another form: the long way
        }
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), y >= 1900
        else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day) = (y, m, d)
        guard let date = Self.calendar.date(from: c), Self.calendar.component(.day, from: date) == d else { return nil }
        (year, month, day) = (y, m, d)
    }

    /// For text of exactly ten ASCII bytes `DDDD-DD-DD`: the day, or nil if there is no such
    /// day from 1900 on. For any other text: nil outside (the full parser judges it).
    static func exact(_ text: String) -> CalendarDay?? {
        let found = text.utf8.withContiguousStorageIfAvailable { b -> CalendarDay?? in
            guard b.count == 10, b[4] == 45, b[7] == 45 else { return .none }
            func number(_ from: Int, _ to: Int) -> Int? {
                var n = 0
                for i in from..<to {
                    guard b[i] >= 48, b[i] <= 57 else { return nil }
                    n = n * 10 + Int(b[i] - 48)
                }
                return n
            }
            guard let y = number(0, 4), let m = number(5, 7), let d = number(8, 10) else { return .none }
            guard y >= 1900, (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return .some(nil) }
            return .some(CalendarDay(unchecked: y, month: m, day: d))
        }
        return found ?? .none
    }

    static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A date already known to be valid (computed, not typed).
    init(unchecked year: Int, month: Int, day: Int) { (self.year, self.month, self.day) = (year, month, day) }

    /// The UK civil date at `date` (Europe/London: an hour ahead of UTC in British Summer
    /// Time), by arithmetic: tested against Foundation's calendar hour by hour across the
    /// clock changes.
    init(_ date: Date) {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        self.init(dayNumber: (t + Self.londonOffset(utc: t)).floorDivided(by: 86_400))
    }

    /// Europe/London's offset from UTC in seconds at `t` seconds after 1970: 3600 from 01:00
    /// UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October (the rule
    /// since 1996), 0 otherwise.
    static func londonOffset(utc t: Int) -> Int {
        let year = CalendarDay(dayNumber: t.floorDivided(by: 86_400)).year
        func lastSunday(_ month: Int) -> Int {
            let last = CalendarDay(unchecked: year, month: month, day: 31).dayNumber
            return last - (WorkingDays.weekday(last) + 1) % 7
        }
        let start = lastSunday(3) * 86_400 + 3_600, end = lastSunday(10) * 86_400 + 3_600
        return t >= start && t < end ? 3_600 : 0
    }

    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Europe/London") ?? c.timeZone
        return c
    }()

    /// Midnight at the start of this day in the UK.
    var date: Date {
        let local = dayNumber * 86_400
        return Date(timeIntervalSince1970: Double(local - Self.londonOffset(utc: local - 3_600)))
    }

    var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        let y = String(year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + two(month) + "-" + two(day)
    }

    /// "1 July 2025".
    var long: String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        return "\(day) \(names[month - 1]) \(year)"
    }

    func days(until other: CalendarDay) -> Int { other.dayNumber - dayNumber }

    static func < (a: CalendarDay, b: CalendarDay) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}
