import Foundation

/// A calendar date, `YYYY-MM-DD`, in UK civil terms (no time, no zone).
struct CalendarDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    let year: Int, month: Int, day: Int

    init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), y >= 1900
        else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day) = (y, m, d)
        guard let date = Self.calendar.date(from: c), Self.calendar.component(.day, from: date) == d else { return nil }
        (year, month, day) = (y, m, d)
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
