import Analytics
import CrimeData
import Fluent
import Vapor

/// What the public pages and files are made of: suppressed tables, charts, outlines,
/// published results.
extension OpenDataController {
    func requestedArea(_ req: Request) async throws -> AreaRecord {
        let slug = req.parameters.get("slug") ?? ""
        guard let area = try await areas.find(slug: slug, on: req.db) else {
            throw Abort(.notFound, reason: "There is no area “\(slug)”.")
        }
        return area
    }

    /// A published campaign; an unpublished or unknown one is a 404 alike.
    func publishedCampaign(_ req: Request) async throws -> CampaignStore.Campaign {
        let slug = req.parameters.get("slug") ?? ""
        guard let c = try await campaigns.lookup(slug: slug, on: req.db),
            try await publications.isPublished(c.id, on: req.db)
        else {
            throw Abort(.notFound, reason: "There is no published campaign “\(slug)”.")
        }
        return c
    }

    func targetAreas(_ c: CampaignStore.Campaign, on db: any Database) async throws -> [AreaRecord] {
        var out: [AreaRecord] = []
        for t in try await campaigns.areas(of: c, on: db) {
            if let a = try await areas.find(slug: t.slug, on: db) { out.append(a) }
        }
        return out
    }

    func add(_ a: [OpenDataQueries.Month], _ b: [OpenDataQueries.Month]) -> [OpenDataQueries.Month] {
        var byMonth = Dictionary(uniqueKeysWithValues: a.map { ($0.month, $0) })
        for m in b {
            var x = byMonth[m.month] ?? .init(month: m.month, asb: 0, crime: 0)
            x.asb += m.asb
            x.crime += m.crime
            byMonth[m.month] = x
        }
        return byMonth.values.sorted { $0.month < $1.month }
    }

    /// The latest twelve months' totals.
    func lastYear(_ series: [OpenDataQueries.Month]) -> (asb: Int, crime: Int) {
        series.suffix(12).reduce((0, 0)) { ($0.0 + $1.asb, $0.1 + $1.crime) }
    }

    func facts(_ series: [OpenDataQueries.Month]) -> [RankingPage.Pair] {
        guard let first = series.first?.month, let last = series.last?.month else {
            return [.init(label: "Police data", value: "none imported yet")]
        }
        let year = lastYear(series)
        let period = MonthPeriod(first: series.suffix(12).first!.month, last: last).description
        return [
            .init(label: "Police data", value: MonthPeriod(first: first, last: last).description),
            .init(label: "Anti-social behaviour, \(period)", value: suppression.text(year.asb)),
            .init(label: "Other crime, \(period)", value: suppression.text(year.crime)),
        ]
    }

    func chart(_ series: [OpenDataQueries.Month], title: String) -> String {
        guard series.count > 1 else { return "" }
        var chart = SVGLineChart(
            months: series.map(\.month),
            series: [
                .init(
                    label: "Anti-social behaviour", values: series.map { suppression.chart($0.asb) }, colour: "#1d70b8"),
                .init(
                    label: "Other crime", values: series.map { suppression.chart($0.crime) }, colour: "#d4351c",
                    dashed: true),
            ])
        chart.missingText = "fewer than \(suppression.threshold)"
        return chart.render(title: title, id: "trend")
    }

    /// The latest twelve months as a table, newest first.
    func recent(_ series: [OpenDataQueries.Month]) -> [Row] {
        series.suffix(12).reversed().map { m in
            Row(cells: [ByteParsing.monthString(m.month), suppression.text(m.asb), suppression.text(m.crime)])
        }
    }

    func activityRows(_ activity: [OpenDataQueries.Activity], byArea: Bool) -> [Row] {
        activity.map { a in
            let type = ActivityType.named(a.type)
            let quantity =
                suppression.hides(a.records)
                ? ""
                : "\(Format.number(a.quantity, decimals: a.quantity.rounded() == a.quantity ? 0 : 1)) \(type?.quantityUnit ?? "")"
            return Row(
                cells: (byArea ? [a.area ?? "No named area"] : []) + [
                    type?.label ?? a.type, suppression.text(a.records), quantity,
                ])
        }
    }

    /// The areas' outlines, each filled with its published result where there is one, and
    /// the same map as an interactive one drawing `features` (the page's GeoJSON download).
    func outline(_ list: [AreaRecord], results: [String: Result] = [:], features: String) -> (
        svg: String, live: LiveMap?
    ) {
        let shapes = list.compactMap { a in a.shape.map { (a, $0) } }
        guard let first = shapes.first else { return ("", nil) }
        let extent = shapes.dropFirst().reduce(first.1.bounds) { $0.union($1.1.bounds) }
        let shown = Set(results.values.map(\.verdict))
        let map = SVGMap(
            extent: extent.expanded(by: max(extent.width, extent.height) * 0.15),
            outlines: shapes.map { a, shape in
                .init(
                    shape: shape, label: a.name, href: nil, fill: results[a.name]?.fill,
                    title: results[a.name].map { "\(a.name): \($0.verdict.label)" })
            },
            legend: EvaluationText.Verdict.allCases.filter(shown.contains).compactMap { v in
                ReportPage.verdictFill[v].map { .init(fill: $0, text: v.label) }
            },
            legendTitle: results.isEmpty ? "" : "Did it work? The result in each area")
        let svg = map.render(
            title: "Map of \(shapes.map(\.0.name).joined(separator: ", "))",
            description: "Outlines only: no incident or activity is placed on this map.")
        return (svg, map.live(features: features, label: "Areas"))
    }

    struct Result {
        var area: String
        var verdict: EvaluationText.Verdict
        var res: RatioEstimate?
        /// The area's colour on the maps (the campaign report's).
        var fill: String? { ReportPage.verdictFill[verdict] }
    }

    /// The campaign's result by area (ASB, against the months just before), as the report
    /// has it. Counts are not repeated here: the effect sizes need no suppression.
    func results(_ c: CampaignStore.Campaign, on db: any Database) async throws -> [Result] {
        do {
            let e = try await evaluation.evaluate(c, viewer: .anyone, on: db)
            return e.areas.map {
                Result(area: $0.area.name, verdict: EvaluationText.verdict($0), res: $0.measures.res.value)
            }
        } catch is EvaluationError {
            return []
        }
    }

    func resultRows(_ found: [Result]) -> [Row] {
        found.map { r in
            Row(cells: [
                r.area, r.verdict.label,
                r.res.map {
                    "\(Format.number($0.ratio, decimals: 2)) (\(Format.number($0.lower95, decimals: 2)) to \(Format.number($0.upper95, decimals: 2)))"
                } ?? "–",
            ])
        }
    }

    func seriesCSV(_ series: [OpenDataQueries.Month]) -> String {
        series.reduce(CSVWriter.record(["month", "anti_social_behaviour", "other_crime", "note"])) { out, m in
            let hidden = suppression.hides(m.asb) || suppression.hides(m.crime)
            return out
                + CSVWriter.record([
                    ByteParsing.monthString(m.month), suppression.csv(m.asb), suppression.csv(m.crime),
                    hidden ? "empty: fewer than \(suppression.threshold)" : "",
                ])
        }
    }

    /// Areas as GeoJSON features: the outline, the latest twelve months' totals
    /// (suppressed: null), and the published result where there is one.
    func geoJSON(_ list: [(AreaRecord, (asb: Int, crime: Int))], results: [String: Result], name: String) -> Response {
        let features = list.compactMap { area, year -> String? in
            guard let shape = area.shape else { return nil }
            let geometry = GeoJSON.multiPolygon(
                shape.polygons.map { $0.map { $0.map(BritishNationalGrid.geo(from:)) } })
            func count(_ n: Int) -> String { suppression.hides(n) ? "null" : String(n) }
            var props = [
                "\"name\":\(GeoJSON.string(area.name))", "\"slug\":\(GeoJSON.string(area.slug))",
                "\"asb_last_12_months\":\(count(year.asb))", "\"other_crime_last_12_months\":\(count(year.crime))",
            ]
            // simplestyle-spec, for maps that draw the download (the interactive maps do).
            let asb = suppression.hides(year.asb) ? "too few to publish" : Format.count(year.asb)
            var words = "ASB in the last 12 months: \(asb)"
            if let r = results[area.name] { words += ". Result: \(r.verdict.label.lowercased())" }
            props += [
                "\"stroke\":\"#0b0c0c\"", "\"fill\":\(GeoJSON.string(results[area.name]?.fill ?? "#1d70b8"))",
                "\"fill-opacity\":\(results[area.name]?.fill == nil ? "0.12" : "0.85")",
                "\"description\":\(GeoJSON.string(words))", "\"href\":\(GeoJSON.string(SiteURL.openArea(area.slug)))",
            ]
            if let r = results[area.name] {
                props.append("\"result\":\(GeoJSON.string(r.verdict.label))")
                if let res = r.res {
                    props += [
                        "\"res\":\(HotspotExport.number(res.ratio))",
                        "\"res_lower95\":\(HotspotExport.number(res.lower95))",
                        "\"res_upper95\":\(HotspotExport.number(res.upper95))",
                    ]
                }
            }
            return
                "{\"type\":\"Feature\",\"id\":\(GeoJSON.string(area.slug)),\"geometry\":\(geometry),\"properties\":{\(props.joined(separator: ","))}}"
        }
        return download(
            "{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}",
            type: "application/geo+json", name: "\(name).geojson")
    }
}
