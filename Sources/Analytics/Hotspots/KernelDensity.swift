import Foundation

/// Kernel density estimation with the quartic (biweight) kernel, for heat maps.
///
///     K(d) = 3 / (π h²) · (1 − d²/h²)²  for d < h, 0 beyond
///
/// (Silverman 1986, eq. 4.5, the kernel ArcGIS and CrimeStat use for crime maps). The
/// density of a cell is Σ_i c_i K(d_i) over the map points i with counts c_i, d_i being
/// the distance from the cell centre; it integrates to the total count, so the surface
/// reads as incidents per square metre (``perSquareKilometre`` scales it).
public enum KernelDensity {
    /// The default bandwidth, the spatial form of Silverman's rule of thumb that ArcGIS
    /// Kernel Density documents:
    ///
    ///     h = 0.9 · min(SD, √(1 / ln 2) · Dm) · n^(−0.2)
    ///
    /// where SD is the count-weighted standard distance of the points from their weighted
    /// mean centre, Dm the weighted median of those distances, and n the total count.
    /// Never below `minimum` (the caller passes the cell size, so a single busy point still
    /// spreads over its neighbours). Nil when there are no incidents.
    public static func bandwidth(points: [MapPoint], minimum: Double) -> Double? {
        let n = points.reduce(0) { $0 + $1.count }
        guard n > 0 else { return nil }
        let me = points.reduce(0) { $0 + $1.easting * $1.count } / n
        let mn = points.reduce(0) { $0 + $1.northing * $1.count } / n
        var distances = points.map { p in
            (d: ((p.easting - me) * (p.easting - me) + (p.northing - mn) * (p.northing - mn)).squareRoot(), w: p.count)
        }
        let sd = (distances.reduce(0) { $0 + $1.d * $1.d * $1.w } / n).squareRoot()
        distances.sort { $0.d < $1.d }
        var seen = 0.0, median = 0.0
        for (d, w) in distances {
            seen += w
            if seen >= n / 2 { median = d; break }
        }
        let h = 0.9 * min(sd, (1 / log(2.0)).squareRoot() * median) * pow(n, -0.2)
        return max(h, minimum)
    }

    /// The density at every cell centre of `grid`, incidents per square metre, row-major.
    /// A bandwidth that is not a positive finite number (no spread to smooth) gives a zero surface.
    public static func surface(points: [MapPoint], grid: Grid, bandwidth h: Double) -> [Double] {
        guard h > 0, h.isFinite else { return [Double](repeating: 0, count: grid.cellCount) }
        var density = [Double](repeating: 0, count: grid.cellCount)
        let scale = 3 / (Double.pi * h * h)
        let reach = Int((h / grid.cellSize).rounded(.up)) + 1
        for p in points where p.count > 0 {
            let pc = Int((p.easting / grid.cellSize).rounded(.down)) - grid.minColumn
            let pr = Int((p.northing / grid.cellSize).rounded(.down)) - grid.minRow
            let top = min(grid.rows - 1, pr + reach), bottom = max(0, pr - reach)
            guard bottom <= top else { continue }
            for r in bottom...top {
                let dy = (Double(grid.minRow + r) + 0.5) * grid.cellSize - p.northing
                guard abs(dy) < h else { continue }
                let lo = max(0, pc - reach), hi = min(grid.columns - 1, pc + reach)
                guard lo <= hi else { continue }
                for c in lo...hi {
                    let dx = (Double(grid.minColumn + c) + 0.5) * grid.cellSize - p.easting
                    let u = (dx * dx + dy * dy) / (h * h)
                    if u < 1 { density[r * grid.columns + c] += p.count * scale * (1 - u) * (1 - u) }
                }
            }
        }
        return density
    }

    public static func perSquareKilometre(_ density: Double) -> Double { density * 1_000_000 }
}
