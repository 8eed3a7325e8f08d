import Foundation

/// A Poisson log-linear model fitted by iteratively reweighted least squares (IRLS):
/// log E[yᵢ] = xᵢ·β. Reports the maximum-likelihood coefficients with model-based standard
/// errors, the deviance and Pearson χ², and the quasi-Poisson dispersion φ = χ²/(n − p)
/// (McCullagh & Nelder, Generalized Linear Models, 2nd ed., 1989, §2.5 and §6.2). The
/// numbers agree with statsmodels `GLM(y, X, family=Poisson()).fit()`; with
/// `scale="X2"` statsmodels multiplies the covariance by φ, as ``standardErrors(quasi:)``
/// does.
public struct PoissonRegression: Sendable, Hashable, Codable {
    public var coefficients: [Double]
    /// (X′WX)⁻¹ at convergence, the model-based covariance.
    public var covariance: [[Double]]
    public var deviance: Double
    public var pearsonChi2: Double
    public var observations: Int
    public var iterations: Int

    public enum Failure: Error, Equatable {
        case noObservations
        case singularDesign
        case didNotConverge
    }

    /// Residual degrees of freedom n − p.
    public var residualDF: Int { observations - coefficients.count }

    /// The Pearson dispersion χ²/(n − p); 1 when there are no residual degrees of freedom.
    public var dispersion: Double { residualDF > 0 ? pearsonChi2 / Double(residualDF) : 1 }

    /// Standard errors; `quasi` scales them by √φ when φ > 1 (never shrinks them), the
    /// usual guard against the over-dispersion of crime counts.
    public func standardErrors(quasi: Bool = false) -> [Double] {
        let scale = quasi ? max(1, dispersion) : 1
        return covariance.indices.map { (covariance[$0][$0] * scale).squareRoot() }
    }

    /// Fits the model. `design` has one row per observation (include a column of ones for
    /// an intercept).
    public static func fit(
        counts y: [Double], design x: [[Double]], tolerance: Double = 1e-10, maxIterations: Int = 100
    )
        throws(Failure) -> PoissonRegression
    {
        let n = y.count
        guard n > 0, x.count == n, let p = x.first?.count, p > 0 else { throw .noObservations }
        let meanY = y.reduce(0, +) / Double(n)
        // statsmodels' start: μ = (y + ȳ)/2.
        var mu = y.map { ($0 + meanY) / 2 }
        var eta = mu.map { log(max($0, 1e-10)) }
        var beta = [Double](repeating: 0, count: p)
        var deviance = Self.deviance(y, mu)
        for iteration in 1...maxIterations {
            // Working response z = η + (y − μ)/μ, weights μ.
            var xtwx = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
            var xtwz = [Double](repeating: 0, count: p)
            for i in 0..<n {
                let w = mu[i]
                let z = eta[i] + (y[i] - mu[i]) / mu[i]
                let row = x[i]
                for j in 0..<p where row[j] != 0 {
                    let wx = w * row[j]
                    xtwz[j] += wx * z
                    for k in j..<p where row[k] != 0 { xtwx[j][k] += wx * row[k] }
                }
            }
            for j in 0..<p { for k in 0..<j { xtwx[j][k] = xtwx[k][j] } }
            guard let inverse = LinearAlgebra.inverse(xtwx) else { throw .singularDesign }
            beta = (0..<p).map { j in (0..<p).reduce(0) { $0 + inverse[j][$1] * xtwz[$1] } }
            eta = x.map { row in zip(row, beta).reduce(0) { $0 + $1.0 * $1.1 } }
            mu = eta.map { exp($0) }
            let next = Self.deviance(y, mu)
            let converged = abs(next - deviance) <= tolerance * (abs(next) + 0.1)
            deviance = next
            if converged {
                // One more weight update at the solution, as statsmodels reports it.
                let final = Self.covariance(x, mu) ?? inverse
                let chi2 = zip(y, mu).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) / $1.1 }
                return PoissonRegression(
                    coefficients: beta, covariance: final, deviance: next, pearsonChi2: chi2,
                    observations: n, iterations: iteration)
            }
        }
        throw .didNotConverge
    }

    static func covariance(_ x: [[Double]], _ mu: [Double]) -> [[Double]]? {
        let p = x[0].count
        var xtwx = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for (row, w) in zip(x, mu) {
            for j in 0..<p where row[j] != 0 { for k in j..<p where row[k] != 0 { xtwx[j][k] += w * row[j] * row[k] } }
        }
        for j in 0..<p { for k in 0..<j { xtwx[j][k] = xtwx[k][j] } }
        return LinearAlgebra.inverse(xtwx)
    }

    /// Poisson deviance 2 Σ [y log(y/μ) − (y − μ)].
    static func deviance(_ y: [Double], _ mu: [Double]) -> Double {
        2
            * zip(y, mu).reduce(0) { sum, pair in
                let (yi, mi) = pair
                return sum + (yi > 0 ? yi * log(yi / mi) : 0) - (yi - mi)
            }
    }
}

/// Small dense linear algebra for the regression fits.
enum LinearAlgebra {
    /// Inverse of a square matrix by Gauss–Jordan elimination with partial pivoting; nil
    /// when it is singular (a pivot below 1e-12 of the largest entry). Works on one flat
    /// row-major buffer: the fits invert matrices of up to ~40 × 40 many times.
    static func inverse(_ a: [[Double]]) -> [[Double]]? {
        let n = a.count
        guard n > 0 else { return nil }
        // [A | I], n × 2n.
        let w = 2 * n
        var m = [Double](repeating: 0, count: n * w)
        var largest = 0.0
        for i in 0..<n {
            for j in 0..<n {
                m[i * w + j] = a[i][j]
                largest = max(largest, abs(a[i][j]))
            }
            m[i * w + n + i] = 1
        }
        guard largest > 0 else { return nil }
        let ok = m.withUnsafeMutableBufferPointer { m -> Bool in
            for col in 0..<n {
                var pivot = col
                for r in col..<n where abs(m[r * w + col]) > abs(m[pivot * w + col]) { pivot = r }
                guard abs(m[pivot * w + col]) > 1e-12 * largest else { return false }
                if pivot != col {
                    for k in 0..<w { m.swapAt(col * w + k, pivot * w + k) }
                }
                let d = m[col * w + col]
                for k in 0..<w { m[col * w + k] /= d }
                for r in 0..<n where r != col {
                    let f = m[r * w + col]
                    if f == 0 { continue }
                    for k in col..<w { m[r * w + k] -= f * m[col * w + k] }
                }
            }
            return true
        }
        guard ok else { return nil }
        return (0..<n).map { i in Array(m[(i * w + n)..<(i * w + w)]) }
    }
}
