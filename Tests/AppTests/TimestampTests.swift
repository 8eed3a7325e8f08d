@testable import App
import Foundation
import Testing

/// Stored moments and UK dates by arithmetic, against Foundation's formatter and calendar.
@Suite("timestamps and UK dates by arithmetic")
struct TimestampTests {
    @Test("stored text equals ISO8601DateFormatter's, and reads back, for moments from 1970 to 2100")
    func stored() {
        let formatter = ISO8601DateFormatter()
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let t = Double(Int.random(in: 0..<4_102_444_800, using: &rng))
            let d = Date(timeIntervalSince1970: t)
            #expect(d.stored == formatter.string(from: d), "\(t)")
            #expect(Date(stored: d.stored) == d, "\(t)")
        }
        #expect(Date(stored: "2025-06-31T10:00:00Z") == nil)
        #expect(Date(stored: "2025-13-01T10:00:00Z") == nil)
        #expect(Date(stored: "not a date") == nil)
        // Other ISO 8601 forms go through the formatter, as before.
        #expect(Date(stored: "2025-07-12T20:30:00+01:00") == Date(stored: "2025-07-12T19:30:00Z"))
        #expect(Date(stored: "2025-07-12T19:30:00Z")?.timeIntervalSince1970 == 1_752_348_600)
    }

    @Test(
        "the UK date of a moment, and a day's midnight, agree with Foundation's Europe/London calendar hourly, 1996-2040"
    )
    func london() {
        let calendar = CalendarDay.calendar
        var t = 820_454_400  // 1996-01-01
        while t < 2_208_988_800 {  // 2040-01-01
            let d = Date(timeIntervalSince1970: Double(t))
            let c = calendar.dateComponents([.year, .month, .day], from: d)
            let day = CalendarDay(d)
            #expect(day.year == c.year && day.month == c.month && day.day == c.day, "\(d)")
            if t % 86_400 == 0 {
                #expect(day.date == calendar.startOfDay(for: d), "\(d)")
            }
            t += 3_600
        }
        #expect(
            CalendarDay(unchecked: 2026, month: 3, day: 29).days(until: CalendarDay(unchecked: 2026, month: 4, day: 2))
                == 4)
        #expect(CalendarDay(unchecked: 987, month: 1, day: 2).description == "0987-01-02")
    }

    @Test("a stored day read by its digits agrees with the full parser on every day 1899–2101 and the impossible ones")
    func dayDigits() {
        // A leading space sends the text the long way (trimming, Foundation's calendar).
        var checked = 0
        for y in [1899, 1900, 1996, 2000, 2023, 2024, 2026, 2100, 2101] {
            for m in 0...13 {
                for d in 0...32 {
                    let text = String(format: "%04d-%02d-%02d", y, m, d)
                    #expect(CalendarDay(text) == CalendarDay(" " + text), "\(text)")
                    checked += 1
                }
            }
        }
        for y in 1899...2101 {
            for m in 1...12 {
                for d in 1...31 {
                    let text = String(format: "%04d-%02d-%02d", y, m, d)
                    if CalendarDay(text) != CalendarDay(" " + text) {
                        Issue.record("\(text) differs")
                        return
                    }
                    checked += 1
                }
            }
        }
        for odd in ["2026-1-01", "2026/01/01", "20260101", "２０２６-01-01", "2026-01-01 ", "", "abcd-ef-gh"] {
            #expect(CalendarDay(odd) == CalendarDay(" " + odd), "\(odd)")
        }
        #expect(checked > 75_000)
    }

    @Test("every demo account's printed password passes the password rules (the demo would stop otherwise)")
    func demoPasswords() {
        for a in DemoAccounts.accounts {
            #expect(
                Passwords.problem(a.password, email: a.email) == nil,
                "\(a.email): \(Passwords.problem(a.password, email: a.email) ?? "")")
        }
    }
}
