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
        let all = try await campaigns.list(for: try req.signedInUser(), on: req.db)
        var out: [CampaignOut] = []
        for c in page.slice(all) {
            out.append(
                CampaignOut(
                    slug: c.slug, name: c.name, description: c.description, startsOn: c.startsOn, endsOn: c.endsOn,
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
        return try APIJSON.response(
            EvaluationOut(
                campaign: c.slug, outcome: e.outcome.slug, baseline: e.baseline.rawValue,
                during: e.periods.during.description,
                before: e.baselinePeriod.description, figures: EvaluationExport.figures(e)))
    }
}
