import Fluent
import Vapor

/// Campaigns and their evaluations in the JSON API, for a signed-in user or an
/// organisation's API token, bounded like the pages: a partner sees only the campaigns its
/// organisation is part of (anything else is a 404, whether or not it exists).
struct CampaignAPIController: Sendable {
    let campaigns: CampaignStore
    let report: ReportController

    struct CampaignOut: Content {
        var slug: String
        var name: String
        var description: String
        var startsOn: String
        var endsOn: String
        var areas: [String]
        var organisations: [String]
    }

    @Sendable func list(req: Request) async throws -> Response {
        let page = try APIPage(req)
        let all = try await campaigns.list(for: req.currentUser!, on: req.db)
        var out: [CampaignOut] = []
        for c in page.slice(all) {
            out.append(CampaignOut(
                slug: c.slug, name: c.name, description: c.description, startsOn: c.starts_on, endsOn: c.ends_on,
                areas: try await campaigns.areas(of: c, on: req.db).map(\.slug),
                organisations: try await campaigns.organisations(of: c, on: req.db).map(\.name)))
        }
        return try APIJSON.response(APIPage.Envelope(items: out, total: all.count, page: page))
    }

    struct EvaluationOut: Content {
        var campaign: String
        var outcome: String
        var baseline: String
        var during: String
        var before: String
        var figures: [EvaluationExport.Figure]
    }

    /// Every figure of the campaign report (the rows of `report.csv`), as JSON.
    @Sendable func evaluation(req: Request) async throws -> Response {
        let c = try await campaigns.requested(req)
        let e = try await report.evaluate(c, req: req)
        return try APIJSON.response(EvaluationOut(
            campaign: c.slug, outcome: e.outcome.slug, baseline: e.baseline.rawValue, during: e.periods.during.description,
            before: e.baselinePeriod.description, figures: EvaluationExport.figures(e)))
    }
}

/// The JSON API's conventions, in one place (README, "API conventions"; the OpenAPI
/// document at /api/v1/openapi.json): keys in sorted order, `application/json`.
enum APIJSON {
    static func response<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(data: try encoder.encode(value)))
    }
}

/// Pagination of the JSON API's lists: `limit` (1–1000, default 100) and `offset` (from
/// 0); the answer is `{items, total, limit, offset}`. A bad value is a 400 problem.
struct APIPage: Sendable {
    var limit: Int
    var offset: Int

    init(_ req: Request, defaultLimit: Int = 100, maxLimit: Int = 1000) throws {
        func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = req.query[String.self, at: name] else { return value }
            guard let n = Int(text), range.contains(n) else {
                throw Abort(.badRequest, reason: "\(name): give a whole number from \(range.lowerBound) to \(range.upperBound) (got “\(text)”)")
            }
            return n
        }
        limit = try int("limit", default: defaultLimit, range: 1...maxLimit)
        offset = try int("offset", default: 0, range: 0...Int(Int32.max))
    }

    func slice<T>(_ all: [T]) -> ArraySlice<T> {
        all.dropFirst(offset).prefix(limit)
    }

    struct Envelope<T: Encodable & Sendable>: Encodable, Sendable {
        var items: [T]
        var total: Int
        var limit: Int
        var offset: Int

        init(items: [T], total: Int, page: APIPage) {
            self.items = items
            self.total = total
            limit = page.limit
            offset = page.offset
        }
    }
}
