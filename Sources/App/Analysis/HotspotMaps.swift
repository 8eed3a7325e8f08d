import Analytics
import CrimeData
import Foundation

/// What a hot-spot map shows.
enum HotspotView: String, CaseIterable, Sendable {
    case classes, density, emerging

    var label: String {
        switch self {
        case .classes: "Hot and cold spots (Gi*)"
        case .density: "Heat map (kernel density)"
        case .emerging: "Emerging hot spots (monthly trend)"
        }
    }
}

/// Colours and map assembly for hot-spot results, shared by the page and the SVG download.
enum HotspotMaps {
    /// ColorBrewer RdBu, 7 classes: red hot, blue cold, colour-blind safe.
    static func fill(_ c: HotspotClass) -> String? {
        switch c {
        case .hot99: "#b2182b"
        case .hot95: "#ef8a62"
        case .hot90: "#fddbc7"
        case .notSignificant: nil
        case .cold90: "#d1e5f0"
        case .cold95: "#67a9cf"
        case .cold99: "#2166ac"
        }
    }

    static let studyAreaFill = "#e8e8e8"

    static func fill(_ p: EmergingHotspots.Pattern) -> String? {
        switch p {
        case .newHot: "#fdd0a2"
        case .consecutiveHot: "#fdae6b"
        case .intensifyingHot: "#67000d"
        case .persistentHot: "#a50f15"
        case .diminishingHot: "#ef3b2c"
        case .sporadicHot: "#fc9272"
        case .oscillatingHot: "#d94801"
        case .historicalHot: "#cb7c8c"
        case .newCold: "#c6dbef"
        case .consecutiveCold: "#9ecae1"
        case .intensifyingCold: "#08306b"
        case .persistentCold: "#08519c"
        case .diminishingCold: "#4292c6"
        case .sporadicCold: "#6baed6"
        case .oscillatingCold: "#2171b5"
        case .historicalCold: "#8c96c6"
        case .noPattern: nil
        }
    }

    /// ColorBrewer YlOrRd, 6 classes for the density surface.
    static let densityFills = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"]

    static func cellTitle(_ report: HotspotReport, _ cell: HotspotCell) -> String {
        var t =
            "\(report.result.grid.cellID(cell.index)): \(Format.count(Int(cell.count))) incidents, "
            + "Gi* z = \(Format.number(cell.z, decimals: 2)), \(cell.hotspotClass.label.lowercased())"
        if cell.dominatedByOnePoint {
            t += ". Warning: one police.uk map point supplies \(Format.count(Int(cell.largestPointCount))) of them"
        }
        return t
    }

    /// The map for a report: cells, area outlines, place labels, legend, scale bar.
    static func map(
        _ report: HotspotReport, view: HotspotView, outlines: [AreaRecord], labels: [SVGMap.Label], density: [Double]?
    ) -> SVGMap {
        let grid = report.result.grid
        var fills: [Int: String] = [:]
        var titles: [Int: String] = [:]
        var legend: [SVGMap.LegendEntry] = []
        var legendTitle = ""
        for cell in report.result.cells { fills[cell.index] = studyAreaFill }
        switch view {
        case .classes:
            for cell in report.result.cells {
                if let f = fill(cell.hotspotClass) {
                    fills[cell.index] = f
                    titles[cell.index] = cellTitle(report, cell)
                }
            }
            legendTitle = "Gi* confidence (\(correctionPhrase(report.result.parameters.correction)))"
            legend = HotspotClass.allCases.reversed().compactMap { c in fill(c).map { .init(fill: $0, text: c.label) } }
            legend.append(.init(fill: studyAreaFill, text: "Not significant"))
        case .density:
            let values = (density ?? []).filter { $0 > 0 }.sorted()
            let breaks = (1..<densityFills.count).map { k in
                values.isEmpty ? 0 : values[values.count * k / densityFills.count]
            }
            for cell in report.result.cells {
                let d = density?[cell.index] ?? 0
                guard d > 0 else { continue }
                fills[cell.index] = densityFills[breaks.firstIndex { d < $0 } ?? breaks.count]
            }
            legendTitle = "Incidents per km², sixths of the cells with any density"
            var lower = 0.0
            for (k, f) in densityFills.enumerated() {
                let upper = k < breaks.count ? breaks[k] : (values.last ?? 0)
                legend.append(
                    .init(
                        fill: f,
                        text:
                            "\(Format.number(KernelDensity.perSquareKilometre(lower), decimals: 0))–\(Format.number(KernelDensity.perSquareKilometre(upper), decimals: 0))"
                    ))
                lower = upper
            }
        case .emerging:
            for (i, r) in report.emerging ?? [:] {
                if let f = fill(r.pattern) {
                    fills[i] = f
                    titles[i] =
                        "\(grid.cellID(i)): \(r.pattern.label.lowercased()), hot in \(r.hotSteps) of \(report.options.period.count) months"
                }
            }
            legendTitle = "Emerging pattern over \(report.options.period.count) months"
            let present = Set((report.emerging ?? [:]).values.map(\.pattern))
            legend = EmergingHotspots.Pattern.allCases.filter { present.contains($0) }.compactMap { p in
                fill(p).map { .init(fill: $0, text: p.label) }
            }
        }
        let base = report.area?.bounds ?? grid.extent
        let extent = base.expanded(by: max(grid.cellSize, 0.04 * max(base.width, base.height)))
        return SVGMap(
            extent: extent, cells: .init(grid: grid, fills: fills, titles: titles),
            outlines: outlines.compactMap { a in
                a.shape.flatMap { shape in
                    shape.bounds.maxEasting >= extent.minEasting && shape.bounds.minEasting <= extent.maxEasting
                        && shape.bounds.maxNorthing >= extent.minNorthing
                        && shape.bounds.minNorthing <= extent.maxNorthing
                        ? .init(shape: shape, label: a.name, href: SiteURL.area(a.slug)) : nil
                }
            },
            labels: labels, legend: legend, legendTitle: legendTitle)
    }

    static func correctionPhrase(_ c: PValueCorrection) -> String {
        switch c {
        case .benjaminiHochberg: "false discovery rate corrected"
        case .holm: "Holm corrected"
        case .none: "uncorrected"
        }
    }

    /// Local authority names at the mean centroid of their LSOAs: place labels that work for
    /// any force without a gazetteer.
    static func authorityLabels(_ lsoas: [AnalysisQueries.LSOAInfo]) -> [SVGMap.Label] {
        Dictionary(grouping: lsoas, by: \.ladName).map { name, rows in
            let n = Double(rows.count)
            return SVGMap.Label(
                point: GridPoint(
                    easting: rows.reduce(0) { $0 + $1.easting } / n, northing: rows.reduce(0) { $0 + $1.northing } / n),
                text: name)
        }.sorted { $0.text < $1.text }
    }
}
