import Analytics
import CrimeData
import Fluent
import Vapor

/// The public pages (no sign-in) under `/open`: a force overview, each area, each
/// published campaign; with open data files (CSV, GeoJSON) of exactly what they show.
/// Safe by construction: counts come from the maintained aggregates, small counts are
/// suppressed (``Suppression``), partners' activity is public records only and totalled
/// by area and type, and nothing finer than an area's outline is placed on a map.
struct OpenDataController: Sendable {
    let queries: OpenDataQueries
    let areas: AreaStore
    let publications: PublicationStore
    let campaigns: CampaignStore
    let evaluation: EvaluationService
    let suppression: Suppression

    struct Link: Encodable { var name: String; var href: String; var detail: String }
    struct Row: Encodable { var cells: [String] }

    struct Page: Encodable {
        var title: String
        var lead: String
        var facts: [RankingPage.Pair]
        var chartSVG: String
        var chartTitle: String
        var recent: [Row]
        var activity: [Row] = []
        var results: [Row] = []
        var links: [Link]
        var linksTitle: String
        var downloads: [Link]
        var mapSVG: String
        var liveMap: LiveMap? = nil
        var note: String
        var breadcrumb: String
        var activityByArea = false
        var hasRecent = false
        var hasActivity = false
        var hasResults = false
        var hasLinks = false

        /// The flags the template needs (Leaf cannot test an array for emptiness).
        func ready() -> Page {
            var page = self
            page.hasRecent = !recent.isEmpty
            page.hasActivity = !activity.isEmpty
            page.hasResults = !results.isEmpty
            page.hasLinks = !links.isEmpty
            return page
        }
    }

    // MARK: Pages

    @Sendable func index(req: Request) async throws -> Response {
        let forces = try await queries.forcesWithData(on: req.db)
        let forceID = forces.first ?? "norfolk"
        let force = PoliceForce.forID(forceID) ?? PoliceForce(id: forceID, name: forceID)
        let series = try await queries.forceSeries(forceID, on: req.db)
        let published = try await publications.published(on: req.db)
        let areaList = try await areas.list(on: req.db)
        var links = [
            Link(
                name: "Police and Crime Plan", href: SiteURL.openPlan(),
                detail: "The plan's measures and the Commissioner's scorecard"),
            Link(
                name: "Grants", href: SiteURL.openGrants(),
                detail: "What the Commissioner funded and what it achieved, to the 360Giving Data Standard"),
            Link(name: "Meetings", href: SiteURL.openMeetings(), detail: "Minutes, questions and answers"),
        ]
        links += published.map {
            Link(
                name: $0.name, href: SiteURL.openCampaign($0.slug), detail: "Campaign, \(CampaignController.dates($0))")
        }
        links += areaList.map {
            Link(name: $0.name, href: SiteURL.openArea($0.slug), detail: AreaController.kindText($0))
        }
        return try await req.render(
            "open/page",
            Page(
                title: "Open data: \(force.name)",
                lead:
                    "Anti-social behaviour and crime recorded by \(force.name), month by month, from police.uk open data; the areas partners work in; and the results of campaigns the Police and Crime Commissioner has published.",
                facts: facts(series), chartSVG: chart(series, title: "ASB and other crime by month, \(force.name)"),
                chartTitle: "By month", recent: recent(series),
                links: links, linksTitle: "The plan, grants, meetings, campaigns and areas",
                downloads: [
                    Link(name: "Monthly counts (CSV)", href: SiteURL.openForceCSV(force.id), detail: "")
                ],
                mapSVG: "", note: suppression.note, breadcrumb: ""
            ).ready())
    }

    @Sendable func area(req: Request) async throws -> Response {
        let area = try await requestedArea(req)
        let series = try await queries.areaSeries(area, on: req.db)
        let activity = try await queries.publicActivity(areaID: area.id, on: req.db)
        let map = outline([area], features: SiteURL.openAreaGeoJSON(area.slug))
        return try await req.render(
            "open/page",
            Page(
                title: area.name,
                lead: area.description.isEmpty
                    ? "\(AreaController.kindText(area)). \(Format.count(area.population)) residents."
                    : area.description,
                facts: facts(series), chartSVG: chart(series, title: "ASB and other crime by month in \(area.name)"),
                chartTitle: "By month", recent: recent(series), activity: activityRows(activity, byArea: false),
                links: [], linksTitle: "",
                downloads: [
                    Link(name: "Monthly counts (CSV)", href: SiteURL.openAreaCSV(area.slug), detail: ""),
                    Link(
                        name: "Outline and totals (GeoJSON)", href: SiteURL.openAreaGeoJSON(area.slug), detail: ""),
                ],
                mapSVG: map.svg, liveMap: map.live, note: suppression.note, breadcrumb: SiteURL.open()
            ).ready())
    }

    @Sendable func campaign(req: Request) async throws -> Response {
        let c = try await publishedCampaign(req)
        let targets = try await targetAreas(c, on: req.db)
        var series: [OpenDataQueries.Month] = []
        for area in targets { series = add(series, try await queries.areaSeries(area, on: req.db)) }
        let activity = try await queries.publicActivity(campaignID: c.id, on: req.db)
        let found = try await self.results(c, on: req.db)
        let results = resultRows(found)
        let map = outline(
            targets, results: Dictionary(found.map { ($0.area, $0) }, uniquingKeysWith: { a, _ in a }),
            features: SiteURL.openCampaignGeoJSON(c.slug))
        return try await req.render(
            "open/page",
            Page(
                title: c.name, lead: c.description.isEmpty ? "From \(CampaignController.dates(c))." : c.description,
                facts: [
                    .init(label: "Dates", value: CampaignController.dates(c)),
                    .init(label: "Areas", value: targets.map(\.name).joined(separator: ", ")),
                ] + facts(series),
                chartSVG: chart(series, title: "ASB and other crime by month in the campaign's \(targets.count) areas"),
                chartTitle: "By month, the campaign's areas together", recent: recent(series),
                activity: activityRows(activity, byArea: true), results: results,
                links: targets.map {
                    Link(name: $0.name, href: SiteURL.openArea($0.slug), detail: AreaController.kindText($0))
                }, linksTitle: "Areas",
                downloads: [
                    Link(
                        name: "Results and public activity (CSV)", href: SiteURL.openCampaignCSV(c.slug),
                        detail: ""),
                    Link(
                        name: "Areas with their results (GeoJSON)", href: SiteURL.openCampaignGeoJSON(c.slug),
                        detail: ""),
                ],
                mapSVG: map.svg, liveMap: map.live, note: suppression.note, breadcrumb: SiteURL.open(),
                activityByArea: true
            ).ready())
    }

    // MARK: Files

    @Sendable func forceCSV(req: Request) async throws -> Response {
        let id = req.parameters.get("force") ?? ""
        guard try await queries.forcesWithData(on: req.db).contains(id) else {
            throw Abort(.notFound, reason: "No data for the force “\(id)”")
        }
        return download(
            seriesCSV(try await queries.forceSeries(id, on: req.db)), type: "text/csv; charset=utf-8",
            name: "\(id)-monthly.csv")
    }

    @Sendable func areaCSV(req: Request) async throws -> Response {
        let area = try await requestedArea(req)
        return download(
            seriesCSV(try await queries.areaSeries(area, on: req.db)), type: "text/csv; charset=utf-8",
            name: "\(area.slug)-monthly.csv")
    }

    @Sendable func areaGeoJSON(req: Request) async throws -> Response {
        let area = try await requestedArea(req)
        let series = try await queries.areaSeries(area, on: req.db)
        return geoJSON([(area, lastYear(series))], results: [:], name: area.slug)
    }

    @Sendable func campaignCSV(req: Request) async throws -> Response {
        let c = try await publishedCampaign(req)
        var out = CSVWriter.record(["section", "area", "measure", "value", "lower95", "upper95", "note"])
        for r in try await results(c, on: req.db) {
            out += CSVWriter.record([
                "result", r.area, "relative effect size (RES)", r.res.map { HotspotExport.number($0.ratio) } ?? "",
                r.res.map { HotspotExport.number($0.lower95) } ?? "",
                r.res.map { HotspotExport.number($0.upper95) } ?? "", r.verdict.label,
            ])
        }
        for a in try await queries.publicActivity(campaignID: c.id, on: req.db) {
            let type = ActivityType.named(a.type)
            let hidden = suppression.hides(a.records)
            out += CSVWriter.record([
                "activity", a.area ?? "", "\(type?.label ?? a.type): records", suppression.csv(a.records), "", "",
                hidden ? "fewer than \(suppression.threshold)" : "",
            ])
            out += CSVWriter.record([
                "activity", a.area ?? "", "\(type?.label ?? a.type): \(type?.quantityUnit ?? "quantity")",
                hidden ? "" : HotspotExport.number(a.quantity), "", "", "",
            ])
        }
        return download(out, type: "text/csv; charset=utf-8", name: "\(c.slug)-results.csv")
    }

    @Sendable func campaignGeoJSON(req: Request) async throws -> Response {
        let c = try await publishedCampaign(req)
        var withCounts: [(AreaRecord, (asb: Int, crime: Int))] = []
        for area in try await targetAreas(c, on: req.db) {
            withCounts.append((area, lastYear(try await queries.areaSeries(area, on: req.db))))
        }
        let byName = Dictionary(try await results(c, on: req.db).map { ($0.area, $0) }, uniquingKeysWith: { a, _ in a })
        return geoJSON(withCounts, results: byName, name: c.slug)
    }

    // MARK: Publishing (OPCC staff)

    @Sendable func publish(req: Request) async throws -> Response {
        try await setPublished(req, true)
    }

    @Sendable func unpublish(req: Request) async throws -> Response {
        try await setPublished(req, false)
    }

    private func setPublished(_ req: Request, _ published: Bool) async throws -> Response {
        let c = try await campaigns.requested(req)
        try await publications.set(c, published: published, by: try req.signedInUser(), on: req.db)
        return req.redirect(to: SiteURL.campaignReport(c.slug) + "#publish")
    }
}
