import Analytics
import CrimeData
import Fluent
import Foundation
import SQLKit
import Vapor

/// The campaign report: did it work, area by area, against comparison areas, with
/// displacement measured; its CSV of every figure, the Home Office style return, a PDF
/// made on the server, the evaluation design of each area, and revocable read-only links.
struct ReportController: Sendable {
    let campaigns: CampaignStore
    let evaluation: EvaluationService
    let links: ReportLinkStore
    let pdf: PDFRenderer
    let publications: PublicationStore
    var queries = ReportQueries()
    var limits = RateLimits()

    // MARK: The report

    @Sendable func page(req: Request) async throws -> Response {
        let c = try await campaigns.requested(req)
        let user = try req.signedInUser()
        return try await render(
            c, req: req, shared: false, canShare: user.role.isOPCC, newLink: nil, viewer: .user(user))
    }

    /// The report behind a read-only link: no account, no design pages, no activity records.
    @Sendable func shared(req: Request) async throws -> Response {
        let c = try await sharedCampaign(req)
        let response = try await render(c, req: req, shared: true, canShare: false, newLink: nil, viewer: .anyone)
        response.headers.replaceOrAdd(name: "X-Robots-Tag", value: "noindex, nofollow")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    @Sendable func sharedCSV(req: Request) async throws -> Response {
        let c = try await sharedCampaign(req)
        let e = try await evaluate(c, req: req, viewer: .anyone)
        let response = download(
            EvaluationExport.csv(e), type: "text/csv; charset=utf-8", name: "\(c.slug)-evaluation.csv")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    private func sharedCampaign(_ req: Request) async throws -> CampaignStore.Campaign {
        let token = req.parameters.get("token") ?? ""
        guard token.utf8.count <= 128, let id = try await links.campaignID(token: token, on: req.db),
            let c = try await campaigns.lookup(id: id, on: req.db)
        else {
            // Wrong links are throttled per address (`RateLimits.wrongGuess`).
            if try await limits.wrongGuess(RateLimits.badShareLink, key: req.clientAddress, on: req.db.sql) {
                throw Abort(
                    .tooManyRequests, headers: ["Retry-After": "900"],
                    reason:
                        "Too many report links that do not exist were tried from your network. Wait 15 minutes and try again."
                )
            }
            throw Abort(.notFound, reason: "This report link does not exist or has been withdrawn.")
        }
        return c
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let c = try await campaigns.requested(req)
        let e = try await evaluate(c, req: req)
        return download(
            EvaluationExport.csv(e), type: "text/csv; charset=utf-8", name: "\(c.slug)-evaluation-\(e.outcome.slug).csv"
        )
    }

    /// The Home Office style return: activity counts by type and area for the campaign's
    /// period, from every partner's records (totals only).
    @Sendable func returnCSV(req: Request) async throws -> Response {
        let c = try await campaigns.requested(req)
        let rows = try await queries.returnRows(campaignID: c.id, viewer: ActivityViewer(req.currentUser), on: req.db)
        var out = CSVWriter.record([
            "campaign", "period_start", "period_end", "area", "activity_type", "activity", "records", "quantity",
            "unit",
        ])
        for r in rows {
            let type = ActivityType.named(r.type)
            out += CSVWriter.record([
                c.name, c.startsOn, c.endsOn, r.area, r.type, type?.label ?? r.type, String(r.records),
                HotspotExport.number(r.quantity), type?.quantityUnit ?? "",
            ])
        }
        return download(out, type: "text/csv; charset=utf-8", name: "\(c.slug)-home-office-return.csv")
    }

    /// The report as a PDF, printed by headless Chromium on the server from the same page
    /// with the print stylesheet.
    @Sendable func pdfDownload(req: Request) async throws -> Response {
        let c = try await campaigns.requested(req)
        return try await pdf.download(filename: "\(c.slug)-report.pdf", req: req) {
            try await render(
                c, req: req, shared: true, canShare: false, newLink: nil, viewer: ActivityViewer(req.currentUser))
        }
    }

    /// The evaluation as `viewer` may see it (partners' activity bounded by `ActivityViewer`);
    /// by default as the signed-in user, or as anyone.
    func evaluate(_ c: CampaignStore.Campaign, req: Request, viewer: ActivityViewer? = nil) async throws
        -> CampaignEvaluation
    {
        let outcome = try? req.query.get(String.self, at: "outcome")
        let baselineText = (try? req.query.get(String.self, at: "baseline")) ?? EvaluationBaseline.previous.rawValue
        guard let baseline = EvaluationBaseline(rawValue: baselineText) else {
            throw Abort(.badRequest, reason: "baseline must be previous or last-year, not “\(baselineText)”.")
        }
        do {
            return try await evaluation.evaluate(
                c, outcome: outcome, baseline: baseline, viewer: viewer ?? ActivityViewer(req.currentUser), on: req.db)
        } catch let error as EvaluationError {
            throw Abort(.badRequest, reason: error.description.capitalizedFirst + ".")
        }
    }

    private func render(
        _ c: CampaignStore.Campaign, req: Request, shared: Bool, canShare: Bool, newLink: String?,
        viewer: ActivityViewer
    ) async throws -> Response {
        let e = try await evaluate(c, req: req, viewer: viewer)
        let delivery = try await queries.delivery(c, campaigns: campaigns, viewer: viewer, on: req.db)
        let categories = try await evaluation.categories(on: req.db)
        let token = req.parameters.get("token")
        var query = "outcome=\(e.outcome.slug)&baseline=\(e.baseline.rawValue)"
        query = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? query
        let outcomes =
            [
                ReportPage.Option(
                    value: EvaluationOutcome.asbSlug, label: "Anti-social behaviour",
                    selected: e.outcome.slug == EvaluationOutcome.asbSlug),
                .init(value: "all-crime", label: "All crime", selected: e.outcome.slug == "all-crime"),
                .init(value: "harm", label: "Harm-weighted crime and ASB", selected: e.outcome.slug == "harm"),
            ]
            + categories.filter { $0.slug != EvaluationOutcome.asbSlug }.map {
                .init(value: $0.slug, label: $0.name, selected: e.outcome.slug == $0.slug)
            }
        let active = canShare ? try await links.active(campaignID: c.id, on: req.db) : []
        let page = ReportPage(
            title: "Report: \(c.name)", campaignName: c.name, campaignSlug: c.slug,
            dates: CampaignController.dates(c),
            shared: shared, csrf: req.csrfToken, outcomes: outcomes,
            baselines: EvaluationBaseline.allCases.map {
                .init(value: $0.rawValue, label: $0.label.capitalizedFirst, selected: $0 == e.baseline)
            },
            query: query,
            csvHref: shared
                ? SiteURL.sharedReportCSV.with(query: query, token ?? "")
                : SiteURL.campaignReportCSV.with(query: query, c.slug),
            returnHref: SiteURL.campaignReturnCSV(c.slug),
            pdfHref: SiteURL.campaignReportPDF.with(query: query, c.slug),
            summary: EvaluationText.summary(e),
            summaryRows: e.areas.map { a in
                let v = EvaluationText.verdict(a)
                let change =
                    a.measures.res.value.map { r -> String in
                        let x = EvaluationText.relativeChange(r)
                        return
                            "\(EvaluationText.signed(x.change)) (\(EvaluationText.signed(x.lower)) to \(EvaluationText.signed(x.upper)))"
                    } ?? "Not estimable"
                return .init(
                    name: a.area.name, anchor: a.area.slug, verdict: v.label,
                    verdictClass: ReportPage.verdictClass[v] ?? "",
                    change: change, displacement: a.hasBuffer ? a.measures.reading.label : "Not measured",
                    patrolHours: Format.number(a.patrolHours, decimals: 0))
            },
            totals: delivery.byType.map { ReportPage.Line(type: $0.type, records: $0.records, quantity: $0.quantity) },
            partners: delivery.byOrganisation.map {
                .init(label: $0.name, records: Format.count($0.records), amount: "")
            },
            mapSVG: ReportPage.overviewMap(e),
            dose: [
                "Patrol hours a week: " + EvaluationText.doseSentence(e.patrolDose, unit: "patrol hour a week"),
                "ASB powers used a week: "
                    + EvaluationText.doseSentence(e.powersDose, unit: "use of an ASB power a week"),
                "This is an association across areas, not proof that more patrols cause more reduction: the areas that got more also differ in other ways.",
            ],
            areas: e.areas.enumerated().map { k, a in
                let v = EvaluationText.verdict(a)
                let (effects, displacement) = ReportPage.rows(a, e)
                let delivered = (delivery.byArea[a.area.id] ?? []).map {
                    ReportPage.Line(type: $0.type, records: $0.records, quantity: $0.quantity)
                }
                return .init(
                    name: a.area.name, anchor: a.area.slug, verdict: v.label,
                    verdictClass: ReportPage.verdictClass[v] ?? "",
                    headline: EvaluationText.headline(a, e), displacement: EvaluationText.displacement(a),
                    match: EvaluationText.matchSentence(a.match), comparisonCount: a.comparison.count,
                    designHref: shared ? nil : SiteURL.campaignEvaluation(c.slug, a.area.slug),
                    chartSVG: ReportPage.chart(a, e, id: "chart-\(k)"),
                    mapSVG: ReportPage.map(a, others: e.areas, id: "map-\(k)"),
                    effects: effects, displacementRows: displacement, delivered: delivered,
                    hasDelivered: !delivered.isEmpty)
            },
            periods: [
                .init(label: "Campaign (during)", value: e.periods.during.description, interval: "", p: ""),
                .init(label: "Baseline", value: e.baselinePeriod.description, interval: e.baseline.label, p: ""),
                .init(
                    label: "After", value: e.periods.after.description,
                    interval: e.periods.afterCovered ? "" : "no police data yet", p: ""),
                .init(
                    label: "Matching window", value: e.periods.window.description,
                    interval: "24 months before the campaign", p: ""),
                .init(
                    label: "Police data through", value: ByteParsing.monthString(e.periods.dataThrough), interval: "",
                    p: ""),
            ],
            method: EvaluationText.method(e, delivery),
            canShare: canShare,
            links: active.map { .init(id: $0.id, label: $0.label, created: Format.dateTime($0.createdAt)) },
            hasLinks: !active.isEmpty, newLink: newLink, generated: Format.dateTime(Date().stored),
            published: try await publications.isPublished(c.id, on: req.db))
        return try await req.render("campaigns/report", page)
    }

    // MARK: Evaluation design of one area

    struct DesignPage: Encodable {
        struct LSOA: Encodable { var code: String; var name: String }
        var title: String
        var campaignName: String
        var reportHref: String
        var action: String
        var csrf: String
        var areaName: String
        var buffer: String
        var comparison: String
        var automatic: Bool
        var chosen: [LSOA]
        var match: String
        var bufferMatch: String
        var chartSVG: String
        var canEdit: Bool
        var errors: [FieldError]
        var hasErrors: Bool
    }

    @Sendable func design(req: Request) async throws -> Response {
        try await designPage(req, errors: [], buffer: nil, comparison: nil)
    }

    @Sendable func saveDesign(req: Request) async throws -> Response {
        let c = try await campaigns.requested(req)
        let area = try await requestedArea(c, req)
        struct Form: Decodable { var buffer: String; var comparison: String?; var automatic: String? }
        let form = try req.content.decode(Form.self)
        let comparison = form.automatic == "yes" ? "" : (form.comparison ?? "")
        do {
            try await evaluation.saveDesign(
                campaignID: c.id, areaID: area.areaId, buffer: form.buffer, comparison: comparison,
                by: try req.signedInUser(), audit: campaigns.audit, on: req.db)
            return req.redirect(to: SiteURL.campaignEvaluation(c.slug, area.slug))
        } catch let e as FieldErrors {
            let response = try await designPage(req, errors: e.errors, buffer: form.buffer, comparison: comparison)
            response.status = .badRequest
            return response
        }
    }

    private func requestedArea(_ c: CampaignStore.Campaign, _ req: Request) async throws -> CampaignStore.TargetArea {
        let slug = req.parameters.get("area") ?? ""
        guard let a = try await campaigns.areas(of: c, on: req.db).first(where: { $0.slug == slug }) else {
            throw Abort(.notFound, reason: "This campaign has no target area “\(slug)”.")
        }
        return a
    }

    private func designPage(_ req: Request, errors: [FieldError], buffer: String?, comparison: String?) async throws
        -> Response
    {
        let c = try await campaigns.requested(req)
        let target = try await requestedArea(c, req)
        let e = try await evaluate(c, req: req)
        guard let a = e.areas.first(where: { $0.area.id == target.areaId }) else {
            throw Abort(.notFound, reason: "This campaign has no target area “\(target.slug)”.")
        }
        let page = DesignPage(
            title: "Evaluation design: \(a.area.name)", campaignName: c.name,
            reportHref: SiteURL.campaignReport(c.slug) + "#\(a.area.slug)",
            action: SiteURL.campaignEvaluation(c.slug, a.area.slug), csrf: req.csrfToken, areaName: a.area.name,
            buffer: buffer ?? HotspotExport.number(a.design.bufferMetres),
            comparison: comparison ?? a.design.comparison.joined(separator: "\n"),
            automatic: a.design.comparison.isEmpty,
            chosen: a.comparison.map { .init(code: $0, name: e.lsoaNames[$0] ?? "") },
            match: EvaluationText.matchSentence(a.match), bufferMatch: EvaluationText.matchSentence(a.bufferMatch),
            chartSVG: ReportPage.chart(a, e, id: "design-chart"), canEdit: (try req.signedInUser()).role.isOPCC,
            errors: errors, hasErrors: !errors.isEmpty)
        return try await req.render("campaigns/evaluation", page)
    }

    // MARK: Links

    @Sendable func createLink(req: Request) async throws -> Response {
        let c = try await campaigns.requested(req)
        struct Form: Decodable { var label: String }
        let form = try req.content.decode(Form.self)
        do {
            let token = try await links.create(
                campaignID: c.id, label: form.label, by: try req.signedInUser(), on: req.db)
            let response = try await render(
                c, req: req, shared: false, canShare: true, newLink: SiteURL.sharedReport(token),
                viewer: ActivityViewer(req.currentUser))
            response.status = .created
            return response
        } catch let e as FieldErrors {
            throw Abort(.badRequest, reason: e.errors.map(\.message).joined(separator: "; "))
        }
    }

    @Sendable func revokeLink(req: Request) async throws -> Response {
        let c = try await campaigns.requested(req)
        guard let id = req.parameters.get("id", as: Int.self),
            try await links.revoke(id, campaignID: c.id, by: try req.signedInUser(), on: req.db)
        else { throw Abort(.notFound, reason: "There is no such live link for this campaign.") }
        return req.redirect(to: SiteURL.campaignReport(c.slug) + "#share")
    }
}
