import Analytics
import CrimeData
import Fluent
import Foundation

/// A hot-spot run with the parameters that reproduce it.
struct HotspotReport: Sendable {
    var options: AnalysisOptions
    var area: AreaRecord?
    var result: HotspotResult
    /// Cells' share of incidents in the busiest 1%, 5% and 10% of study-area cells.
    var concentration: Concentration
    var incidents: Int
    /// The map points counted, for the density surface.
    var points: [MapPoint]
    var mapPoints: Int { points.count }
    var studyArea: String
    /// Emerging patterns by cell index, when asked for.
    var emerging: [Int: EmergingHotspots.CellResult]?

    var recorded: [String: String] {
        let p = result.parameters
        return [
            "force": options.force.id, "from": ByteParsing.monthString(options.period.first),
            "to": ByteParsing.monthString(options.period.last), "categories": options.categories.joined(separator: ","),
            "cell_size_m": String(Int(p.cellSize)), "band_m": String(format: "%.1f", p.band),
            "neighbourhood_cells": String(result.neighbourhoodCells),
            "weights": "binary distance band including the cell (Gi*)",
            "correction": p.correction.rawValue, "p_values": "two-sided, normal approximation",
            "study_area": studyArea, "area": area?.slug ?? "", "grid_origin": "British National Grid (0, 0)",
            "dominant_point_share": String(p.dominantPointShare),
        ]
    }
}

enum HotspotError: Error, CustomStringConvertible {
    case noIncidents(String)
    case gridTooLarge(cells: Int, cellSize: Double)
    case tooMuchWork(cells: Int, neighbours: Int)
    case emergingTooLarge(cells: Int, months: Int)

    var description: String {
        switch self {
        case .noIncidents(let what): "There are no mapped incidents for \(what)"
        case .gridTooLarge(let cells, let size):
            "A \(Int(size)) m cell makes \(Format.count(cells)) cells here, more than the 4,000,000 allowed: choose a larger cell or an area"
        case .tooMuchWork(let cells, let neighbours):
            "\(Format.count(cells)) occupied cells, each compared with \(Format.count(neighbours)) cells in its distance band, is more "
                + "work than one request may ask for: choose a larger cell, a narrower distance band or an area"
        case .emergingTooLarge(let cells, let months):
            "Emerging hot spots over \(months) months of \(Format.count(cells)) cells is more than the 20,000,000 cell-months allowed: "
                + "choose a larger cell, fewer months or an area"
        }
    }
}

struct HotspotService: Sendable {
    let queries: AnalysisQueries
    /// Where the statistics run: a bounded pool off the request threads.
    let heavyWork: BoundedWorkPool
    static let maximumCells = 4_000_000
    /// Occupied cells × cells in the distance band for one Gi* run (about a second of one
    /// core in a release build); emerging hot spots may use four times this over all months.
    static let maximumWork = 40_000_000

    /// Results for a whole force already computed at the current data version (inside an
    /// area they are not kept: an area's edit changes them without an import).
    var cache: ResultCache<HotspotReport>? = nil

    func run(_ o: AnalysisOptions, emerging: Bool = false, on db: any Database) async throws -> HotspotReport {
        try await ResultCache.cached(
            o.area == nil ? cache : nil, key: o.queryString + (emerging ? "&view=emerging" : ""), on: db
        ) {
            try await compute(o, emerging: emerging, on: db)
        }
    }

    private func compute(_ o: AnalysisOptions, emerging: Bool, on db: any Database) async throws -> HotspotReport {
        var area: AreaRecord?
        if let slug = o.area { area = try await queries.areas.find(slug: slug, on: db) }
        let counted = try await queries.mapPoints(o, area: area, on: db)
        let points = counted.compactMap { $0.point.count > 0 ? $0.point : nil }
        guard !points.isEmpty else {
            throw HotspotError.noIncidents("\(o.categoryLabel), \(o.period), \(area?.name ?? o.force.name)")
        }
        // The study area: every map point with any incident of any type in the period.
        let reference = counted.map { ($0.point.easting, $0.point.northing) }
        // A non-finite corner (a damaged stored coordinate) would make no grid at all.
        guard let extent = area?.bounds ?? Extent(points: reference),
            [extent.minEasting, extent.minNorthing, extent.maxEasting, extent.maxNorthing].allSatisfy(\.isFinite)
        else {
            throw HotspotError.noIncidents(
                "mapped locations in \(area?.name ?? o.force.name) (the stored coordinates are not usable)")
        }
        let cellSize = o.cellSize ?? Grid.automaticCellSize(for: extent)
        let grid = try Grid(cellSize: cellSize, covering: extent)
        guard grid.cellCount <= Self.maximumCells else {
            throw HotspotError.gridTooLarge(cells: grid.cellCount, cellSize: cellSize)
        }
        // Reference points inside the area only, so this is already clipped to it.
        let mask = HotspotAnalysis.occupiedMask(grid: grid, reference: reference)
        let parameters = HotspotParameters(cellSize: cellSize, band: o.band, correction: o.correction)
        // Bounded work: occupied cells × cells in the distance band is what Gi* costs.
        let occupied = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        let neighbours = try DistanceBand(cellSize: cellSize, band: parameters.band).cellCount
        guard occupied * neighbours <= Self.maximumWork else {
            throw HotspotError.tooMuchWork(cells: occupied, neighbours: neighbours)
        }
        let result = try await heavyWork.run {
            try HotspotAnalysis.run(points: points, grid: grid, parameters: parameters, mask: mask)
        }
        var patterns: [Int: EmergingHotspots.CellResult]?
        if emerging {
            guard grid.cellCount * o.period.count <= 20_000_000 else {
                throw HotspotError.emergingTooLarge(cells: grid.cellCount, months: o.period.count)
            }
            let monthly = try await queries.mapPoints(o, area: area, byMonth: true, on: db)
            let months = o.period.months
            var series = [[Double]](repeating: [Double](repeating: 0, count: grid.cellCount), count: months.count)
            let position = Dictionary(uniqueKeysWithValues: months.enumerated().map { ($1, $0) })
            for (month, p) in monthly where p.count > 0 {
                if let t = position[month], let i = grid.index(easting: p.easting, northing: p.northing), mask[i] {
                    series[t][i] += p.count
                }
            }
            guard occupied * neighbours * months.count <= Self.maximumWork * 4 else {
                throw HotspotError.emergingTooLarge(cells: grid.cellCount, months: o.period.count)
            }
            let frozen = series
            let run = try await heavyWork.run {
                try EmergingHotspots.run(series: frozen, grid: grid, parameters: .init(hotspot: parameters), mask: mask)
            }
            patterns = Dictionary(uniqueKeysWithValues: run.map { ($0.index, $0) })
        }
        let studyArea =
            "cells of \(Int(cellSize)) m holding at least one police.uk map point with any recorded incident in the period"
            + (area.map { " inside \($0.name)" } ?? " in \(o.force.name)")
        return HotspotReport(
            options: o, area: area, result: result, concentration: Concentration(counts: result.cells.map(\.count)),
            incidents: Int(points.reduce(0) { $0 + $1.count }), points: points, studyArea: studyArea,
            emerging: patterns)
    }
}
