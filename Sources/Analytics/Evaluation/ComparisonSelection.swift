import Foundation

/// Chooses comparison areas for a treated area from untreated candidates (typically LSOAs),
/// matched on the level and the path of the outcome before the intervention.
///
/// Greedy forward selection: starting from nothing, add the candidate that makes the
/// group's monthly profile (each month's share of the group's total) closest to the treated
/// area's, by the sum of squared differences of the shares; stop once the group has at
/// least `minimum` members and `levelMultiple` times the treated area's total (a comparison
/// larger than the area keeps its own noise out of the estimate), or at `maximum`. Matching on the profile matches trend
/// and seasonality; the stopping rule matches the level. This is nearest-neighbour
/// matching on pre-period outcomes in the sense of Abadie, A., Diamond, A. & Hainmueller,
/// J. (2010), "Synthetic control methods for comparative case studies", JASA 105(490),
/// with equal weights instead of fitted ones so that partners can see and change the
/// choice.
public enum ComparisonSelection {
    public struct Candidate: Sendable, Hashable {
        public var id: String
        public var series: [Double]
        public init(id: String, series: [Double]) {
            self.id = id
            self.series = series
        }
    }

    /// How well a comparison group matches the treated area before the intervention.
    public struct Match: Sendable, Hashable, Codable {
        /// Comparison total over treated total.
        public var levelRatio: Double
        /// Annual change (per cent) of each, from a log-linear Poisson trend.
        public var treatedTrend: Double?
        public var comparisonTrend: Double?
        /// Pearson correlation of the two monthly series.
        public var correlation: Double?

        /// "good", "fair" or "poor": correlation ≥ 0.7 and trends within 10 points is good;
        /// correlation ≥ 0.4 and trends within 20 points is fair.
        public var grade: String {
            var gap = Double.infinity
            if let t = treatedTrend, let c = comparisonTrend { gap = abs(t - c) }
            let r = correlation ?? 0
            if r >= 0.7 && gap <= 10 { return "good" }
            if r >= 0.4 && gap <= 20 { return "fair" }
            return "poor"
        }
    }

    public static func select(
        treated: [Double], candidates: [Candidate], levelMultiple: Double = 2, minimum: Int = 5, maximum: Int = 150
    ) -> [String] {
        let total = treated.reduce(0, +)
        guard total > 0 else { return [] }
        let months = treated.count
        let target = treated.map { $0 / total }
        let pool = candidates.filter { $0.series.count == months && $0.series.reduce(0, +) > 0 }
        // Candidates' series in one flat buffer, with their totals.
        let flat = pool.flatMap(\.series)
        let totals = pool.map { $0.series.reduce(0, +) }
        var used = [Bool](repeating: false, count: pool.count)
        var sum = [Double](repeating: 0, count: months)
        var sumTotal = 0.0
        var chosen: [String] = []
        while chosen.count < maximum, chosen.count < pool.count {
            var best = -1, bestScore = Double.infinity
            flat.withUnsafeBufferPointer { series in
                for k in pool.indices where !used[k] {
                    let g = 1 / (sumTotal + totals[k])
                    var score = 0.0
                    let base = k * months
                    for t in 0..<months {
                        let d = target[t] - (sum[t] + series[base + t]) * g
                        score += d * d
                    }
                    if score < bestScore || (score == bestScore && pool[k].id < pool[best].id) {
                        best = k
                        bestScore = score
                    }
                }
            }
            used[best] = true
            for t in 0..<months { sum[t] += flat[best * months + t] }
            sumTotal += totals[best]
            chosen.append(pool[best].id)
            if chosen.count >= minimum && sumTotal >= levelMultiple * total { break }
        }
        return chosen
    }

    /// Match statistics of a comparison series against the treated series.
    public static func match(treated: [Double], comparison: [Double]) -> Match {
        let t = treated.reduce(0, +), c = comparison.reduce(0, +)
        return Match(
            levelRatio: t > 0 ? c / t : 0, treatedTrend: annualTrend(treated), comparisonTrend: annualTrend(comparison),
            correlation: correlation(treated, comparison))
    }

    /// Annual percentage change from the Poisson fit log μ_t = a + b·t (t in months):
    /// (e^{12b} − 1)·100; nil for fewer than six months or no incidents.
    public static func annualTrend(_ series: [Double]) -> Double? {
        guard series.count >= 6, series.reduce(0, +) > 0 else { return nil }
        let x = series.indices.map { [1.0, Double($0)] }
        guard let fit = try? PoissonRegression.fit(counts: series, design: x) else { return nil }
        return (exp(12 * fit.coefficients[1]) - 1) * 100
    }

    /// Pearson correlation; nil when either series is constant.
    public static func correlation(_ a: [Double], _ b: [Double]) -> Double? {
        let n = Double(a.count)
        guard a.count == b.count, a.count > 2 else { return nil }
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) {
            sab += (x - ma) * (y - mb)
            saa += (x - ma) * (x - ma)
            sbb += (y - mb) * (y - mb)
        }
        guard saa > 0, sbb > 0 else { return nil }
        return sab / (saa * sbb).squareRoot()
    }
}
