import Analytics
import CrimeData
import Foundation

/// What a measure's figures say, read once for the scorecard, the measure page, the CSV and
/// the published plan: the SPC chart and its icons, the baseline and the change on it with
/// its test, last year against the year before, and the sentence that says it in words.
struct MeasureReading: Sendable {
    var measure: Measure
    var values: [MeasureValue]
    var rebases: [MeasureRebase]
    var chart: SPC.Chart
    var variation: SPC.Variation
    var assurance: SPC.Assurance?
    var baseline: Double?
    var target: Double?
    /// The latest 12 months (4 quarters) against the 12 before, for counts.
    var yearOnYear: CountComparison?
    /// The latest 12 months against the baseline, for counts (exact Poisson test).
    var onBaseline: CountComparison?
    /// Projected value at the target month from the last 12 points' linear trend.
    var projection: Double?

    init(_ m: Measure, values: [MeasureValue], rebases: [MeasureRebase]) {
        measure = m
        self.values = values
        self.rebases = rebases
        let ys = values.map(\.value)
        let cuts = rebases.compactMap { r in values.firstIndex { $0.period >= r.period } }
        chart = SPC.chart(ys, rebaseAt: cuts, fixAfter: m.fixLimitsAfter)
        variation = chart.variation(m.direction)
        if let v = m.baselineValue {
            baseline = v
        } else if let first = m.baselineFirst, let last = m.baselineLast {
            let inBaseline = values.filter { $0.period >= first && $0.period <= last }.map(\.value)
            baseline = inBaseline.isEmpty ? nil : inBaseline.reduce(0, +) / Double(inBaseline.count)
        }
        target = m.targetLevel(baseline: baseline)
        assurance = chart.latestLimits.flatMap { SPC.Assurance.of(target: target, limits: $0, direction: m.direction) }
        let year = m.frequency == .monthly ? 12 : 4
        if m.sourceKind == .crimes, values.count >= 2 * year {
            let counts = values.map { Int(($0.numerator ?? 0).rounded()) }
            let latest = counts.suffix(year).reduce(0, +)
            let before = counts.dropLast(year).suffix(year).reduce(0, +)
            yearOnYear = CountComparison(current: max(0, latest), baseline: max(0, before))
            if let first = m.baselineFirst, let last = m.baselineLast {
                let base = zip(values, counts).filter { $0.0.period >= first && $0.0.period <= last }.map(\.1)
                if !base.isEmpty {
                    onBaseline = CountComparison(
                        current: max(0, latest), baseline: max(0, base.reduce(0, +)),
                        exposureRatio: Double(year) / Double(base.count))
                }
            }
        }
        if let by = m.targetBy, let lastPeriod = values.last?.period, values.count >= 6 {
            let recent = Array(ys.suffix(year))
            let n = Double(recent.count)
            let xs = (0..<recent.count).map(Double.init)
            let mx = xs.reduce(0, +) / n, my = recent.reduce(0, +) / n
            let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
            let sxy = zip(xs, recent).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
            let slope = sxx > 0 ? sxy / sxx : 0
            let step = m.frequency == .monthly ? 1 : 3
            let ahead = Double(MonthPeriod(first: lastPeriod, last: max(lastPeriod, by)).count - 1) / Double(step)
            projection = my + slope * ((n - 1 - mx) + ahead)
        }
    }

    var latest: MeasureValue? { values.last }

    /// "Sep 2025" or "Jul–Sep 2025".
    static func periodLabel(_ period: Int, _ frequency: MeasureFrequency) -> String {
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let m = min(max(period % 100, 1), 12)
        if frequency == .quarterly {
            let last = min(m + 2, 12)
            return "\(names[m - 1])–\(names[last - 1]) \(period / 100)"
        }
        return "\(names[m - 1]) \(period / 100)"
    }

    static func monthName(_ period: Int) -> String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        return "\(names[min(max(period % 100, 1), 12) - 1]) \(period / 100)"
    }

    func format(_ v: Double) -> String {
        let decimals =
            measure.isRate || measure.sourceKind == .stopSearchFindRate || measure.sourceKind == .chargeSummonsShare
                || measure.unit.contains("%") ? 1 : 0
        let text = Format.number(v, decimals: abs(v) < 10 && decimals == 0 && v != v.rounded() ? 1 : decimals)
        return measure.unit.hasPrefix("%") ? text + "%" : text
    }

    /// How many points the special cause of the last point spans (the run it is part of).
    var signalLength: Int {
        guard let last = chart.causes.last ?? nil else { return 0 }
        var n = 0
        for c in chart.causes.reversed() {
            guard let c, c == last else { break }
            n += 1
        }
        return n
    }

    var periodWord: String { measure.frequency == .monthly ? "months" : "quarters" }

    /// The scorecard's sentence.
    var sentence: String {
        let name = measure.name
        guard !values.isEmpty else { return "\(name) has no figures yet." }
        var s: String
        let judgement: String
        switch variation {
        case .improvementHigh, .improvementLow: judgement = " — an improvement"
        case .concernHigh, .concernLow: judgement = " — a concern"
        default: judgement = ""
        }
        switch chart.causes.last ?? nil {
        case .trend(let increasing):
            s =
                "\(name) is \(increasing ? "rising" : "falling"): the last \(signalLength) \(periodWord) were each "
                + "\(increasing ? "above" : "below") the one before\(judgement)."
        case .shift(let high):
            s =
                "\(name) has been \(high ? "above" : "below") its average for the last \(signalLength) \(periodWord)"
                + "\(judgement)."
        case .outside(let high):
            s =
                "\(name)'s latest figure is \(high ? "above the upper" : "below the lower") process limit: "
                + "unusually \(high ? "high" : "low")\(judgement)."
        case .twoInThree(let high):
            s =
                "Two of \(name)'s last three figures were close to the \(high ? "upper" : "lower") process limit"
                + "\(judgement)."
        case nil:
            s = "\(name) is within its usual range: no sign of change (common cause variation)."
        }
        if let t = target {
            let targetText = targetDescription(t)
            if let p = projection, let by = measure.targetBy {
                let meets =
                    switch measure.direction {
                    case .up: p >= t
                    case .down: p <= t
                    case .neutral: false
                    }
                if measure.direction != .neutral {
                    s +=
                        " At this rate it \(meets ? "reaches" : "does not reach") the target of \(targetText) by "
                        + "\(Self.monthName(by))."
                }
            } else if let a = assurance {
                switch a {
                case .consistentlyPassing: s += " It meets the target of \(targetText) every period."
                case .consistentlyFailing: s += " It will not meet the target of \(targetText) without a change."
                case .hitAndMiss:
                    s += " It will meet the target of \(targetText) in some periods and miss it in others."
                }
            }
        }
        return s
    }

    func targetDescription(_ t: Double) -> String {
        if measure.targetKind == .percent, let v = measure.targetValue {
            return
                "\(v > 0 ? "+" : v < 0 ? "−" : "")\(Format.number(abs(v), decimals: v == v.rounded() ? 0 : 1))% on the baseline (\(format(t)))"
        }
        return format(t)
    }

    /// "Last 12 months 4,210 against 4,876 the year before: −13.7%, a significant fall (p < 0.001)."
    var yearOnYearSentence: String? {
        guard let c = yearOnYear, let change = c.percentChange else { return nil }
        let span = measure.frequency == .monthly ? "12 months" : "4 quarters"
        return
            "Last \(span) \(Format.count(Int(c.current))) against \(Format.count(Int(c.baseline))) the \(span) before: "
            + Self.changeWords(change, c)
    }

    var onBaselineSentence: String? {
        guard let c = onBaseline, let change = c.percentChange else { return nil }
        return "Against the baseline's rate: " + Self.changeWords(change, c)
    }

    static func changeWords(_ change: Double, _ c: CountComparison) -> String {
        let direction = change < 0 ? "fall" : "rise"
        let p = c.p < 0.001 ? "p < 0.001" : "p = \(Format.number(c.p, decimals: 3))"
        return "\(change < 0 ? "−" : "+")\(Format.number(abs(change), decimals: 1))%, "
            + (c.isSignificant() ? "a significant \(direction) (\(p))." : "not a significant change (\(p)).")
    }
}
