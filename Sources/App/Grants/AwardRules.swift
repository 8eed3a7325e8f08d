import Foundation

/// The rules of a grant once awarded, pure: when monitoring returns fall due, when a return
/// is overdue, whether an instalment may be paid, and how outputs add up against targets.
enum AwardRules {
    /// Quarterly returns over the grant's life: one for each calendar quarter the grant
    /// touches, due 30 days after the quarter ends (or after the grant ends, for the last).
    /// Labels read "April to June 2026".
    static func quarterlyReturns(startsOn: CalendarDay, endsOn: CalendarDay) -> [(label: String, due: CalendarDay)] {
        guard startsOn <= endsOn else { return [] }
        var out: [(String, CalendarDay)] = []
        var year = startsOn.year
        var quarterStart = ((startsOn.month - 1) / 3) * 3 + 1
        while true {
            let firstDay = CalendarDay(String(format: "%04d-%02d-01", year, quarterStart))
            guard let first = firstDay, first <= endsOn else { break }
            let endMonth = quarterStart + 2
            let last = first.lastDay(ofMonth: endMonth, year: year) ?? first
            let due = min(last, endsOn).adding(days: 30)
            out.append((NationalStatement.label(year * 100 + quarterStart), due))
            quarterStart += 3
            if quarterStart > 12 {
                quarterStart = 1
                year += 1
            }
            if out.count > 60 { break }  // a grant longer than 15 years is refused elsewhere
        }
        return out
    }

    enum ReturnStatus: String, Codable, Sendable, CaseIterable {
        case due, submitted, accepted, queried

        var label: String {
            switch self {
            case .due: "Due"
            case .submitted: "Submitted, awaiting review"
            case .accepted: "Accepted"
            case .queried: "Queried: to resubmit"
            }
        }
    }

    /// A return is overdue when it is past its due date and the grantee still owes it
    /// (never sent, or sent back with a query).
    static func isOverdue(status: ReturnStatus, due: CalendarDay, today: CalendarDay) -> Bool {
        (status == .due || status == .queried) && due < today
    }

    /// Why an instalment may not be paid now, or nil: it must not take the total paid over
    /// the award, and one conditional on a return needs a return due by the instalment's
    /// date to have been accepted.
    static func paymentProblem(
        amountPence: Int, paidSoFarPence: Int, awardPence: Int, needsAcceptedReturn: Bool, instalmentDue: CalendarDay?,
        acceptedReturnDues: [CalendarDay]
    ) -> String? {
        if amountPence <= 0 { return "Give the amount paid in pounds" }
        if paidSoFarPence + amountPence > awardPence {
            return
                "That would pay \(Grants.pounds(paidSoFarPence + amountPence)), more than the award of \(Grants.pounds(awardPence))"
        }
        if needsAcceptedReturn {
            guard let due = instalmentDue, acceptedReturnDues.contains(where: { $0 <= due }) else {
                return "This instalment waits for a monitoring return to be accepted"
            }
        }
        return nil
    }
}

extension CalendarDay {
    /// The last day of `month` (1–12) of `year`.
    func lastDay(ofMonth month: Int, year: Int) -> CalendarDay? {
        var c = DateComponents()
        (c.year, c.month, c.day) = (month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1)
        guard let next = Self.calendar.date(from: c) else { return nil }
        return CalendarDay(next).adding(days: -1)
    }

    /// The day `days` later (earlier if negative), by the calendar (not by 24-hour steps,
    /// which a clock change would upset).
    func adding(days: Int) -> CalendarDay {
        Self.calendar.date(byAdding: .day, value: days, to: date).map(CalendarDay.init) ?? self
    }
}
