import Foundation

/// Compares two Poisson counts, such as this period's incidents against the previous
/// period's, by the conditional binomial test (Przyborowski & Wilenski 1940): if both
/// periods have the same underlying rate, then given the total n = a + b, the current count
/// a is Binomial(n, t_a / (t_a + t_b)), t being each period's length. The p-value is
/// two-sided, summing every outcome no more likely than the one observed, exactly as
/// `scipy.stats.binomtest(a, n, p).pvalue`.
///
/// The effect is the rate ratio RR = (a / t_a) / (b / t_b) with the usual 95% interval
/// exp(ln RR ± 1.96 √(1/a + 1/b)) (Rothman, Modern Epidemiology, ch. 14).
public struct CountComparison: Sendable, Hashable, Codable {
    public var current: Double
    public var baseline: Double
    /// Rate ratio current / baseline; nil when the baseline is zero.
    public var rateRatio: Double?
    public var lower95: Double?
    public var upper95: Double?
    public var p: Double

    /// - Parameters:
    ///   - exposureRatio: length of the current period over the baseline's (1 for equal
    ///     periods).
    public init(current a: Int, baseline b: Int, exposureRatio: Double = 1) {
        precondition(a >= 0 && b >= 0 && exposureRatio > 0, "counts are non-negative; exposure is positive")
        current = Double(a)
        baseline = Double(b)
        let n = a + b
        p = n == 0 ? 1 : Self.binomialTwoSidedP(k: a, n: n, p: exposureRatio / (1 + exposureRatio))
        if a > 0 && b > 0 {
            let rr = Double(a) / Double(b) / exposureRatio
            let se = (1 / Double(a) + 1 / Double(b)).squareRoot()
            rateRatio = rr
            lower95 = rr * exp(-1.959963984540054 * se)
            upper95 = rr * exp(1.959963984540054 * se)
        } else {
            rateRatio = b > 0 ? 0 : nil
        }
    }

    /// Percentage change of the rate, e.g. −25 for a quarter fewer; nil without a baseline.
    public var percentChange: Double? { rateRatio.map { ($0 - 1) * 100 } }

    public func isSignificant(alpha: Double = 0.05) -> Bool { p <= alpha }

    /// Exact two-sided binomial test p-value, P(X : pmf(X) ≤ pmf(k)), with scipy's relative
    /// tolerance of 1e-7 for ties. Terms more than 40 standard deviations from the mean are
    /// below 1e-300 and are skipped, so the cost grows with √n, not n.
    public static func binomialTwoSidedP(k: Int, n: Int, p: Double) -> Double {
        precondition(k >= 0 && k <= n && p > 0 && p < 1, "0 ≤ k ≤ n, 0 < p < 1")
        let logNFactorial = logGamma(Double(n) + 1)
        let lp = log(p), lq = log1p(-p)
        func logPMF(_ x: Int) -> Double {
            logNFactorial - logGamma(Double(x) + 1) - logGamma(Double(n - x) + 1) + Double(x) * lp + Double(n - x) * lq
        }
        let threshold = logPMF(k) + log1p(1e-7)
        let mean = Double(n) * p, sd = (Double(n) * p * (1 - p)).squareRoot()
        let lo = max(0, Int((mean - 40 * sd - 1).rounded(.down)))
        let hi = min(n, Int((mean + 40 * sd + 1).rounded(.up)))
        var total = 0.0
        if lo <= hi {
            for x in lo...hi {
                let l = logPMF(x)
                if l <= threshold { total += exp(l) }
            }
        }
        return min(1, total)
    }

    private static func logGamma(_ x: Double) -> Double {
        let value: Double = lgamma(x)
        return value
    }
}
