import Analytics
import CrimeData
import Fluent
import Vapor

/// The hot-spot page, its downloads (GeoJSON, CSV, SVG) and its JSON API.
struct HotspotController: Sendable {
    let queries: AnalysisQueries
    let service: HotspotService

    /// A checked request, or the page to show instead.
    private struct Prepared {
        var query: AnalysisQuery
        var data: DataAvailability
        var areas: [AreaRecord]
        var view: HotspotView
        var options: Result<AnalysisOptions, FieldErrors>
    }

    private func prepare(_ req: Request) async throws -> Prepared {
        let query = try req.query.decode(AnalysisQuery.self)
        let data = try await queries.availability(on: req.db)
        let areas = try await queries.areas.list(on: req.db)
        var options = query.validated(against: data)
        let view = HotspotView(rawValue: query.view ?? "classes")
        if view == nil {
            let e = FieldError(field: "view", message: "View must be classes, density or emerging")
            switch options {
            case .success: options = .failure(FieldErrors(errors: [e]))
            case .failure(var all): all.errors.append(e); options = .failure(all)
            }
        }
        return Prepared(query: query, data: data, areas: areas, view: view ?? .classes, options: options)
    }

    /// Runs the analysis for a download or the API: bad input is a 400 problem.
    private func report(_ req: Request) async throws -> (HotspotReport, Prepared) {
        let p = try await prepare(req)
        switch p.options {
        case .failure(let e): throw Abort(.badRequest, reason: e.description)
        case .success(let o):
            do {
                return (try await service.run(o, emerging: p.view == .emerging, on: req.db), p)
            } catch let e as HotspotError {
                throw Abort(.unprocessableEntity, reason: e.description)
            }
        }
    }

    private func map(_ report: HotspotReport, _ p: Prepared, on db: any Database) async throws -> SVGMap {
        let labels =
            report.area == nil
            ? HotspotMaps.authorityLabels(try await queries.lsoas(of: report.options.force, on: db)) : []
        let density = p.view == .density ? densitySurface(report) : nil
        return HotspotMaps.map(
            report, view: p.view, outlines: p.areas.filter { $0.kind.hasBoundary }, labels: labels, density: density)
    }

    private func densitySurface(_ report: HotspotReport) -> [Double] {
        let points = report.points
        let h =
            KernelDensity.bandwidth(points: points, minimum: report.result.grid.cellSize) ?? report.result.grid.cellSize
        return KernelDensity.surface(points: points, grid: report.result.grid, bandwidth: h)
    }

    @Sendable func page(req: Request) async throws -> Response {
        let p = try await prepare(req)
        let form = AnalysisForm(
            query: p.query, options: try? p.options.get(), data: p.data, areas: p.areas, view: p.view)
        var page: HotspotPage
        var status = HTTPResponseStatus.ok
        switch p.options {
        case .failure(let e):
            page = HotspotPage(form: form, errors: e.errors)
            status = p.data.forces.isEmpty ? .ok : .badRequest
        case .success(let o):
            page = HotspotPage(form: form)
            do {
                let report = try await service.run(o, emerging: p.view == .emerging, on: req.db)
                let monthly = try await queries.monthlySeries(o, area: report.area, months: o.period, on: req.db)
                page.show(report, view: p.view, map: try await map(report, p, on: req.db), monthly: monthly)
            } catch let e as HotspotError {
                page.problem = e.description
            }
        }
        return try await req.render("hotspots/index", page, status: status)
    }

    @Sendable func cellsGeoJSON(req: Request) async throws -> Response {
        let (report, p) = try await report(req)
        let style = try await map(report, p, on: req.db).cells
        return download(
            HotspotExport.geoJSON(report, style: style), type: "application/geo+json", name: "hotspot-cells.geojson")
    }

    @Sendable func cellsCSV(req: Request) async throws -> Response {
        let (report, _) = try await report(req)
        return download(HotspotExport.csv(report), type: "text/csv; charset=utf-8", name: "hotspot-cells.csv")
    }

    @Sendable func mapSVG(req: Request) async throws -> Response {
        let (report, p) = try await report(req)
        let o = report.options
        let svg = try await map(report, p, on: req.db).render(
            title: "\(p.view.label): \(o.categoryLabel), \(report.area?.name ?? o.force.name), \(o.period)",
            description: report.studyArea)
        return download(svg, type: "image/svg+xml", name: "hotspot-map.svg")
    }

    struct APIResult: Content {
        var parameters: [String: String]
        var incidents: Int
        var cellsInStudyArea: Int
        var classCounts: [String: Int]
        var concentration: Concentration
        var cells: [APICell]
    }

    struct APICell: Content {
        var id: String
        var eastingMin: Double
        var northingMin: Double
        var count: Double
        var z: Double?
        var p: Double?
        var adjustedP: Double?
        var hotspotClass: String
        var dominatedByOnePoint: Bool
        var emergingPattern: String?
    }

    @Sendable func api(req: Request) async throws -> APIResult {
        let (report, _) = try await report(req)
        let r = report.result
        return APIResult(
            parameters: report.recorded, incidents: report.incidents, cellsInStudyArea: r.cells.count,
            classCounts: Dictionary(uniqueKeysWithValues: HotspotClass.allCases.map { ($0.slug, r.count(of: $0)) }),
            concentration: report.concentration,
            cells: r.cells.map { c in
                let o = r.grid.origin(of: c.index)
                return APICell(
                    id: r.grid.cellID(c.index), eastingMin: o.easting, northingMin: o.northing, count: c.count,
                    z: c.z.isFinite ? c.z : nil, p: c.p.isFinite ? c.p : nil,
                    adjustedP: c.adjustedP.isFinite ? c.adjustedP : nil,
                    hotspotClass: c.hotspotClass.slug, dominatedByOnePoint: c.dominatedByOnePoint,
                    emergingPattern: report.emerging?[c.index]?.pattern.rawValue)
            })
    }
}
