import Analytics
import CrimeData
import Fluent
import Vapor

/// A campaign's dashboard: what the partners delivered, where and when, from the activity
/// records the user may see; PSPOs about to expire; actions overdue. And the CSV of it all.
struct DashboardController: Sendable {
    let campaigns: CampaignStore
    let activities: ActivityStore
    let areas: AreaStore
    var today: @Sendable () -> CalendarDay = { CalendarDay(Date()) }

    struct Page: Encodable {
        struct Row: Encodable { var label: String; var records: String; var amount: String }
        var title: String
        var campaignName: String
        var campaignSlug: String
        var headline: [String]
        var mapSVG: String
        var delivery: [PlanDelivery.Shown]
        var hasDelivery: Bool
        var byType: [Row]
        var byArea: [Row]
        var byOrganisation: [Row]
        var byWeek: [Row]
        var pspo: [Row]
        var overdue: [Row]
        var hasRecords: Bool
        var csv: String
    }

    private func campaign(_ req: Request) async throws -> CampaignStore.Campaign { try await campaigns.requested(req) }

    @Sendable func page(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let c = try await campaign(req)
        let today = today()
        func totals(_ g: ActivityStore.Grouping) async throws -> [ActivityStore.Total] {
            try await activities.totals(by: g, for: user, campaignID: c.id, on: req.db)
        }
        let typeTotals = try await totals(.type)
        let delivery = PlanDelivery.rows(
            targets: try await campaigns.targets(of: c, on: req.db).map { ($0.type, $0.amount) }, delivered: typeTotals
        )
        .map(\.shown)
        let d = CampaignDashboard(
            types: typeTotals, areas: try await totals(.area), organisations: try await totals(.organisation),
            weeks: try await totals(.week), pspos: try await activities.pspos(for: user, campaignID: c.id, on: req.db),
            today: today)
        func amount(_ l: CampaignDashboard.Line) -> String {
            "\(Format.number(l.amount, decimals: l.amount == l.amount.rounded() ? 0 : 1)) \(l.unit)"
        }
        var headline = [
            "\(Format.counted(d.total, "activity record", "activity records")) in this campaign that you can see."
        ]
        if d.highVisibilityPatrolHours > 0 {
            headline.append(
                "\(Format.number(d.highVisibilityPatrolHours, decimals: 0)) hours of high-visibility patrols, with \(Format.count(d.hotSpotVisits)) hot-spot visits."
            )
        }
        let types = d.byType.prefix(3).filter { $0.label != "Patrol" }.map {
            "\(amount($0)) (\($0.label.lowercased()))"
        }
        if !types.isEmpty { headline.append("Also: " + types.joined(separator: "; ") + ".") }
        // Target areas shaded by the records in them.
        let targets = try await campaigns.areas(of: c, on: req.db)
        let areaRecords = Dictionary(uniqueKeysWithValues: d.byArea.map { ($0.label, $0.records) })
        let shapes = try await areas.list(on: req.db).filter { a in targets.contains { $0.areaId == a.id } }
        let mapSVG =
            SVGMap.shaded(
                shapes.map { a in (a, areaRecords[a.name] ?? 0, SiteURL.campaignPlan(c.slug, a.slug)) },
                singular: "record", plural: "records", legendTitle: "Activity records in each target area",
                title: "Map of activity in \(c.name)") ?? ""
        let overdue = try await campaigns.actions(of: c, on: req.db).compactMap { area, a -> Page.Row? in
            guard let due = CalendarDay(a.dueOn), ActionUrgency.of(due: due, status: a.status, today: today) == .overdue
            else { return nil }
            return Page.Row(label: "\(a.title) (\(area))", records: a.ownerName, amount: due.long)
        }
        let page = Page(
            title: "\(c.name): dashboard", campaignName: c.name, campaignSlug: c.slug,
            headline: headline, mapSVG: mapSVG,
            delivery: delivery, hasDelivery: !delivery.isEmpty,
            byType: d.byType.map { .init(label: $0.label, records: Format.count($0.records), amount: amount($0)) },
            byArea: d.byArea.map { .init(label: $0.label, records: Format.count($0.records), amount: "") },
            byOrganisation: d.byOrganisation.map {
                .init(label: $0.label, records: Format.count($0.records), amount: "")
            },
            byWeek: d.byWeek.map { .init(label: "w/c \($0.week.long)", records: Format.count($0.records), amount: "") },
            pspo: d.pspoExpiring.map { .init(label: $0.place, records: "", amount: $0.expires.long) },
            overdue: overdue, hasRecords: d.total > 0, csv: SiteURL.campaignActivitiesCSV(c.slug))
        return try await req.render("campaigns/dashboard", page)
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let c = try await campaign(req)
        let records = try await activities.latest(for: try req.signedInUser(), campaignID: c.id, limit: nil, on: req.db)
        var out = CSVWriter.record([
            "id", "date", "time", "type", "organisation", "area", "location", "quantity", "unit", "details",
            "visibility",
        ])
        for r in records.reversed() {
            out += CSVWriter.record([
                String(r.id), r.occurredOn, r.startTime ?? "", r.type, r.organisationName, r.areaName ?? "",
                r.location,
                HotspotExport.number(r.quantity), ActivityType.named(r.type)?.quantityUnit ?? "", r.details,
                r.visibility,
            ])
        }
        return download(out, type: "text/csv; charset=utf-8", name: "\(c.slug)-activities.csv")
    }
}
