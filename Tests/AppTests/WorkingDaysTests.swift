@testable import App
import Foundation
import Testing

/// Working days for the Victims' Code clocks: day numbers, weekdays, the bundled bank
/// holidays, adding and counting across weekends and holidays (against a day-by-day walk).
@Suite("working days in England and Wales")
struct WorkingDaysTests {
    @Test("day numbers: 1970-01-01 is day 0, a Thursday; every day 1900–2100 round-trips and has Foundation's weekday")
    func dayNumbers() throws {
        let epoch = try #require(CalendarDay("1970-01-01"))
        #expect(epoch.dayNumber == 0 && WorkingDays.weekday(0) == 3)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = try #require(CalendarDay("1900-01-01")).dayNumber
        let end = try #require(CalendarDay("2100-12-31")).dayNumber
        var previous = start - 1
        for n in start...end {
            let day = CalendarDay(dayNumber: n)
            #expect(day.dayNumber == n && n == previous + 1)
            previous = n
            if n % 97 == 0 {  // Foundation is slow: a sample of the days
                #expect(CalendarDay(day.description) == day)
                let date = try #require(
                    calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)))
                let foundation = (calendar.component(.weekday, from: date) + 5) % 7  // Sunday 1 → 6
                #expect(WorkingDays.weekday(n) == foundation, "\(day)")
            }
        }
    }

    @Test("the bundled list: eight a year, ten in 2022, nine in 2023; substitute days where they fall")
    func bundled() throws {
        let w = try WorkingDays.bundled()
        var perYear: [Int: Int] = [:]
        for n in w.holidays { perYear[CalendarDay(dayNumber: n).year, default: 0] += 1 }
        for y in 2018...2030 {
            #expect(perYear[y] == (y == 2022 ? 10 : y == 2023 ? 9 : 8), "\(y)")
        }
        for holiday in [
            "2020-05-08", "2021-12-27", "2021-12-28", "2022-06-03", "2022-09-19", "2026-12-28", "2027-03-26",
        ] {
            #expect(!w.isWorkingDay(try #require(CalendarDay(holiday))), "\(holiday)")
        }
        for workday in ["2020-05-04", "2022-05-30", "2026-12-29", "2026-12-02"] {
            #expect(w.isWorkingDay(try #require(CalendarDay(workday))), "\(workday)")
        }
        // A day the admins add counts too.
        let extra = try WorkingDays.bundled(extra: [try #require(CalendarDay("2026-12-02"))])
        #expect(!extra.isWorkingDay(try #require(CalendarDay("2026-12-02"))))
    }

    @Test("adding and counting: Easter, Christmas, weekends; count inverts adding everywhere")
    func arithmetic() throws {
        let w = try WorkingDays.bundled()
        func day(_ s: String) throws -> CalendarDay { try #require(CalendarDay(s)) }
        #expect(w.adding(1, to: try day("2025-04-17")) == (try day("2025-04-22")))  // Good Friday, Easter Monday
        #expect(w.adding(1, to: try day("2021-12-24")) == (try day("2021-12-29")))  // two substitute days
        #expect(w.adding(1, to: try day("2026-11-28")) == (try day("2026-11-30")))  // Saturday → Monday
        #expect(w.adding(5, to: try day("2026-11-30")) == (try day("2026-12-07")))
        #expect(w.adding(0, to: try day("2026-11-28")) == (try day("2026-11-28")))
        #expect(w.count(from: try day("2025-04-17"), to: try day("2025-04-22")) == 1)
        #expect(w.count(from: try day("2025-04-17"), to: try day("2025-04-23")) == 2)
        #expect(w.count(from: try day("2025-04-17"), to: try day("2025-04-17")) == 0)
        #expect(w.count(from: try day("2025-04-23"), to: try day("2025-04-17")) == 0)
        // Against a day-by-day walk, seeded.
        var rng = SplitMix64(seed: 18)
        let base = try day("2018-01-01").dayNumber
        for _ in 0..<2_000 {
            let a = CalendarDay(dayNumber: base + Int(rng.next() % 4_400))
            let b = CalendarDay(dayNumber: a.dayNumber + Int(rng.next() % 400))
            var walked = 0
            var n = a.dayNumber
            while n < b.dayNumber {
                n += 1
                if w.isWorkingDay(number: n) { walked += 1 }
            }
            #expect(w.count(from: a, to: b) == walked, "\(a) to \(b)")
            let k = Int(rng.next() % 30)
            #expect(w.count(from: a, to: w.adding(k, to: a)) == k, "\(a) + \(k)")
        }
    }
}
