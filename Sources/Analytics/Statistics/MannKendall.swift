import Foundation

/// The Mann-Kendall test for a monotonic trend in a series (Mann 1945; Kendall 1975),
/// with the tie correction of the variance, as in Hipel & McLeod (1994) §23.3 and
/// `pymannkendall.original_test`:
///
///     S = Σ_{i<j} sign(x_j − x_i)
///     Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18   (t: sizes of tied groups)
///     Z = (S − 1)/√Var(S) if S > 0;  0 if S = 0;  (S + 1)/√Var(S) if S < 0
///     p = 2 · (1 − Φ(|Z|)),  τ = S / (n(n−1)/2)
public struct MannKendall: Sendable, Hashable, Codable {
    public var s: Double
    public var variance: Double
    public var z: Double
    public var p: Double
    public var tau: Double

    public enum Trend: String, Sendable { case increasing, decreasing, none }

    /// The trend at significance level `alpha` (two-sided).
    public func trend(alpha: Double = 0.05) -> Trend {
        guard p <= alpha else { return .none }
        return z > 0 ? .increasing : .decreasing
    }

    /// Tests `series`; NaN values are left out. Fewer than three values cannot show a
    /// trend: S = 0 and p = 1.
    public init<C: Collection>(_ series: C) where C.Element == Double {
        let x = series.filter { !$0.isNaN }
        let n = x.count
        var s = 0
        for i in 0..<n {
            let xi = x[i]
            for j in (i + 1)..<max(i + 1, n) {
                s += x[j] > xi ? 1 : (x[j] < xi ? -1 : 0)
            }
        }
        var tieTerm = 0.0
        if n > 1 {
            let sorted = x.sorted()
            var run = 1
            for i in 1...n {
                if i < n && sorted[i] == sorted[i - 1] {
                    run += 1
                } else {
                    if run > 1 { let t = Double(run); tieTerm += t * (t - 1) * (2 * t + 5) }
                    run = 1
                }
            }
        }
        let nd = Double(n)
        let variance = (nd * (nd - 1) * (2 * nd + 5) - tieTerm) / 18
        let sd = Double(s)
        var z = 0.0
        if n >= 3, variance > 0 {
            if s > 0 { z = (sd - 1) / variance.squareRoot() } else if s < 0 { z = (sd + 1) / variance.squareRoot() }
        }
        self.s = sd
        self.variance = variance
        self.z = z
        self.p = n >= 3 ? Normal.twoSidedP(z) : 1
        self.tau = n > 1 ? sd / (nd * (nd - 1) / 2) : 0
    }
}
