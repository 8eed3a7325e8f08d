import CrimeData
import Foundation

/// Getis-Ord Gi* local statistic on a grid with binary distance-band weights that include
/// the cell itself.
///
/// With n cells in the study area, values x, and w_ij ∈ {0, 1} (w_ii = 1):
///
///     X̄ = Σx / n,  S = √(Σx² / n − X̄²),
///     Gi* = (Σ_j w_ij x_j − X̄ Σ_j w_ij) / (S · √((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))
///
/// (Getis & Ord 1992; Ord & Getis 1995, eq. 14). Gi* is already a z-score. It equals PySAL
/// esda `G_Local(y, w, transform='B', star=True).Zs`, which the golden tests check to 1e-9.
///
/// Cells outside the study-area mask take no part: they are not counted in n, are nobody's
/// neighbour, and get a NaN z-score.
public enum GetisOrd {
    public struct Result: Sendable {
        /// One z-score per grid cell (row-major); NaN outside the study area, or everywhere
        /// when every value is the same (S = 0, no pattern to find).
        public var z: [Double]
        /// Cells in the study area.
        public var n: Int
        public var mean: Double
        public var standardDeviation: Double
        /// Neighbours of each cell in the study area, itself included (Σ_j w_ij).
        public var neighbours: [Double]
    }

    /// Gi* z-scores for `values` laid out row-major on a `columns` × `rows` grid.
    ///
    /// - Parameters:
    ///   - mask: the study area, one flag per cell; nil means every cell.
    ///   - threads: rows are split into this many blocks computed in parallel.
    public static func giStar(
        values: [Double], columns: Int, rows: Int, band: DistanceBand, mask: [Bool]? = nil,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws -> Result {
        let count = columns * rows
        // Every caller lays values and mask out on the same `Grid` (`HotspotAnalysis`,
        // `EmergingHotspots`); anything else is refused.
        guard columns > 0, rows > 0, values.count == count, mask.map({ $0.count == count }) ?? true else {
            throw AnalyticsInputError(
                "Gi* needs one value (and one mask flag) per cell of the \(columns) × \(rows) grid; got \(values.count)."
            )
        }

        // Values outside the study area are zeroed so the stencil sums ignore them.
        var x = values
        var inArea = [Double](repeating: 1, count: count)
        var n = count
        if let mask {
            n = 0
            for i in 0..<count {
                if mask[i] { n += 1 } else { x[i] = 0; inArea[i] = 0 }
            }
        }
        var sum = 0.0, sumSquares = 0.0
        for v in x { sum += v; sumSquares += v * v }
        let nd = Double(n)
        let mean = n > 0 ? sum / nd : .nan
        let sd = n > 0 ? (max(0, sumSquares / nd - mean * mean)).squareRoot() : .nan

        var z = [Double](repeating: 0, count: count)
        var neighbours = [Double](repeating: 0, count: count)
        let blocks = max(1, min(threads, rows / 64))
        x.withUnsafeBufferPointer { xs in
            inArea.withUnsafeBufferPointer { ms in
                z.withUnsafeMutableBufferPointer { zs in
                    neighbours.withUnsafeMutableBufferPointer { ws in
                        let shared = SharedBuffers(x: xs, m: ms, z: zs, w: ws)
                        DispatchQueue.concurrentPerform(iterations: blocks) { b in
                            let rowRange = (rows * b / blocks)..<(rows * (b + 1) / blocks)
                            band.accumulate(shared.x, into: shared.z, columns: columns, rows: rows, rowRange: rowRange)
                            band.accumulate(shared.m, into: shared.w, columns: columns, rows: rows, rowRange: rowRange)
                            let cells = (rowRange.lowerBound * columns)..<(rowRange.upperBound * columns)
                            finish(shared, cells: cells, n: nd, mean: mean, sd: sd)
                        }
                    }
                }
            }
        }
        return Result(z: z, n: n, mean: mean, standardDeviation: sd, neighbours: neighbours)
    }

    /// Turns the neighbourhood sums held in `z` into z-scores.
    private static func finish(_ s: SharedBuffers, cells: Range<Int>, n: Double, mean: Double, sd: Double) {
        let valid = sd > 0 && n > 1
        for i in cells {
            let wi = s.w[i]
            guard valid, s.m[i] != 0 else { s.z[i] = .nan; continue }
            let denominator = sd * ((n * wi - wi * wi) / (n - 1)).squareRoot()
            // A cell whose neighbourhood is the whole study area has nothing to compare with.
            s.z[i] = denominator > 0 ? (s.z[i] - mean * wi) / denominator : .nan
        }
    }
}

/// The buffers of one Gi* computation, shared by the row blocks. Each block writes only
/// its own rows of `z` and `w`.
private struct SharedBuffers: @unchecked Sendable {
    let x: UnsafeBufferPointer<Double>
    let m: UnsafeBufferPointer<Double>
    let z: UnsafeMutableBufferPointer<Double>
    let w: UnsafeMutableBufferPointer<Double>
}
