import Foundation

/// A police.uk map point with the number of incidents snapped to it. police.uk moves every
/// incident to the nearest of about 750,000 anonymous points, so one point often stands
/// for a whole street or a shopping centre.
public struct MapPoint: Sendable, Hashable, Codable {
    public var easting: Double
    public var northing: Double
    public var count: Double

    public init(easting: Double, northing: Double, count: Double) {
        self.easting = easting
        self.northing = northing
        self.count = count
    }
}

/// Everything that determines a hot-spot result, recorded with it so that it can be
/// reproduced and cited.
public struct HotspotParameters: Sendable, Hashable, Codable {
    public var cellSize: Double
    public var band: Double
    public var correction: PValueCorrection
    /// A hot cell is flagged when one map point supplies more than this share of its count.
    public var dominantPointShare: Double

    public init(
        cellSize: Double, band: Double? = nil, correction: PValueCorrection = .benjaminiHochberg,
        dominantPointShare: Double = 0.5
    ) {
        self.cellSize = cellSize
        self.band = band ?? cellSize * 2.0.squareRoot()
        self.correction = correction
        self.dominantPointShare = dominantPointShare
    }
}

public struct HotspotCell: Sendable, Hashable, Codable {
    /// Index in the grid (row-major).
    public var index: Int
    public var count: Double
    public var z: Double
    /// Two-sided p-value before correction.
    public var p: Double
    /// After the run's correction (equal to `p` with no correction).
    public var adjustedP: Double
    public var hotspotClass: HotspotClass
    /// The largest count supplied by a single map point in the cell.
    public var largestPointCount: Double
    /// True for a hot cell where one map point supplies most of the count.
    public var dominatedByOnePoint: Bool
}

public struct HotspotResult: Sendable, Codable {
    public var grid: Grid
    public var parameters: HotspotParameters
    /// Neighbours per cell, the cell included.
    public var neighbourhoodCells: Int
    /// Cells in the study area, in grid order.
    public var cells: [HotspotCell]
    public var mean: Double
    public var standardDeviation: Double
    public var total: Double

    public func count(of c: HotspotClass) -> Int { cells.reduce(0) { $0 + ($1.hotspotClass == c ? 1 : 0) } }
}

/// Grid hot-spot analysis: counts incidents into grid cells, computes Gi* for every cell
/// of the study area, turns z-scores into two-sided p-values, corrects them for the number
/// of cells tested, and classes each cell.
public enum HotspotAnalysis {
    /// The study area: cells holding at least one of `reference` (for example every map
    /// point with any recorded crime or ASB in the period). Sea, fields and other places
    /// where no incident can be mapped are left out, so they do not dilute the mean and make
    /// every occupied cell look hot.
    public static func occupiedMask<S: Sequence>(grid: Grid, reference: S) -> [Bool]
    where S.Element == (easting: Double, northing: Double) {
        var mask = [Bool](repeating: false, count: grid.cellCount)
        for p in reference {
            if let i = grid.index(easting: p.easting, northing: p.northing) { mask[i] = true }
        }
        return mask
    }

    /// Runs the analysis. Points outside the grid are ignored; `mask` nil means every cell
    /// of the grid is in the study area.
    public static func run(
        points: [MapPoint], grid: Grid, parameters: HotspotParameters, mask: [Bool]? = nil
    ) throws -> HotspotResult {
        var counts = [Double](repeating: 0, count: grid.cellCount)
        var largest = [Double](repeating: 0, count: grid.cellCount)
        for p in points {
            guard let i = grid.index(easting: p.easting, northing: p.northing), mask?[i] ?? true else { continue }
            counts[i] += p.count
            largest[i] = max(largest[i], p.count)
        }
        let band = try DistanceBand(cellSize: grid.cellSize, band: parameters.band)
        let gi = try GetisOrd.giStar(values: counts, columns: grid.columns, rows: grid.rows, band: band, mask: mask)
        var indices: [Int] = []
        var pValues: [Double] = []
        for i in 0..<grid.cellCount where mask?[i] ?? true {
            indices.append(i)
            pValues.append(Normal.twoSidedP(gi.z[i]))
        }
        let adjusted = parameters.correction.adjust(pValues)
        var cells: [HotspotCell] = []
        cells.reserveCapacity(indices.count)
        var total = 0.0
        for (k, i) in indices.enumerated() {
            let cls = HotspotClass(z: gi.z[i], p: adjusted[k])
            total += counts[i]
            cells.append(
                HotspotCell(
                    index: i, count: counts[i], z: gi.z[i], p: pValues[k], adjustedP: adjusted[k],
                    hotspotClass: cls, largestPointCount: largest[i],
                    dominatedByOnePoint: cls.isHot && counts[i] > 0
                        && largest[i] > parameters.dominantPointShare * counts[i]))
        }
        return HotspotResult(
            grid: grid, parameters: parameters, neighbourhoodCells: band.cellCount, cells: cells,
            mean: gi.mean, standardDeviation: gi.standardDeviation, total: total)
    }
}
