import Foundation

/// Relates how much was delivered in each area (the dose, e.g. patrol hours a week) to the
/// effect found there, by a weighted meta-regression of ln RES on the dose with weights
/// 1/Var(ln RES): ln RESᵢ = a + b·doseᵢ. The standard error of b uses a multiplicative
/// dispersion φ = max(1, Q/(k − 2)), Q being the weighted residual sum of squares, so
/// between-area differences beyond chance widen the interval rather than being ignored
/// (Thompson, S. G. & Sharp, S. J. (1999), "Explaining heterogeneity in meta-analysis: a
/// comparison of methods", Statistics in Medicine 18, 2693–2708). With φ = Q/(k − 2) the
/// estimates are those of statsmodels `WLS(y, X, weights=w)`.
///
/// It is an association across areas, not a causal dose–response curve: areas that got more
/// patrols differ in other ways too, and with a handful of areas the interval is wide.
public struct DoseResponse: Sendable, Hashable, Codable {
    /// Change in ln RES per unit of dose, as a ratio: RES multiplies by `perUnit.ratio` for
    /// each extra unit of dose (> 1: more dose, larger reduction).
    public var perUnit: RatioEstimate
    public var intercept: Double
    public var dispersion: Double
    public var areas: Int

    public struct Point: Sendable, Hashable {
        public var dose: Double
        public var logRES: Double
        public var standardError: Double
        public init(dose: Double, logRES: Double, standardError: Double) {
            self.dose = dose
            self.logRES = logRES
            self.standardError = standardError
        }
    }

    public static func fit(_ points: [Point]) -> Estimate<DoseResponse> {
        let usable = points.filter { $0.standardError > 0 && $0.standardError.isFinite && $0.logRES.isFinite }
        guard usable.count >= 3 else { return .notEstimable("fewer than three areas with an estimable effect") }
        let w = usable.map { 1 / ($0.standardError * $0.standardError) }
        let sw = w.reduce(0, +)
        let mx = zip(w, usable).reduce(0) { $0 + $1.0 * $1.1.dose } / sw
        let my = zip(w, usable).reduce(0) { $0 + $1.0 * $1.1.logRES } / sw
        var sxx = 0.0, sxy = 0.0
        for (wi, p) in zip(w, usable) {
            sxx += wi * (p.dose - mx) * (p.dose - mx)
            sxy += wi * (p.dose - mx) * (p.logRES - my)
        }
        guard sxx > 1e-12 * max(1, sw * mx * mx) else { return .notEstimable("every area had the same dose") }
        let b = sxy / sxx, a = my - b * mx
        let q = zip(w, usable).reduce(0) { $0 + $1.0 * pow($1.1.logRES - a - b * $1.1.dose, 2) }
        let phi = usable.count > 2 ? max(1, q / Double(usable.count - 2)) : 1
        let se = (phi / sxx).squareRoot()
        return .value(
            DoseResponse(
                perUnit: RatioEstimate(log: b, standardError: se), intercept: a, dispersion: phi, areas: usable.count))
    }
}
