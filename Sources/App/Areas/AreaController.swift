import Analytics
import CrimeData
import Fluent
import Vapor

/// Named areas: the list with a map, one area's page, and GeoJSON exports.
struct AreaController: Sendable {
    let queries: AnalysisQueries

    struct ListPage: Encodable {
        struct Row: Encodable {
            var name: String
            var href: String
            var kind: String
            var lsoas: String
            var population: String
            var geojson: String?
        }
        var title = "Areas"
        var rows: [Row]
        var hasRows: Bool
        var mapSVG: String
        var liveMap: LiveMap?
        var geojson = SiteURL.areasGeoJSON()
    }

    struct ShowPage: Encodable {
        var title: String
        var name: String
        var kind: String
        var description: String
        var facts: [RankingPage.Pair]
        var mapSVG: String
        var liveMap: LiveMap?
        var chartSVG: String
        var geojson: String?
        var hotspots: String
        var lsoas: String
    }

    @Sendable func list(req: Request) async throws -> Response {
        let areas = try await queries.areas.list(on: req.db)
        let shapes = areas.compactMap { a in a.shape.map { (a, $0) } }
        var mapSVG = ""
        var liveMap: LiveMap?
        if let first = shapes.first {
            let extent = shapes.dropFirst().reduce(first.1.bounds) { $0.union($1.1.bounds) }
            let map = SVGMap(
                extent: extent.expanded(by: max(extent.width, extent.height) * 0.05),
                outlines: shapes.map { .init(shape: $0.1, label: $0.0.name, href: SiteURL.area($0.0.slug)) })
            mapSVG = map.render(
                title: "Map of \(shapes.count) areas", description: shapes.map(\.0.name).joined(separator: ", "))
            liveMap = map.live(features: SiteURL.areasGeoJSON(), label: "Areas")
        }
        let page = ListPage(
            rows: areas.map { a in
                .init(
                    name: a.name, href: SiteURL.area(a.slug), kind: Self.kindText(a), lsoas: Format.count(a.lsoaCount),
                    population: Format.count(a.population), geojson: a.shape == nil ? nil : SiteURL.areaGeoJSON(a.slug))
            }, hasRows: !areas.isEmpty, mapSVG: mapSVG, liveMap: liveMap)
        return try await req.render("areas/index", page)
    }

    static func kindText(_ a: AreaRecord) -> String {
        if a.kind == .radius, let r = a.radius { return "\(Format.count(Int(r))) m radius" }
        return a.kind.label
    }

    private func area(_ req: Request) async throws -> AreaRecord {
        let slug = req.parameters.get("slug") ?? ""
        guard let area = try await queries.areas.find(slug: slug, on: req.db) else {
            throw Abort(.notFound, reason: "There is no area “\(slug)”")
        }
        return area
    }

    @Sendable func show(req: Request) async throws -> Response {
        let area = try await area(req)
        let data = try await queries.availability(on: req.db)
        let query = AnalysisQuery(force: area.forceID, category: ["anti-social-behaviour"], area: area.slug)
        var chartSVG = ""
        var facts = [
            RankingPage.Pair(label: "Kind", value: Self.kindText(area)),
            RankingPage.Pair(
                label: "Residents",
                value: "\(Format.count(area.population)) in \(Format.count(area.lsoaCount)) LSOAs"
                    + (area.kind.hasBoundary ? " whose centroids fall inside" : "")),
        ]
        if let shape = area.shape {
            facts.append(
                .init(label: "Size", value: "\(Format.number(shape.squareMetres / 1_000_000, decimals: 2)) km²"))
        }
        if case .success(let o) = query.validated(against: data),
            let f = data.forces.first(where: { $0.force.id == o.force.id })
        {
            let all = MonthPeriod(first: f.first, last: f.last)
            let monthly = try await queries.monthlySeries(o, area: area, months: all, on: req.db)
            let months = all.months
            chartSVG = SVGChart(
                months: months, values: months.map { monthly[$0] ?? 0 }, shaded: o.period, shadedLabel: "Last 12 months"
            )
            .render(title: "ASB by month in \(area.name)")
            facts.append(
                .init(
                    label: "ASB, \(o.period)",
                    value: Format.count(o.period.months.reduce(0) { $0 + (monthly[$1] ?? 0) })))
        }
        var mapSVG = ""
        var liveMap: LiveMap?
        if let shape = area.shape {
            let map = SVGMap(
                extent: shape.bounds.expanded(by: max(shape.bounds.width, shape.bounds.height) * 0.15),
                outlines: [.init(shape: shape, label: area.name, href: nil)])
            mapSVG = map.render(title: "Outline of \(area.name)", description: "The boundary of \(area.name)")
            liveMap = map.live(features: SiteURL.areaGeoJSON(area.slug), label: area.name)
        }
        let codes = try await queries.areas.lsoaCodes(of: area, on: req.db)
        return try await req.render(
            "areas/show",
            ShowPage(
                title: area.name, name: area.name, kind: Self.kindText(area), description: area.description,
                facts: facts,
                mapSVG: mapSVG, liveMap: liveMap, chartSVG: chartSVG,
                geojson: area.shape == nil ? nil : SiteURL.areaGeoJSON(area.slug),
                hotspots: SiteURL.hotspots.with(
                    query: "area=\(area.slug)" + (area.forceID.map { "&force=\($0)" } ?? "")),
                lsoas: codes.joined(separator: ", ")))
    }

    static func feature(_ a: AreaRecord) -> String? {
        guard let shape = a.shape else { return nil }
        let geometry = GeoJSON.multiPolygon(shape.polygons.map { $0.map { $0.map(BritishNationalGrid.geo(from:)) } })
        let props =
            [
                "\"name\":\(GeoJSON.string(a.name))", "\"slug\":\(GeoJSON.string(a.slug))",
                "\"kind\":\(GeoJSON.string(a.kind.rawValue))",
                "\"population\":\(a.population)", "\"lsoas\":\(a.lsoaCount)",
            ] + (a.radius.map { ["\"radius_m\":\(HotspotExport.number($0))"] } ?? [])
            // simplestyle-spec, for maps that draw the download (the interactive maps do).
            + [
                "\"stroke\":\"#0b0c0c\"", "\"fill\":\"#1d70b8\"", "\"fill-opacity\":0.12",
                "\"description\":\(GeoJSON.string("\(kindText(a)); \(Format.count(a.population)) residents in \(Format.counted(a.lsoaCount, "LSOA", "LSOAs"))"))",
                "\"href\":\(GeoJSON.string(SiteURL.area(a.slug)))",
            ]
        return
            "{\"type\":\"Feature\",\"id\":\(GeoJSON.string(a.slug)),\"geometry\":\(geometry),\"properties\":{\(props.joined(separator: ","))}}"
    }

    /// Every boundary area as one FeatureCollection (LSOA-set areas have no outline).
    static func featureCollection(_ areas: [AreaRecord]) -> String {
        "{\"type\":\"FeatureCollection\",\"features\":[\(areas.compactMap(feature).joined(separator: ","))]}"
    }

    @Sendable func allGeoJSON(req: Request) async throws -> Response {
        download(
            Self.featureCollection(try await queries.areas.list(on: req.db)), type: "application/geo+json",
            name: "areas.geojson")
    }

    @Sendable func oneGeoJSON(req: Request) async throws -> Response {
        let area = try await area(req)
        guard let feature = Self.feature(area) else {
            throw Abort(.notFound, reason: "\(area.name) is a set of LSOAs and has no boundary to export")
        }
        return download(
            "{\"type\":\"FeatureCollection\",\"features\":[\(feature)]}", type: "application/geo+json",
            name: "\(area.slug).geojson")
    }

    struct APIArea: Content {
        var slug: String
        var name: String
        var kind: String
        var forceID: String?
        var population: Int
        var lsoas: Int
        var radiusMetres: Double?
        var centre: GeoPoint
    }

    @Sendable func api(req: Request) async throws -> [APIArea] {
        try await queries.areas.list(on: req.db).map { a in
            APIArea(
                slug: a.slug, name: a.name, kind: a.kind.rawValue, forceID: a.forceID, population: a.population,
                lsoas: a.lsoaCount,
                radiusMetres: a.radius, centre: BritishNationalGrid.geo(from: a.centre))
        }
    }
}
