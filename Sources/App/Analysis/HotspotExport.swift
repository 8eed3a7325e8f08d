import Analytics
import CrimeData
import Foundation

/// Hot-spot results as files for analysts: GeoJSON (cells as WGS84 polygons, RFC 7946, the
/// run's parameters as a foreign member) and CSV (one row per cell, BNG corners).
enum HotspotExport {
    static let csvHeader = [
        "cell_id", "easting_min", "northing_min", "cell_size_m", "longitude", "latitude", "count", "gi_z", "p",
        "adjusted_p",
        "class", "largest_map_point_count", "dominated_by_one_point", "emerging_pattern",
    ]

    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.10g", v)
    }

    static func csv(_ report: HotspotReport) -> String {
        let g = report.result.grid
        var out = CSVWriter.record(csvHeader)
        for c in report.result.cells {
            let o = g.origin(of: c.index)
            let centre = BritishNationalGrid.geo(
                from: GridPoint(easting: o.easting + g.cellSize / 2, northing: o.northing + g.cellSize / 2))
            out += CSVWriter.record([
                g.cellID(c.index), number(o.easting), number(o.northing), number(g.cellSize),
                GeoJSON.coordinate(centre.longitude), GeoJSON.coordinate(centre.latitude), number(c.count), number(c.z),
                number(c.p), number(c.adjustedP), c.hotspotClass.slug, number(c.largestPointCount),
                c.dominatedByOnePoint ? "true" : "false", report.emerging?[c.index]?.pattern.rawValue ?? "",
            ])
        }
        return out
    }

    /// With `style` (the map's cell layer), each feature also carries its map colour and
    /// words as simplestyle-spec `fill` and `description`, which the interactive map draws.
    static func geoJSON(_ report: HotspotReport, style: SVGMap.CellLayer? = nil) -> String {
        let g = report.result.grid
        var out = "{\"type\":\"FeatureCollection\",\"parameters\":{"
        out += report.recorded.sorted { $0.key < $1.key }.map {
            "\(GeoJSON.string($0.key)):\(GeoJSON.string($0.value))"
        }
        .joined(separator: ",")
        out += "},\"features\":["
        var first = true
        for c in report.result.cells {
            let o = g.origin(of: c.index)
            let corners = [(0.0, 0.0), (1, 0), (1, 1), (0, 1)].map { dx, dy in
                BritishNationalGrid.geo(
                    from: GridPoint(easting: o.easting + dx * g.cellSize, northing: o.northing + dy * g.cellSize))
            }
            if !first { out += "," }
            first = false
            out +=
                "{\"type\":\"Feature\",\"id\":\(GeoJSON.string(g.cellID(c.index))),\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
            out += GeoJSON.ring(corners, outer: true) + "]},\"properties\":{"
            var props = [
                "\"count\":\(number(c.count))", "\"class\":\(GeoJSON.string(c.hotspotClass.slug))",
                "\"largest_map_point_count\":\(number(c.largestPointCount))",
                "\"dominated_by_one_point\":\(c.dominatedByOnePoint)",
            ]
            props.append(c.z.isFinite ? "\"gi_z\":\(number(c.z))" : "\"gi_z\":null")
            props.append(c.p.isFinite ? "\"p\":\(number(c.p))" : "\"p\":null")
            props.append(c.adjustedP.isFinite ? "\"adjusted_p\":\(number(c.adjustedP))" : "\"adjusted_p\":null")
            if let e = report.emerging?[c.index] {
                props.append("\"emerging_pattern\":\(GeoJSON.string(e.pattern.rawValue))")
            }
            if let style {
                if let fill = style.fills[c.index] { props.append("\"fill\":\(GeoJSON.string(fill))") }
                let words = style.titles[c.index] ?? HotspotMaps.cellTitle(report, c)
                props.append("\"description\":\(GeoJSON.string(words))")
            }
            out += props.joined(separator: ",") + "}}"
        }
        return out + "]}"
    }
}
