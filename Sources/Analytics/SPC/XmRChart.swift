/// Statistical process control for one measure: the XmR chart and the special-cause rules
/// of NHS England's "Making Data Count", labelled as the NHS-R `NHSRplotthedots` package
/// labels them (its `ptd_spc_standard` and `ptd_special_cause_type`).
///
/// - Limits per segment (a segment starts at each rebase): the mean and the mean moving
///   range of the segment's first `fixAfter` points (all of them by default); process
///   limits mean ± 2.66 × mean moving range; near limits mean ± (2/3)(2.66) × it.
/// - Rules, per segment: a point strictly outside the limits; a **trend** of 7 points each
///   strictly above (or below) the one before (a tie breaks it; every point of the run is
///   flagged); **two in three**: in three consecutive points all on one side of the mean,
///   two or more strictly between the near limit and the limit (only those points are
///   flagged); a **shift** of 7 or more consecutive points on one side of the mean (a point
///   on the mean breaks it; every point flagged). Precedence when several apply: outside,
///   trend, two in three, shift.
/// - Fewer than 12 points in a segment: its limits are trial limits.
public enum SPC {
    public static let limitFactor = 2.66
    public static let nearLimitFactor = 2.0 * 2.66 / 3.0
    /// Points a segment needs before its limits are more than trial limits.
    public static let minimumPoints = 12
    /// Points of a trend or a shift.
    public static let runLength = 7

    public enum Direction: String, Sendable, CaseIterable, Codable {
        /// Higher is better.
        case up
        /// Lower is better.
        case down
        /// Neither (e.g. a count of activity).
        case neutral
    }

    public struct Limits: Sendable, Equatable {
        public var mean: Double
        public var meanMovingRange: Double
        public var upper: Double { mean + SPC.limitFactor * meanMovingRange }
        public var lower: Double { mean - SPC.limitFactor * meanMovingRange }
        public var upperNear: Double { mean + SPC.nearLimitFactor * meanMovingRange }
        public var lowerNear: Double { mean - SPC.nearLimitFactor * meanMovingRange }
    }

    /// Which rule marks a point, with its side or direction.
    public enum Cause: Sendable, Equatable {
        case outside(high: Bool)
        case trend(increasing: Bool)
        case twoInThree(high: Bool)
        case shift(high: Bool)

        /// Whether the cause points up (above the mean, or rising).
        public var high: Bool {
            switch self {
            case .outside(let h), .twoInThree(let h), .shift(let h): h
            case .trend(let i): i
            }
        }

        public var label: String {
            switch self {
            case .outside(let high): high ? "Above the upper limit" : "Below the lower limit"
            case .trend(let increasing): increasing ? "7-point trend (increasing)" : "7-point trend (decreasing)"
            case .twoInThree(let high): high ? "2 in 3 near the upper limit" : "2 in 3 near the lower limit"
            case .shift(let high): high ? "7 points above the mean" : "7 points below the mean"
            }
        }
    }

    /// The variation icon: what the last point says.
    public enum Variation: String, Sendable {
        case commonCause = "common-cause"
        case improvementHigh = "improvement-high"
        case improvementLow = "improvement-low"
        case concernHigh = "concern-high"
        case concernLow = "concern-low"
        case neutralHigh = "neutral-high"
        case neutralLow = "neutral-low"

        public static func of(_ cause: Cause?, direction: Direction) -> Variation {
            guard let cause else { return .commonCause }
            switch direction {
            case .neutral: return cause.high ? .neutralHigh : .neutralLow
            case .up: return cause.high ? .improvementHigh : .concernLow
            case .down: return cause.high ? .concernHigh : .improvementLow
            }
        }
    }

    /// The assurance icon: can the process be relied on to meet the target?
    public enum Assurance: String, Sendable {
        case consistentlyPassing = "consistently-passing"
        case consistentlyFailing = "consistently-failing"
        case hitAndMiss = "hit-and-miss"

        /// Nil without a target or a direction.
        public static func of(target: Double?, limits: Limits, direction: Direction) -> Assurance? {
            guard let target, target.isFinite else { return nil }
            switch direction {
            case .neutral: return nil
            case .up:
                if target <= limits.lower { return .consistentlyPassing }
                if target >= limits.upper { return .consistentlyFailing }
                return .hitAndMiss
            case .down:
                if target >= limits.upper { return .consistentlyPassing }
                if target <= limits.lower { return .consistentlyFailing }
                return .hitAndMiss
            }
        }
    }

    public struct Segment: Sendable, Equatable {
        /// Indexes of the points in the segment.
        public var range: Range<Int>
        public var limits: Limits
        /// Fewer than 12 points: the limits are trial limits.
        public var trial: Bool
    }

    public struct Chart: Sendable, Equatable {
        public var values: [Double]
        public var segments: [Segment]
        /// The rule marking each point, or nil (common cause).
        public var causes: [Cause?]

        /// The limits that apply to point `i`.
        public func limits(at i: Int) -> Limits? { segments.first { $0.range.contains(i) }?.limits }
        /// The last segment's limits: those the latest point is judged by.
        public var latestLimits: Limits? { segments.last?.limits }

        public func variation(_ direction: Direction) -> Variation {
            Variation.of(causes.last ?? nil, direction: direction)
        }
    }

    /// The XmR chart of `values` in time order. `rebaseAt` are indexes where new limits
    /// start (a dated change: a recording rule, a new system); `fixAfter` fixes each
    /// segment's limits from its first n points (nil: from all of them). Non-finite values
    /// are not expected (the callers store only finite figures); any found are treated as
    /// the segment mean, so they neither move the limits nor flag.
    public static func chart(_ values: [Double], rebaseAt: [Int] = [], fixAfter: Int? = nil) -> Chart {
        let cuts = Set(rebaseAt.filter { $0 > 0 && $0 < values.count }).sorted()
        let edges = [0] + cuts + [values.count]
        let bounds = values.isEmpty ? [] : zip(edges, edges.dropFirst()).map { $0..<$1 }
        var segments: [Segment] = []
        var causes = [Cause?](repeating: nil, count: values.count)
        for range in bounds {
            let y = Array(values[range])
            let fixed = Array(y.prefix(max(1, fixAfter ?? y.count))).filter(\.isFinite)
            let mean = fixed.isEmpty ? 0 : fixed.reduce(0, +) / Double(fixed.count)
            let clean = y.map { $0.isFinite ? $0 : mean }
            let fixedClean = Array(clean.prefix(max(1, fixAfter ?? clean.count)))
            let ranges = zip(fixedClean.dropFirst(), fixedClean).map { abs($0 - $1) }
            let mr = ranges.isEmpty ? 0 : ranges.reduce(0, +) / Double(ranges.count)
            let limits = Limits(mean: mean, meanMovingRange: mr)
            segments.append(Segment(range: range, limits: limits, trial: y.count < minimumPoints))
            for (offset, cause) in rules(clean, limits).enumerated() { causes[range.lowerBound + offset] = cause }
        }
        return Chart(values: values, segments: segments, causes: causes)
    }

    /// The rules over one segment, with their precedence.
    static func rules(_ y: [Double], _ l: Limits) -> [Cause?] {
        let n = y.count
        let side = y.map { v -> Int in v > l.mean ? 1 : (v < l.mean ? -1 : 0) }
        let outside = y.map { $0 > l.upper || $0 < l.lower }
        let near = y.indices.map { !outside[$0] && (y[$0] > l.upperNear || y[$0] < l.lowerNear) }

        // Trends: runs of 7 points each strictly above (below) the one before.
        var trend = [Bool?](repeating: nil, count: n)  // true: increasing
        if n >= runLength {
            var i = 0
            while i < n - 1 {
                let step = y[i + 1] > y[i] ? 1 : (y[i + 1] < y[i] ? -1 : 0)
                var j = i + 1
                if step != 0 {
                    while j + 1 < n, (y[j + 1] > y[j] ? 1 : (y[j + 1] < y[j] ? -1 : 0)) == step { j += 1 }
                    if j - i + 1 >= runLength {
                        // A turning point shared by two runs takes the later run's direction.
                        for k in i...j { trend[k] = step == 1 }
                    }
                }
                i = j
            }
        }

        // Two in three: a window of three on one side of the mean, two or more near.
        var twoInThree = [Bool](repeating: false, count: n)
        if n >= 3 {
            for start in 0...(n - 3) {
                let w = start..<(start + 3)
                let sum = w.reduce(0) { $0 + side[$1] }
                guard abs(sum) == 3, w.filter({ near[$0] }).count >= 2 else { continue }
                for k in w where near[k] { twoInThree[k] = true }
            }
        }

        // Shifts: 7 or more consecutive points on one side (0 breaks the run).
        var shift = [Bool](repeating: false, count: n)
        var runStart = 0
        for i in 0...n where i == n || side[i] != side[runStart] || side[i] == 0 {
            if i - runStart >= runLength && side[runStart] != 0 { for k in runStart..<i { shift[k] = true } }
            runStart = i
        }

        return (0..<n).map { i -> Cause? in
            if outside[i] { return .outside(high: side[i] > 0) }
            if let increasing = trend[i] { return .trend(increasing: increasing) }
            if twoInThree[i] { return .twoInThree(high: side[i] > 0) }
            if shift[i] { return .shift(high: side[i] > 0) }
            return nil
        }
    }
}
