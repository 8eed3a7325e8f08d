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

    init(_ date: Date) {
        let c = Self.calendar.dateComponents([.year, .month, .day], from: date)
        (year, month, day) = (c.year!, c.month!, c.day!)
    }

    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Europe/London")!
        return c
    }()

    var date: Date {
        var c = DateComponents()
        (c.year, c.month, c.day) = (year, month, day)
        return Self.calendar.date(from: c)!
    }

    var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// "1 July 2025".
    var long: String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        return "\(day) \(names[month - 1]) \(year)"
    }

    func days(until other: CalendarDay) -> Int {
        Self.calendar.dateComponents([.day], from: date, to: other.date).day!
    }

    static func < (a: CalendarDay, b: CalendarDay) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}
