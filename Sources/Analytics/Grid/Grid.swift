import Foundation

/// A regular square grid on the British National Grid, aligned on the grid's origin:
/// the cell holding easting E and northing N is column ⌊E / size⌋, row ⌊N / size⌋, so two
/// analyses with the same cell size always share cell boundaries and cell identifiers.
///
/// Cells are stored row-major from the south-west corner: index = (row − minRow) × columns
/// + (column − minColumn).
public struct Grid: Sendable, Hashable, Codable {
    /// Cell side in metres.
    public var cellSize: Double
    /// Grid column and row of the south-west cell.
    public var minColumn: Int
    public var minRow: Int
    public var columns: Int
    public var rows: Int

    /// Requests and commands give a cell of 25 to 10,000 m (`AnalysisOptions`) or the
    /// automatic size, and the hot-spot service checks the extent is finite first; anything
    /// else is refused.
    public init(cellSize: Double, minColumn: Int, minRow: Int, columns: Int, rows: Int) throws {
        guard cellSize > 0, cellSize.isFinite, columns > 0, rows > 0 else {
            throw AnalyticsInputError(
                "A grid needs a positive cell size and at least one column and row (\(cellSize) m, \(columns) × \(rows))."
            )
        }
        self.cellSize = cellSize
        self.minColumn = minColumn
        self.minRow = minRow
        self.columns = columns
        self.rows = rows
    }

    /// The smallest grid of `cellSize` cells covering the rectangle `extent`.
    public init(cellSize: Double, covering extent: Extent) throws {
        guard cellSize > 0, cellSize.isFinite,
            [extent.minEasting, extent.minNorthing, extent.maxEasting, extent.maxNorthing].allSatisfy(\.isFinite),
            max(abs(extent.minEasting), abs(extent.maxEasting), abs(extent.minNorthing), abs(extent.maxNorthing))
                / cellSize < Double(Int32.max)
        else {
            throw AnalyticsInputError("A grid needs a positive cell size and a finite extent on the National Grid.")
        }
        let c0 = Int((extent.minEasting / cellSize).rounded(.down))
        let r0 = Int((extent.minNorthing / cellSize).rounded(.down))
        let c1 = Int((extent.maxEasting / cellSize).rounded(.down))
        let r1 = Int((extent.maxNorthing / cellSize).rounded(.down))
        try self.init(cellSize: cellSize, minColumn: c0, minRow: r0, columns: c1 - c0 + 1, rows: r1 - r0 + 1)
    }

    public var cellCount: Int { columns * rows }

    /// The index of the cell holding a point, or nil when it lies outside the grid.
    @inlinable
    public func index(easting: Double, northing: Double) -> Int? {
        let c = Int((easting / cellSize).rounded(.down)) - minColumn
        let r = Int((northing / cellSize).rounded(.down)) - minRow
        guard c >= 0, c < columns, r >= 0, r < rows else { return nil }
        return r * columns + c
    }

    /// Grid column and row (on the national grid, not relative to this grid) of a cell.
    public func cell(_ index: Int) -> (column: Int, row: Int) {
        (minColumn + index % columns, minRow + index / columns)
    }

    /// A stable identifier for a cell, the same in every grid of this cell size:
    /// `"<size>m:<column>:<row>"`.
    public func cellID(_ index: Int) -> String {
        let (c, r) = cell(index)
        return "\(Int(cellSize))m:\(c):\(r)"
    }

    /// South-west corner of a cell in BNG metres.
    public func origin(of index: Int) -> (easting: Double, northing: Double) {
        let (c, r) = cell(index)
        return (Double(c) * cellSize, Double(r) * cellSize)
    }

    /// Centre of a cell in BNG metres.
    public func centre(of index: Int) -> (easting: Double, northing: Double) {
        let o = origin(of: index)
        return (o.easting + cellSize / 2, o.northing + cellSize / 2)
    }

    public var extent: Extent {
        Extent(
            minEasting: Double(minColumn) * cellSize, minNorthing: Double(minRow) * cellSize,
            maxEasting: Double(minColumn + columns) * cellSize, maxNorthing: Double(minRow + rows) * cellSize)
    }

    /// The automatic cell size: the shorter side of the extent divided by 50, rounded to
    /// the nearest multiple of 50 m, and never below 50 m. A town centre of about 7 km
    /// gets the Home Office hot-spot-policing convention of 150 m; a county gets
    /// 1–2 km cells.
    public static func automaticCellSize(for extent: Extent) -> Double {
        let shorter = min(extent.width, extent.height)
        return max(50, (shorter / 50 / 50).rounded() * 50)
    }
}

/// A rectangle in British National Grid metres.
public struct Extent: Sendable, Hashable, Codable {
    public var minEasting: Double
    public var minNorthing: Double
    public var maxEasting: Double
    public var maxNorthing: Double

    public init(minEasting: Double, minNorthing: Double, maxEasting: Double, maxNorthing: Double) {
        self.minEasting = minEasting
        self.minNorthing = minNorthing
        self.maxEasting = maxEasting
        self.maxNorthing = maxNorthing
    }

    /// The bounding rectangle of some points; nil when there are none.
    public init?<S: Sequence>(points: S) where S.Element == (easting: Double, northing: Double) {
        var it = points.makeIterator()
        guard let first = it.next() else { return nil }
        var e = (first.easting, first.easting), n = (first.northing, first.northing)
        while let p = it.next() {
            e = (min(e.0, p.easting), max(e.1, p.easting))
            n = (min(n.0, p.northing), max(n.1, p.northing))
        }
        self.init(minEasting: e.0, minNorthing: n.0, maxEasting: e.1, maxNorthing: n.1)
    }

    public var width: Double { maxEasting - minEasting }
    public var height: Double { maxNorthing - minNorthing }

    /// The smallest rectangle holding both.
    public func union(_ o: Extent) -> Extent {
        Extent(
            minEasting: min(minEasting, o.minEasting), minNorthing: min(minNorthing, o.minNorthing),
            maxEasting: max(maxEasting, o.maxEasting), maxNorthing: max(maxNorthing, o.maxNorthing))
    }

    public func expanded(by metres: Double) -> Extent {
        Extent(
            minEasting: minEasting - metres, minNorthing: minNorthing - metres,
            maxEasting: maxEasting + metres, maxNorthing: maxNorthing + metres)
    }

    /// True when the two rectangles overlap (touching counts).
    public func intersects(_ o: Extent) -> Bool {
        minEasting <= o.maxEasting && o.minEasting <= maxEasting && minNorthing <= o.maxNorthing
            && o.minNorthing <= maxNorthing
    }

    public func contains(easting: Double, northing: Double) -> Bool {
        easting >= minEasting && easting <= maxEasting && northing >= minNorthing && northing <= maxNorthing
    }
}
