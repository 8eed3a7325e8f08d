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
        return (query, data, query.validated(against: data))
    }

    @Sendable func page(req: Request) async throws -> Response {
        let (query, data, result) = try await options(req)
        let areas = try await queries.areas.list(on: req.db)
        let form = AnalysisForm(query: query, options: try? result.get(), data: data, areas: areas)
        var page: RankingPage
        var status = HTTPResponseStatus.ok
        switch result {
        case .failure(let e):
            page = RankingPage(form: form, errors: e.errors)
            status = data.forces.isEmpty ? .ok : .badRequest
        case .success(let o):
            page = RankingPage(form: form)
            page.show(try await service.rank(o, on: req.db), options: o)
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

    @Sendable func api(req: Request) async throws -> Response {
        try APIJSON.response(try await report(req))
    }
}
