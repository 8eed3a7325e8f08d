import CrimeData
import Fluent
import Foundation

/// Makes the published version of the scorecard: the page as the public sees it (no links
/// into the working scorecard; small counts suppressed as on every public page) and every
/// published figure, frozen as JSON in `plan_publications`.
struct PlanPublisher: Sendable {
    let suppression: Suppression
    let service: PlanService
    let publications: PlanPublicationStore

    /// What goes on the open page: the page as published and every published figure.
    struct PublishedPlan: Codable {
        struct Figure: Codable {
            var measure: String
            var name: String
            var period: String
            var value: String
            var note: String
        }
        var page: PlanPage
        var figures: [Figure]
        var asOf: String
    }

    /// Whether a figure is a small count that the public pages do not show: counts of
    /// crimes or people from 1 to the threshold, and rates over fewer searches than that.
    func hides(_ m: Measure, _ v: MeasureValue) -> Bool {
        switch m.sourceKind {
        case .crimes: return !m.isRate && suppression.hides(Int(v.value.rounded()))
        case .stopSearchFindRate, .chargeSummonsShare:
            return v.denominator.map { suppression.hides(Int($0.rounded())) } ?? false
        case .activity: return false
        case .entered:
            let unit = m.unit.lowercased()
            let isCount = !["%", "per", "rate", "hour", "score", "second", "minute"].contains { unit.contains($0) }
            return isCount && suppression.hides(Int(v.value.rounded()))
        }
    }

    func snapshot(_ s: PlanService.Scorecard) -> PublishedPlan {
        var figures: [PublishedPlan.Figure] = []
        var page = PlanPage(s, canEnter: false) { k, r in
            var row = MeasureRow(r, id: "spark-\(k)")
            row.href = ""
            if r.values.contains(where: { hides(r.measure, $0) }) {
                row.sparkSVG = ""
                row.latest =
                    r.latest.map { hides(r.measure, $0) ? "fewer than \(suppression.threshold)" : row.latest }
                    ?? "–"
                row.baseline = "–"
                row.change = "–"
                row.sentence = "Some figures are below \(suppression.threshold) and are not published."
            }
            return row
        }
        for r in s.readings {
            for v in r.values {
                let hidden = hides(r.measure, v)
                figures.append(
                    .init(
                        measure: r.measure.slug, name: r.measure.name, period: ByteParsing.monthString(v.period),
                        value: hidden ? "" : HotspotExport.number(v.value),
                        note: hidden ? "fewer than \(suppression.threshold)" : ""))
            }
        }
        let last = s.readings.compactMap { $0.latest?.period }.max()
        page.isOpen = true
        page.csvHref = SiteURL.openPlanCSV()
        page.note = suppression.note
        return PublishedPlan(page: page, figures: figures, asOf: last.map(MeasureReading.monthName) ?? "")
    }

    /// Publishes the scorecard as it stands; nil when there is no plan yet.
    @discardableResult
    func publish(by user: CurrentUser?, on db: any Database) async throws -> Int? {
        let s = try await service.scorecard(sources: true, on: db)
        guard let plan = s.plan else { return nil }
        let published = snapshot(s)
        return try await publications.publish(
            .scorecard, period: published.asOf, title: "\(plan.title): figures to \(published.asOf)",
            content: String(decoding: try JSONEncoder().encode(published), as: UTF8.self), by: user, on: db)
    }
}
