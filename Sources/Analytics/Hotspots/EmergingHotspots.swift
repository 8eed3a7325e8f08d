import Foundation

/// Emerging hot-spot analysis: how each cell's hot- or cold-spot status changes over
/// monthly time steps.
///
/// For every month, Gi* is computed over the grid (the same cells, band and study area
/// each month) and each cell's p-values are corrected across the cells of that month. A
/// cell-month is a significant hot (cold) bin when z > 0 (z < 0) and the corrected p-value
/// is at most `binAlpha` (0.10, i.e. 90% confidence). The Mann-Kendall test on each
/// cell's series of Gi* z-scores gives the trend in the intensity of clustering
/// (significant at `trendAlpha`, 0.05).
///
/// The classes follow the definitions of ESRI's Emerging Hot Spot Analysis, with T time
/// steps and "most" meaning at least 90% of them:
///
/// - new: hot in the final step and never hot before;
/// - consecutive: one uninterrupted run of at least two hot steps ending at the final
///   step, never hot before the run, and hot in fewer than 90% of the steps;
/// - intensifying: hot in at least 90% of the steps including the final one, with a
///   significant increasing trend;
/// - persistent: hot in at least 90% of the steps including the final one, with no
///   significant trend;
/// - diminishing: hot in at least 90% of the steps including the final one, with a
///   significant decreasing trend;
/// - sporadic: hot in the final step, hot in fewer than 90% of the steps, on and off, and
///   never cold;
/// - oscillating: hot in the final step, hot in fewer than 90% of the steps, and cold in
///   at least one earlier step;
/// - historical: not hot in the final step but hot in at least 90% of the steps;
///
/// and their cold mirrors (swap hot and cold, increasing and decreasing: an intensifying
/// cold spot's z-scores fall). Cells that fit none of these have no pattern. Where a cell
/// fits both a hot and a cold pattern (impossible for the final-step classes), the hot
/// class is reported.
///
/// R's sfdep (and its Python port PyEhsa) reads some of these differently: "new" there
/// needs exactly one significant step of either sign, "intensifying" counts significant
/// steps of either sign, and "persistent" does not look at the final step. SaferStreets
/// follows ESRI's text, which the golden test checks end to end (esda Gi* per month,
/// statsmodels BH, pymannkendall, and the classes coded from ESRI's definitions in
/// `scripts/fixtures/hotspot_reference.py`).
public enum EmergingHotspots {
    public enum Pattern: String, Sendable, Hashable, Codable, CaseIterable {
        case newHot = "new-hot", consecutiveHot = "consecutive-hot", intensifyingHot = "intensifying-hot"
        case persistentHot = "persistent-hot", diminishingHot = "diminishing-hot", sporadicHot = "sporadic-hot"
        case oscillatingHot = "oscillating-hot", historicalHot = "historical-hot"
        case newCold = "new-cold", consecutiveCold = "consecutive-cold", intensifyingCold = "intensifying-cold"
        case persistentCold = "persistent-cold", diminishingCold = "diminishing-cold", sporadicCold = "sporadic-cold"
        case oscillatingCold = "oscillating-cold", historicalCold = "historical-cold"
        case noPattern = "no-pattern"

        public var label: String {
            rawValue == "no-pattern"
                ? "No pattern detected"
                : rawValue.replacingOccurrences(of: "-", with: " ").capitalizedFirst + " spot"
        }
        public var isHot: Bool { rawValue.hasSuffix("-hot") }
        public var isCold: Bool { rawValue.hasSuffix("-cold") }
    }

    public struct CellResult: Sendable, Hashable, Codable {
        public var index: Int
        public var pattern: Pattern
        public var hotSteps: Int
        public var coldSteps: Int
        public var trend: MannKendall
        public var total: Double
    }

    public struct Parameters: Sendable, Hashable, Codable {
        public var hotspot: HotspotParameters
        public var binAlpha: Double
        public var trendAlpha: Double
        public init(hotspot: HotspotParameters, binAlpha: Double = 0.10, trendAlpha: Double = 0.05) {
            self.hotspot = hotspot
            self.binAlpha = binAlpha
            self.trendAlpha = trendAlpha
        }
    }

    /// Runs the analysis on `series`: one array of cell counts (row-major on `grid`) per
    /// time step, oldest first. Returns one result per study-area cell.
    public static func run(
        series: [[Double]], grid: Grid, parameters: Parameters, mask: [Bool]? = nil
    ) throws -> [CellResult] {
        let steps = series.count
        let cellCount = grid.cellCount
        let band = try DistanceBand(cellSize: grid.cellSize, band: parameters.hotspot.band)
        let cells = (0..<cellCount).filter { mask?[$0] ?? true }
        // z[step][k] and the bin state (+1 hot, −1 cold, 0) for study-area cell k.
        var z = [[Double]](repeating: [], count: steps)
        var state = [[Int8]](repeating: [], count: steps)
        for t in 0..<steps {
            let gi = try GetisOrd.giStar(
                values: series[t], columns: grid.columns, rows: grid.rows, band: band, mask: mask)
            let zs = cells.map { gi.z[$0] }
            let adjusted = parameters.hotspot.correction.adjust(zs.map(Normal.twoSidedP))
            z[t] = zs
            state[t] = zip(zs, adjusted).map { z, p in
                !(p <= parameters.binAlpha) || z == 0 || z.isNaN ? 0 : (z > 0 ? 1 : -1)
            }
        }
        var totals = [Double](repeating: 0, count: cells.count)
        for t in 0..<steps { for (k, i) in cells.enumerated() { totals[k] += series[t][i] } }
        return cells.enumerated().map { k, i in
            let bins = (0..<steps).map { state[$0][k] }
            let trend = MannKendall((0..<steps).map { z[$0][k] })
            return CellResult(
                index: i, pattern: classify(bins: bins, trend: trend, alpha: parameters.trendAlpha),
                hotSteps: bins.filter { $0 > 0 }.count, coldSteps: bins.filter { $0 < 0 }.count,
                trend: trend, total: totals[k])
        }
    }

    /// The pattern of one cell from its bins (+1 hot, −1 cold, 0 neither), oldest first,
    /// and the trend of its z-scores.
    public static func classify(bins: [Int8], trend: MannKendall, alpha: Double = 0.05) -> Pattern {
        if let hot = classify(bins: bins, trend: trend.trend(alpha: alpha), hot: true) { return hot }
        if let cold = classify(bins: bins.map { -$0 }, trend: mirror(trend.trend(alpha: alpha)), hot: false) {
            return cold
        }
        return .noPattern
    }

    private static func mirror(_ t: MannKendall.Trend) -> MannKendall.Trend {
        switch t {
        case .increasing: .decreasing
        case .decreasing: .increasing
        case .none: .none
        }
    }

    /// Classes a series where +1 is the "hot" side (cold series are negated first).
    /// Returns nil when the series shows no pattern on that side.
    private static func classify(bins: [Int8], trend: MannKendall.Trend, hot: Bool) -> Pattern? {
        guard let last = bins.last else { return nil }
        let steps = bins.count
        let hotCount = bins.filter { $0 == 1 }.count
        guard hotCount > 0 else { return nil }
        let most = Double(hotCount) >= 0.9 * Double(steps)
        func pick(_ h: Pattern, _ c: Pattern) -> Pattern { hot ? h : c }
        guard last == 1 else { return most ? pick(.historicalHot, .historicalCold) : nil }
        if most {
            switch trend {
            case .increasing: return pick(.intensifyingHot, .intensifyingCold)
            case .decreasing: return pick(.diminishingHot, .diminishingCold)
            case .none: return pick(.persistentHot, .persistentCold)
            }
        }
        if hotCount == 1 { return pick(.newHot, .newCold) }
        // Length of the run of hot steps that ends at the final step.
        var run = 0
        while run < steps && bins[steps - 1 - run] == 1 { run += 1 }
        if run == hotCount { return pick(.consecutiveHot, .consecutiveCold) }
        if bins.contains(-1) { return pick(.oscillatingHot, .oscillatingCold) }
        return pick(.sporadicHot, .sporadicCold)
    }
}

extension String {
    /// The text with its first letter in capitals ("hot spot" → "Hot spot").
    public var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
