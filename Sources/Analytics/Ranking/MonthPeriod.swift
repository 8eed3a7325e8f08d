import CrimeData

/// A run of whole months, as police.uk publishes them: `first` and `last` are YYYYMM
/// (e.g. 202507), both included.
public struct MonthPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    public var first: Int
    public var last: Int

    public init(first: Int, last: Int) {
        precondition(Self.isValid(first) && Self.isValid(last) && first <= last, "months are YYYYMM, first ≤ last")
        self.first = first
        self.last = last
    }

    /// The `count` months ending with `last`.
    public init(ending last: Int, count: Int) {
        self.init(first: Self.add(-(count - 1), to: last), last: last)
    }

    public static func isValid(_ yyyymm: Int) -> Bool { (1...12).contains(yyyymm % 100) && yyyymm / 100 >= 1900 }

    /// `yyyymm` moved by `months` (negative for earlier).
    public static func add(_ months: Int, to yyyymm: Int) -> Int {
        let index = (yyyymm / 100) * 12 + (yyyymm % 100 - 1) + months
        return (index / 12) * 100 + index % 12 + 1
    }

    public var count: Int { (last / 100 - first / 100) * 12 + (last % 100 - first % 100) + 1 }
    public var months: [Int] { (0..<count).map { Self.add($0, to: first) } }
    public func contains(_ yyyymm: Int) -> Bool { yyyymm >= first && yyyymm <= last }

    /// The same number of months immediately before.
    public var previous: MonthPeriod { MonthPeriod(ending: Self.add(-1, to: first), count: count) }
    /// The same months a year earlier.
    public var yearEarlier: MonthPeriod { MonthPeriod(first: Self.add(-12, to: first), last: Self.add(-12, to: last)) }

    public var description: String {
        let (a, b) = (ByteParsing.monthString(first), ByteParsing.monthString(last))
        return first == last ? a : "\(a) to \(b)"
    }
}
