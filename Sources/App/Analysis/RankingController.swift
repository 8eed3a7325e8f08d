import Analytics
import CrimeData
import Vapor

/// "Which areas are affected most?": the page, the CSV download and the JSON API.
struct RankingController: Sendable {
    let queries: AnalysisQueries
    let service: RankingService

    private func options(_ req: Request) async throws -> (
        AnalysisQuery, DataAvailability, Result<AnalysisOptions, FieldErrors>
    ) {
        let query = try req.query.decode(AnalysisQuery.self)
        let data = try await queries.availability(on: req.db)
        return (query, data, query.validated(against: data, allForces: true))
    }

    @Sendable func page(req: Request) async throws -> Response {
        let (query, data, result) = try await options(req)
        let areas = try await queries.areas.list(on: req.db)
        let form = AnalysisForm(query: query, options: try? result.get(), data: data, areas: areas, allForces: true)
        var page: RankingPage
        var status = HTTPResponseStatus.ok
        switch result {
        case .failure(let e):
            page = RankingPage(form: form, errors: e.errors)
            status = data.forces.isEmpty ? .ok : .badRequest
        case .success(let o):
            page = RankingPage(form: form)
            let report = try await service.rank(o, on: req.db)
            page.show(report, options: o)
            if let map = try await map(report, o, on: req) {
                page.mapSVG = map.render(
                    title: "Map of the \(o.level.label.lowercased()) ranked",
                    description:
                        "\(page.headline). Each place shaded by its number of incidents; the table holds the figures.")
                page.liveMap = map.live(
                    features: SiteURL.rankingsGeoJSON.with(query: o.queryString), label: o.level.label)
            }
        }
        return try await req.render("rankings/index", page, status: status)
    }

    private func report(_ req: Request) async throws -> RankingReport {
        let (_, _, result) = try await options(req)
        switch result {
        case .failure(let e): throw Abort(.badRequest, reason: e.description)
        case .success(let o): return try await service.rank(o, on: req.db)
        }
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let report = try await report(req)
        let out = RankingExport.csv(report)
        return download(
            out, type: "text/csv; charset=utf-8",
            name: "ranking-\(report.options.level)-\(report.options.from)-\(report.options.to).csv")
    }

    /// Where the ranked places are and the map of them.
    private func places(_ o: AnalysisOptions, on req: Request) async throws -> [String: RankingMaps.Place] {
        RankingMaps.places(
            level: o.level, lsoas: o.level == .areas ? [] : try await queries.lsoas(of: o.force, on: req.db),
            areas: o.level == .areas ? try await queries.areas.list(on: req.db) : [])
    }

    private func map(_ report: RankingReport, _ o: AnalysisOptions, on req: Request) async throws -> SVGMap? {
        RankingMaps.map(report, places: try await places(o, on: req), level: o.level)
    }

    /// The ranked places as GeoJSON, for the interactive map and for download.
    @Sendable func geoJSON(req: Request) async throws -> Response {
        let (_, _, result) = try await options(req)
        guard case .success(let o) = result else {
            if case .failure(let e) = result { throw Abort(.badRequest, reason: e.description) }
            throw Abort(.badRequest)
        }
        let report = try await service.rank(o, on: req.db)
        return download(
            RankingMaps.featureCollection(report, places: try await places(o, on: req), level: o.level),
            type: "application/geo+json",
            name: "ranking-\(report.options.level)-\(report.options.from)-\(report.options.to).geojson")
    }

    @Sendable func api(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(
            status: .ok, headers: headers,
            body: .init(buffer: ByteBuffer(bytes: RankingJSON.bytes(try await report(req)))))
    }
}
