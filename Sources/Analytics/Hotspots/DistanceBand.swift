/// Binary distance-band weights on a regular grid, the cell itself included: cell j is a
/// neighbour of cell i (w_ij = 1) when the distance between their centres is at most the
/// band. On a grid this is the same set of offsets for every cell, so it is stored as one
/// horizontal run of cells per row offset.
///
/// A band of cell size × √2 (the default) gives the 3 × 3 block of 9 cells; 2 × cell size
/// gives the 13-cell diamond-like disc. Distances equal to the band count as inside
/// (libpysal `DistanceBand` uses `<=` too); a relative tolerance of 1e-9 absorbs the
/// rounding of √2.
public struct DistanceBand: Sendable, Hashable, Codable {
    /// Band in metres.
    public var band: Double
    public var cellSize: Double
    /// For each row offset dy (−reach … reach), the half-width w: columns dx ∈ −w … w are
    /// neighbours.
    public var halfWidths: [Int]

    /// The cell size is a `Grid`'s (positive) and the band 0 to 20,000 m (`AnalysisOptions`,
    /// which refuses NaN) or cell × √2; a band of more than 10,000 cells is refused too.
    public init(cellSize: Double, band: Double) throws {
        guard cellSize > 0, band >= 0, band / cellSize <= 10_000 else {
            throw AnalyticsInputError(
                "A distance band needs a positive cell size and a band of 0 to 10,000 cells (\(band) m on \(cellSize) m cells)."
            )
        }
        self.band = band
        self.cellSize = cellSize
        let r = band / cellSize * (1 + 1e-9)
        let reach = Int(r.rounded(.down))
        halfWidths = (-reach...reach).map { dy in
            Int((r * r - Double(dy * dy)).squareRoot().rounded(.down))
        }
    }

    /// The default band: cell size × √2, the cell and its eight neighbours.
    public static func `default`(cellSize: Double) throws -> DistanceBand {
        try DistanceBand(cellSize: cellSize, band: cellSize * 2.0.squareRoot())
    }

    /// Rows above and below the cell that hold neighbours.
    public var reach: Int { halfWidths.count / 2 }

    /// Number of cells in the neighbourhood, the cell itself included.
    public var cellCount: Int { halfWidths.reduce(0) { $0 + 2 * $1 + 1 } }

    /// Every (dx, dy) offset in the neighbourhood.
    public var offsets: [(dx: Int, dy: Int)] {
        halfWidths.enumerated().flatMap { i, w in (-w...w).map { (dx: $0, dy: i - reach) } }
    }

    /// Adds, for every cell, the sum of `input` over the cell's neighbourhood to `output`.
    /// Cells beyond the edge of the grid count as zero. Rows `rowRange` of the output only,
    /// so callers can split the work across threads.
    func accumulate(
        _ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>,
        columns: Int, rows: Int, rowRange: Range<Int>
    ) {
        guard let outBase = output.baseAddress, let inBase = input.baseAddress else { return }
        for r in rowRange {
            let out = outBase + r * columns
            for (i, w) in halfWidths.enumerated() {
                let sr = r + i - reach
                guard sr >= 0, sr < rows else { continue }
                let src = inBase + sr * columns
                for dx in -w...w {
                    // out[c] += src[c + dx] for every c with 0 <= c + dx < columns.
                    let lo = max(0, -dx), hi = min(columns, columns - dx)
                    guard lo < hi else { continue }
                    let o = out + lo, s = src + lo + dx
                    for c in 0..<(hi - lo) { o[c] += s[c] }
                }
            }
        }
    }
}
