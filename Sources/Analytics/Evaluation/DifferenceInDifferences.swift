import Foundation

/// Difference in differences from a Poisson model with area and period effects:
/// log E[y_ut] = α_u + γ_t + β·(treated_u × during_t), fitted to the monthly counts of the
/// treated area and its comparison area. exp(β) is the incidence rate ratio of the
/// intervention: below 1 means fewer incidents in the treated area than the comparison
/// area's path predicts. Standard errors are quasi-Poisson (scaled by the Pearson
/// dispersion when it exceeds 1), since monthly crime counts vary more than Poisson.
///
/// The pre-trend check refits the before months alone with a treated × month-index term
/// instead of β: a significant slope means the two areas were already drifting apart, so
/// the parallel-trends assumption behind the estimate is doubtful.
///
/// Sources: Angrist, J. D. & Pischke, J.-S. (2009), Mostly Harmless Econometrics, §5.2
/// (difference in differences and its common-trends check); Wooldridge, J. M. (2023), "Simple
/// approaches to nonlinear difference-in-differences with panel data", The Econometrics
/// Journal 26(3), C31–C66 (Poisson DiD with unit and time effects); McCullagh & Nelder
/// (1989) for the quasi-Poisson scale. The fit agrees with statsmodels' Poisson GLM with
/// `scale="X2"` on the same design.
public struct PoissonDiD: Sendable, Hashable, Codable {
    /// exp(β) with its quasi-Poisson 95% interval and p-value.
    public var rateRatio: RatioEstimate
    public var dispersion: Double
    /// Months that entered the fit (months with no incidents in either area carry no
    /// information and are left out).
    public var months: Int
    public var preTrend: Estimate<PreTrend>

    public struct PreTrend: Sendable, Hashable, Codable {
        /// exp(δ): how much the treated area's count changed each month relative to the
        /// comparison area's before the intervention.
        public var monthlyRatio: RatioEstimate
        /// True when the pre-trends differ significantly (p < 0.05).
        public var diverges: Bool { monthlyRatio.isSignificant }
    }

    /// - Parameters:
    ///   - treated, comparison: monthly counts (or harm-weighted sums), the same months.
    ///   - during: whether each month is in the intervention period.
    public static func estimate(treated: [Double], comparison: [Double], during: [Bool]) -> Estimate<PoissonDiD> {
        guard treated.count == comparison.count && treated.count == during.count else {
            return .notEstimable("the treated and comparison series do not cover the same months")
        }
        let keep = treated.indices.filter { treated[$0] + comparison[$0] > 0 }
        let pre = keep.filter { !during[$0] }, post = keep.filter { during[$0] }
        guard pre.count >= 2, !post.isEmpty else {
            return .notEstimable("too few months with incidents before or during the campaign")
        }
        guard pre.reduce(0, { $0 + treated[$1] }) > 0, post.reduce(0, { $0 + treated[$1] }) > 0,
            pre.reduce(0, { $0 + comparison[$1] }) > 0, post.reduce(0, { $0 + comparison[$1] }) > 0
        else { return .notEstimable("no incidents in the area or the comparison area before or during the campaign") }
        let (y, x) = design(treated: treated, comparison: comparison, months: keep) { [during] t in during[t] ? 1 : 0 }
        guard let fit = try? PoissonRegression.fit(counts: y, design: x) else {
            return .notEstimable("the model could not be fitted to these counts")
        }
        let b = fit.coefficients.count - 1
        let effect = RatioEstimate(log: fit.coefficients[b], standardError: fit.standardErrors(quasi: true)[b])
        var trend: Estimate<PreTrend> = .notEstimable("fewer than four months with incidents before the campaign")
        if pre.count >= 4 {
            let centre = Double(pre.count - 1) / 2
            let index = Dictionary(uniqueKeysWithValues: pre.enumerated().map { ($1, Double($0) - centre) })
            let (py, px) = design(treated: treated, comparison: comparison, months: pre) { index[$0]! }
            if let f = try? PoissonRegression.fit(counts: py, design: px) {
                let k = f.coefficients.count - 1
                trend = .value(
                    PreTrend(
                        monthlyRatio: RatioEstimate(
                            log: f.coefficients[k], standardError: f.standardErrors(quasi: true)[k])))
            } else {
                trend = .notEstimable("the pre-trend model could not be fitted")
            }
        }
        return .value(PoissonDiD(rateRatio: effect, dispersion: fit.dispersion, months: keep.count, preTrend: trend))
    }

    /// Rows (treated, comparison) per month; columns: intercept, treated, one dummy per
    /// month after the first, then treated × `term(month)`.
    static func design(treated: [Double], comparison: [Double], months: [Int], term: (Int) -> Double) -> (
        [Double], [[Double]]
    ) {
        let p = 2 + (months.count - 1) + 1
        var y: [Double] = [], x: [[Double]] = []
        for (k, t) in months.enumerated() {
            for isTreated in [true, false] {
                var row = [Double](repeating: 0, count: p)
                row[0] = 1
                if isTreated { row[1] = 1 }
                if k > 0 { row[1 + k] = 1 }
                if isTreated { row[p - 1] = term(t) }
                y.append(isTreated ? treated[t] : comparison[t])
                x.append(row)
            }
        }
        return (y, x)
    }
}
