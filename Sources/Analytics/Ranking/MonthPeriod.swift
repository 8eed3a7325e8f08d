import CrimeData

/// A run of whole months, as police.uk publishes them: `first` and `last` are YYYYMM
/// (e.g. 202507), both included.
public struct MonthPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    public var first: Int
    public var last: Int

    /// Never traps, whatever it is given: input is validated where it enters (`isSupported`),
    /// and a period derived from a valid one (a year earlier, the months before) may fall
    /// outside police.uk's range and simply holds no data. A `last` before `first` is an
    /// empty period (`count` 0).
    public init(first: Int, last: Int) {
        self.first = first
        self.last = last
    }

    /// The `count` months ending with `last`.
    public init(ending last: Int, count: Int) {
        self.init(first: Self.add(-(max(count, 1) - 1), to: last), last: last)
    }

    public static func isValid(_ yyyymm: Int) -> Bool { (1...12).contains(yyyymm % 100) && yyyymm / 100 >= 1900 }

    /// The months a request or a stored record may name: 1900-01 to 9999-12. Periods derived
    /// from them (a year earlier, a baseline before) may reach a little outside and are
    /// still computed, holding no data.
    public static let supported = 190001...999912

    /// Whether `yyyymm` is a real month in the supported range.
    public static func isSupported(_ yyyymm: Int) -> Bool { isValid(yyyymm) && supported.contains(yyyymm) }

    /// `yyyymm` moved by `months` (negative for earlier). Saturates rather than overflows
    /// for absurd inputs, so it never traps.
    public static func add(_ months: Int, to yyyymm: Int) -> Int {
        let limit = 1 << 40
        let base = max(-limit, min(limit, yyyymm)), step = max(-limit, min(limit, months))
        let index = (base / 100) * 12 + (base % 100 - 1) + step
        let year = index >= 0 ? index / 12 : (index - 11) / 12
        return year * 100 + (index - year * 12) + 1
    }

    /// The number of months; 0 when `last` is before `first`.
    public var count: Int {
        let f = Self.add(0, to: first), l = Self.add(0, to: last)
        return max(0, (l / 100 - f / 100) * 12 + (l % 100 - f % 100) + 1)
    }
    public var months: [Int] { (0..<count).map { Self.add($0, to: first) } }
    public func contains(_ yyyymm: Int) -> Bool { yyyymm >= first && yyyymm <= last }

    /// The calendar years wholly inside the period, and the months of the period outside
    /// them (before the first whole year, after the last), so that a sum over the period can
    /// read yearly totals for the years and monthly ones for the rest. Without a whole year,
    /// `years` is nil and `months` is the period itself; an empty period has neither.
    public var byWholeYears: (years: ClosedRange<Int>?, months: [MonthPeriod]) {
        guard count > 0 else { return (nil, []) }
        // Years before 1 AD never hold data and their month numbers do not split this way;
        // absurd ones are left whole rather than risk an overflow.
        guard first >= 101, last < 1 << 40 else { return (nil, [self]) }
        let firstYear = first % 100 == 1 ? first / 100 : first / 100 + 1
        let lastYear = last % 100 == 12 ? last / 100 : last / 100 - 1
        guard firstYear <= lastYear else { return (nil, [self]) }
        var months: [MonthPeriod] = []
        if first % 100 != 1 { months.append(MonthPeriod(first: first, last: (firstYear - 1) * 100 + 12)) }
        if last % 100 != 12 { months.append(MonthPeriod(first: (lastYear + 1) * 100 + 1, last: last)) }
        return (firstYear...lastYear, months)
    }

    /// The same number of months immediately before.
    public var previous: MonthPeriod { MonthPeriod(ending: Self.add(-1, to: first), count: count) }
    /// The same months a year earlier.
    public var yearEarlier: MonthPeriod { MonthPeriod(first: Self.add(-12, to: first), last: Self.add(-12, to: last)) }

    public var description: String {
        let (a, b) = (ByteParsing.monthString(first), ByteParsing.monthString(last))
        return first == last ? a : "\(a) to \(b)"
    }
}
