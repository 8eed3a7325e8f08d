import Analytics
import CrimeData
import Foundation

/// The hot-spot page: the form, the map, what it means in words, and the figures behind it.
struct HotspotPage: Encodable {
    struct Row: Encodable {
        var label: String
        var value: String
    }

    struct CellRow: Encodable {
        var id: String
        var count: String
        var z: String
        var p: String
        var label: String
        var warning: String?
    }

    var title = "Hot spots"
    var form: AnalysisForm
    var errors: [FieldError]
    var problem: String?
    var hasResult = false
    var headline = ""
    var summary: [String] = []
    var warnings: [String] = []
    var mapSVG = ""
    /// The same map, interactive, drawing the cells GeoJSON download.
    var liveMap: LiveMap?
    var chartSVG = ""
    var parameters: [Row] = []
    var concentration: [Row] = []
    var patterns: [Row] = []
    var cells: [CellRow] = []
    var downloads: [Row] = []
    var hasErrors = false
    var hasPatterns = false
    var hasCells = false

    init(form: AnalysisForm, errors: [FieldError] = [], problem: String? = nil) {
        self.form = form
        self.errors = errors
        self.problem = problem
        hasErrors = !errors.isEmpty
    }

    mutating func show(_ report: HotspotReport, view: HotspotView, map: SVGMap, monthly: [Int: Int]) {
        hasResult = true
        let r = report.result
        let o = report.options
        let place = report.area?.name ?? o.force.name
        let hot = r.cells.filter { $0.hotspotClass.isHot }
        let hot99 = r.count(of: .hot99)
        let cold = r.cells.filter { $0.hotspotClass.isCold }.count
        let inHot = hot.reduce(0) { $0 + $1.count }
        let share = r.total > 0 ? inHot / r.total : 0
        headline =
            hot.isEmpty
            ? "No significant hot spots of \(o.categoryLabel) in \(place), \(o.period)"
            : "\(Format.counted(hot.count, "hot-spot cell holds", "hot-spot cells hold")) \(Format.number(share * 100, decimals: 0))% of \(o.categoryLabel) in \(place), \(o.period)"
        summary = [
            "\(Format.count(report.incidents)) incidents at \(Format.count(report.mapPoints)) police.uk map points, counted in "
                + "\(Format.count(r.cells.count)) cells of \(Int(r.parameters.cellSize)) m.",
            "\(Format.counted(hot99, "cell is a hot spot", "cells are hot spots")) at 99% confidence and \(Format.count(hot.count)) at 90% or more; "
                + "\(Format.counted(cold, "cell is a cold spot", "cells are cold spots")). Confidence is \(HotspotMaps.correctionPhrase(r.parameters.correction)), "
                + "so among the cells called hot at 95% at most about 5% are expected to be false alarms.",
        ]
        if let top = report.concentration.shares.first(where: { $0.topFraction == 0.05 }) {
            summary.append(
                "The busiest 5% of cells (\(Format.count(top.places))) hold \(Format.number(top.share * 100, decimals: 0))% of these incidents."
            )
        }
        let dominated = hot.filter(\.dominatedByOnePoint)
        if !dominated.isEmpty {
            warnings.append(
                "In \(Format.counted(dominated.count, "hot cell", "hot cells")), a single police.uk map point supplies most of the incidents. police.uk moves "
                    + "every incident to the nearest of about 750,000 anonymous points, so such a cell may be hot because one point "
                    + "collects a whole street or a shopping centre. They are marked in the table.")
        }
        if view == .emerging, let emerging = report.emerging {
            let counts = Dictionary(grouping: emerging.values, by: \.pattern).mapValues(\.count)
            patterns = EmergingHotspots.Pattern.allCases.compactMap { p in
                counts[p].map { Row(label: p.label, value: Format.count($0)) }
            }
        }
        let description = summary.joined(separator: " ")
        mapSVG = map.render(title: "Map: \(headline)", description: description)
        let months = o.period.months
        chartSVG = SVGChart(months: months, values: months.map { monthly[$0] ?? 0 }, shaded: nil)
            .render(title: "\(o.categoryLabel) by month, \(place)")
        parameters = report.recorded.sorted { $0.key < $1.key }.map { Row(label: $0.key, value: $0.value) }
        concentration = report.concentration.shares.map {
            Row(
                label: "Top \(Format.number($0.topFraction * 100, decimals: 0))% of cells (\(Format.count($0.places)))",
                value: "\(Format.number($0.share * 100, decimals: 1))%")
        }
        concentration.append(
            Row(
                label: "Cells holding half of all incidents",
                value: "\(Format.number(report.concentration.placesForHalf * 100, decimals: 1))% of cells"))
        cells = r.cells.filter { $0.hotspotClass != .notSignificant }.sorted { $0.z > $1.z }.prefix(25).map { c in
            CellRow(
                id: r.grid.cellID(c.index), count: Format.count(Int(c.count)), z: Format.number(c.z, decimals: 2),
                p: c.adjustedP < 0.0001 ? "< 0.0001" : Format.number(c.adjustedP, decimals: 4),
                label: c.hotspotClass.label,
                warning: c.dominatedByOnePoint
                    ? "\(Format.count(Int(c.largestPointCount))) of \(Format.count(Int(c.count))) at one map point"
                    : nil)
        }
        hasPatterns = !patterns.isEmpty
        hasCells = !cells.isEmpty
        let q = o.queryString + "&view=\(view.rawValue)"
        liveMap = map.live(features: SiteURL.hotspotCellsGeoJSON.with(query: q), label: "Hot-spot cells")
        downloads = [
            Row(label: "Cells with their statistics (GeoJSON)", value: SiteURL.hotspotCellsGeoJSON.with(query: q)),
            Row(label: "Cells with their statistics (CSV)", value: SiteURL.hotspotCellsCSV.with(query: q)),
            Row(label: "This map (SVG)", value: SiteURL.hotspotMapSVG.with(query: q)),
            Row(label: "JSON API", value: SiteURL.hotspotsAPI.with(query: q)),
        ]
    }
}
