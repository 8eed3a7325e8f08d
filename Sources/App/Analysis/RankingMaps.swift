import Analytics
import CrimeData
import Foundation

/// The ranking on a map: each ranked place shaded in four blues by the quartile of its count
/// (white for none).
/// An LSOA is drawn as a disc at its population centroid (police.uk's LSOAs have no bundled
/// outline outside Norfolk), an MSOA or local authority as a larger disc at the
/// population-weighted centre of its LSOAs, a named area by its own outline. The same places
/// feed the server-drawn SVG (print, PDF, no script) and the interactive map's GeoJSON.
enum RankingMaps {
    struct Place: Sendable {
        var shape: AreaShape
        var href: String?
    }

    /// The disc's radius for a level, in metres: small enough not to bury neighbours.
    static func radius(_ level: RankingLevel) -> Double {
        switch level {
        case .lsoa: 300
        case .msoa: 900
        case .localAuthority: 3_500
        case .areas: 300
        }
    }

    /// The outline's width: hair-thin for the hundreds of small LSOA discs, so their fill shows.
    static func strokeWidth(_ level: RankingLevel) -> Double {
        switch level {
        case .lsoa: 0.4
        case .msoa: 0.8
        case .localAuthority, .areas: 1.5
        }
    }

    /// Where each ranked id is drawn.
    static func places(level: RankingLevel, lsoas: [AnalysisQueries.LSOAInfo], areas: [AreaRecord]) -> [String: Place] {
        var out: [String: Place] = [:]
        switch level {
        case .areas:
            for a in areas {
                out[a.slug] = Place(
                    shape: a.shape ?? .circle(centre: a.centre, radius: radius(.areas), segments: 24),
                    href: SiteURL.area(a.slug))
            }
        case .lsoa, .msoa, .localAuthority:
            var sums: [String: (e: Double, n: Double, w: Double)] = [:]
            for l in lsoas {
                let id = level == .lsoa ? l.code : level == .msoa ? l.msoaCode : l.ladCode
                let w = Double(max(l.population, 1))
                let s = sums[id] ?? (0, 0, 0)
                sums[id] = (s.e + l.easting * w, s.n + l.northing * w, s.w + w)
            }
            for (id, s) in sums where s.w > 0 {
                out[id] = Place(
                    shape: .circle(
                        centre: GridPoint(easting: s.e / s.w, northing: s.n / s.w), radius: radius(level), segments: 24),
                    href: nil)
            }
        }
        return out
    }

    /// Four classes of the places with incidents by quartile of their counts (crime counts are
    /// long-tailed: equal steps would leave nearly every place in the palest class), each a
    /// blue of `SVGMap.countFills`; white for none.
    struct Classes: Sendable, Equatable {
        /// The largest count in each class, ascending; a class repeating the one before is empty.
        var uppers: [Int]

        init(counts: [Int]) {
            let sorted = counts.filter { $0 > 0 }.sorted()
            guard let most = sorted.last else {
                uppers = []
                return
            }
            // The count at each quartile (nearest rank), the last class up to the largest.
            uppers =
                [0.25, 0.5, 0.75].map { q in sorted[max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1)] } + [
                    most
                ]
        }

        /// The classes that hold any place: first and last count and the fill's index. Where
        /// quartiles tie (few places, or many equal counts) the class takes the darker fill, so
        /// the place with the most incidents is always the darkest.
        var ranges: [(lower: Int, upper: Int, fill: Int)] {
            var out: [(Int, Int, Int)] = []
            var lower = 1
            for (k, upper) in uppers.enumerated() where upper >= lower {
                let darkest = uppers.lastIndex(of: upper) ?? k
                out.append((lower, upper, min(3, darkest)))
                lower = upper + 1
            }
            return out
        }

        func fill(_ count: Int) -> String {
            guard count > 0 else { return "#ffffff" }
            let r = ranges.first { count <= $0.upper } ?? ranges.last
            return SVGMap.countFills[r?.fill ?? 0]
        }

        var legend: [SVGMap.LegendEntry] {
            [.init(fill: "#ffffff", text: "No incidents")]
                + ranges.map { r in
                    .init(
                        fill: SVGMap.countFills[r.fill],
                        text: r.upper == r.lower
                            ? Format.counted(r.upper, "incident", "incidents")
                            : "\(Format.count(r.lower)) to \(Format.count(r.upper)) incidents")
                }
        }
    }

    static func describe(_ r: AreaRanking.Row) -> String {
        "Rank \(r.rank): \(Format.counted(r.count, "incident", "incidents"))"
            + (r.ratePer1000.map { ", \(Format.number($0, decimals: 1)) per 1,000 residents" } ?? "")
    }

    /// The map, or nil when no ranked place can be placed.
    static func map(_ report: RankingReport, places: [String: Place], level: RankingLevel) -> SVGMap? {
        let drawn = report.rows.compactMap { r in places[r.id].map { (r, $0) } }
        guard let first = drawn.first?.1.shape.bounds else { return nil }
        let extent = drawn.dropFirst().reduce(first) { $0.union($1.1.shape.bounds) }
        let classes = Classes(counts: report.rows.map(\.count))
        // Names for the ten ranked first; the SVG drops any that would overlap.
        let named = Set(report.rows.prefix(10).map(\.id))
        return SVGMap(
            extent: extent.expanded(by: max(extent.width, extent.height) * 0.05),
            outlines: drawn.map { r, p in
                .init(
                    shape: p.shape, label: named.contains(r.id) ? r.name : "", href: p.href,
                    fill: classes.fill(r.count), title: "\(r.name): \(describe(r))",
                    strokeWidth: strokeWidth(level))
            },
            legend: classes.legend, legendTitle: "Incidents (classes by quartile of the places with any)")
    }

    /// The ranked places as GeoJSON polygons (WGS84) with their figures and simplestyle fills,
    /// in rank order.
    static func featureCollection(_ report: RankingReport, places: [String: Place], level: RankingLevel) -> String {
        let classes = Classes(counts: report.rows.map(\.count))
        let features = report.rows.compactMap { r -> String? in
            guard let p = places[r.id] else { return nil }
            let geometry = GeoJSON.multiPolygon(
                p.shape.polygons.map { $0.map { $0.map(BritishNationalGrid.geo(from:)) } })
            var props = [
                "\"id\":\(GeoJSON.string(r.id))", "\"name\":\(GeoJSON.string(r.name))", "\"rank\":\(r.rank)",
                "\"count\":\(r.count)",
                "\"rate_per_1000\":" + (r.ratePer1000.map { HotspotExport.number($0) } ?? "null"),
                "\"fill\":\"\(classes.fill(r.count))\"", "\"fill-opacity\":0.85", "\"stroke\":\"#0b0c0c\"",
                "\"stroke-width\":\(strokeWidth(level))",
                "\"description\":\(GeoJSON.string(describe(r)))",
            ]
            if let href = p.href { props.append("\"href\":\(GeoJSON.string(href))") }
            return
                "{\"type\":\"Feature\",\"id\":\(GeoJSON.string(r.id)),\"geometry\":\(geometry),\"properties\":{\(props.joined(separator: ","))}}"
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}"
    }
}
