import Analytics
import CrimeData
import Foundation
import Vapor

/// Publishing the plan: the scorecard frozen as published on `/open/plan` (small counts
/// suppressed as on every public page, `PlanPublisher`), its CSV and the print/PDF.
extension PlanController {
    @Sendable func publish(req: Request) async throws -> Response {
        let publisher = PlanPublisher(suppression: suppression, service: service, publications: publications)
        guard try await publisher.publish(by: req.currentUser, on: req.db) != nil else {
            throw Abort(.conflict, reason: "There is no plan to publish yet.")
        }
        return req.redirect(to: SiteURL.openPlan())
    }

    @Sendable func withdraw(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: Int.self) ?? 0
        guard try await publications.withdraw(id: id, by: req.currentUser, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such publication on the open pages.")
        }
        return req.redirect(to: SiteURL.plan())
    }

    private func latestPublished(_ req: Request) async throws -> (
        PlanPublicationStore.Publication, PlanPublisher.PublishedPlan
    )? {
        guard let (p, content) = try await publications.latest(kind: .scorecard, on: req.db) else { return nil }
        return (p, try JSONDecoder().decode(PlanPublisher.PublishedPlan.self, from: Data(content.utf8)))
    }

    @Sendable func openPlan(req: Request) async throws -> Response {
        let national = try await publications.list(kind: .national, on: req.db).filter { $0.withdrawnAt == nil }
        var seen = Set<String>()
        let statements = national.filter { seen.insert($0.period).inserted }.compactMap { p -> MeasurePage.Link? in
            guard let q = Int(p.period) else { return nil }
            return .init(label: p.title, href: SiteURL.openNational(q))
        }
        guard let (p, published) = try await latestPublished(req) else {
            var page = PlanPage(
                .init(
                    plan: nil, objectives: [], themes: [], themeObjectives: [:], readings: [], measureThemes: [:]),
                canEnter: false, row: { k, r in MeasureRow(r, id: "spark-\(k)") })
            page.isOpen = true
            page.nationalStatements = statements
            return try await req.render("plan/index", page)
        }
        var page = published.page
        page.published = "Published \(Format.dateTime(p.publishedAt)), figures to \(published.asOf)."
        page.nationalStatements = statements
        return try await req.render("plan/index", page)
    }

    @Sendable func openCSV(req: Request) async throws -> Response {
        guard let (_, published) = try await latestPublished(req) else {
            throw Abort(.notFound, reason: "The plan's scorecard has not been published yet.")
        }
        var out = CSVWriter.record(["measure", "name", "period", "value", "note"])
        for f in published.figures { out += CSVWriter.record([f.measure, f.name, f.period, f.value, f.note]) }
        return download(out, type: "text/csv; charset=utf-8", name: "police-and-crime-plan-published.csv")
    }

    /// The scorecard as a PDF (A4, the print stylesheet), printed by headless Chromium.
    @Sendable func scorecardPDF(req: Request) async throws -> Response {
        try await pdf.download(filename: "police-and-crime-plan.pdf", req: req) { try await scorecard(req: req) }
    }
}
