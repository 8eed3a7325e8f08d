import Foundation
import Vapor

/// The grants on `/open`: every fund, what it awarded and paid, by plan theme and by place
/// (with a map of the stored areas served), each grant with what accepted monitoring returns
/// say it achieved, and the 360Giving JSON and CSV files. Grants are made to organisations
/// only, so no person is ever named; nothing from an application beyond its title, its
/// summary of the work and the places served is shown.
extension GrantController {
    /// The open pages' records, read with a fixed number of queries.
    struct OpenRecords {
        var publisher: GrantPublisher
        var inputs: GrantPublisher.Inputs
        var funds: [Grants.Fund]
        var themes: [PlanStore.Theme]
    }

    func openRecords(_ req: Request, fund: Int? = nil, award: Int? = nil) async throws -> OpenRecords {
        let awards = try await open.awards(fund: fund, award: award, on: req.db)
        let funds = try await store.funds(on: req.db)
        let themes = try await themes(req)
        let answers = try await open.answers(application: award == nil ? nil : awards.first?.applicationId, on: req.db)
        let geography = try await open.geography(on: req.db)
        let places = answers.places.mapValues {
            GrantOpenQueries.Places(answer: $0, names: geography.names, areaAuthorities: geography.areas)
        }
        let inputs = GrantPublisher.Inputs(
            awards: awards, funds: Dictionary(funds.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }),
            themeTitles: Dictionary(themes.map { ($0.slug, $0.title) }, uniquingKeysWith: { a, _ in a }),
            paid: try await open.paid(on: req.db), summaries: answers.summaries, places: places)
        return OpenRecords(
            publisher: GrantPublisher(prefix: grantPrefix, funder: try await open.funder(on: req.db)), inputs: inputs,
            funds: funds, themes: themes)
    }

    // MARK: Files

    @Sendable func openJSON(req: Request) async throws -> Response {
        let records = try await openRecords(req)
        guard !records.inputs.awards.isEmpty else {
            throw Abort(.notFound, reason: "No grants have been awarded yet, so there is nothing to publish.")
        }
        let body = ThreeSixtyGiving.json(records.publisher.package(records.inputs, now: now()))
        let response = Response(status: .ok, body: .init(buffer: ByteBuffer(bytes: body)))
        response.headers.contentType = .json
        response.headers.contentDisposition = .init(.attachment, filename: "grants-360giving.json")
        return response
    }

    @Sendable func openCSV(req: Request) async throws -> Response {
        let records = try await openRecords(req)
        let grants = records.inputs.awards.map { records.publisher.grant($0, records.inputs) }
        return download(ThreeSixtyGiving.csv(grants), type: "text/csv; charset=utf-8", name: "grants-360giving.csv")
    }

    // MARK: Pages

    @Sendable func openIndex(req: Request) async throws -> Response {
        let records = try await openRecords(req)
        var page = try await openPage(records, req)
        page.title = "Grants"
        page.lead =
            "What \(records.publisher.funderName) has funded: \(page.summary) Every grant is published to the 360Giving Data Standard."
        page.fundRows = records.funds.map { f in
            let awards = records.inputs.awards.filter { $0.fundId == f.id }
            return .init(
                name: f.name, href: SiteURL.openGrantFund(f.slug),
                themes: f.themes.compactMap { records.inputs.themeTitles[$0] }.joined(separator: "; "),
                grants: Format.count(awards.count), awarded: Grants.pounds(awards.map(\.amountPence).reduce(0, +)),
                paid: Grants.pounds(awards.map { records.inputs.paid[$0.id] ?? 0 }.reduce(0, +)))
        }
        page.hasFunds = !page.fundRows.isEmpty
        return try await req.render("open/grants", page)
    }

    @Sendable func openFund(req: Request) async throws -> Response {
        guard let fund = try await store.fund(slug: req.parameters.get("slug") ?? "", on: req.db) else {
            throw Abort(.notFound, reason: "There is no such fund.")
        }
        let records = try await openRecords(req, fund: fund.id)
        var page = try await openPage(records, req)
        page.title = fund.name
        page.lead = fund.description.isEmpty ? page.summary : "\(fund.description) \(page.summary)"
        page.breadcrumbs.append(.init(label: "Grants", href: SiteURL.openGrants()))
        page.facts.insert(.init(label: "Budget", value: Grants.pounds(fund.budgetPence)), at: 0)
        if !fund.moneySource.isEmpty { page.facts.append(.init(label: "Money from", value: fund.moneySource)) }
        page.facts.append(.init(label: "Open call", value: fund.openCall != 0 ? "Yes" : "No (commissioned)"))
        return try await req.render("open/grants", page)
    }

    @Sendable func openGrant(req: Request) async throws -> Response {
        let id = req.parameters.get("award", as: Int.self) ?? 0
        let records = try await openRecords(req, award: id)
        guard let row = records.inputs.awards.first else {
            throw Abort(.notFound, reason: "There is no such grant.")
        }
        let g = records.publisher.grant(row, records.inputs)
        let fund = records.inputs.funds[row.fundId]
        let achieved = try await open.achievements(award: row.id, on: req.db)
        let places = records.inputs.places[row.applicationId] ?? .init()
        let areaNames = try await areaNames(req)
        var facts: [RankingPage.Pair] = [
            .init(label: "Recipient", value: row.organisationName),
            .init(label: "Recipient identifier", value: g.recipientOrganization.first?.id ?? ""),
            .init(label: "Amount awarded", value: Grants.pounds(row.amountPence)),
            .init(label: "Paid so far", value: Grants.pounds(records.inputs.paid[row.id] ?? 0)),
            .init(label: "Awarded", value: Format.day(row.awardDate)),
            .init(label: "Runs", value: "\(Format.day(row.startsOn)) to \(Format.day(row.endsOn))"),
        ]
        if let fund { facts.append(.init(label: "Fund", value: fund.name)) }
        let placeNames =
            places.areas.map { areaNames[$0] ?? $0 } + places.authorities.map { "\($0.name) (\($0.code))" }
        if !placeNames.isEmpty {
            facts.append(.init(label: "Places served", value: placeNames.joined(separator: "; ")))
        }
        facts.append(.init(label: "360Giving identifier", value: g.id))
        let page = OpenGrantPage(
            title: g.title, description: g.description, facts: facts,
            outcomes: achieved.map {
                .init(
                    name: $0.name, target: Format.figure($0.target) + ($0.unit.isEmpty ? "" : " \($0.unit)"),
                    achieved: Format.figure($0.achieved),
                    share: $0.target > 0 ? "\(Int(($0.achieved / $0.target * 100).rounded()))%" : "")
            }, hasOutcomes: !achieved.isEmpty,
            fundHref: fund.map { SiteURL.openGrantFund($0.slug) } ?? SiteURL.openGrants(),
            fundName: fund?.name ?? "Grants")
        return try await req.render("open/grant", page)
    }

    private func areaNames(_ req: Request) async throws -> [String: String] {
        Dictionary(try await areas.list(on: req.db).map { ($0.slug, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// The figures, the tables by theme and by place, the map and the list of grants for the
    /// records given (every grant, or one fund's).
    private func openPage(_ records: OpenRecords, _ req: Request) async throws -> OpenGrantsPage {
        let inputs = records.inputs
        let awards = inputs.awards
        let awarded = awards.map(\.amountPence).reduce(0, +)
        let paid = awards.map { inputs.paid[$0.id] ?? 0 }.reduce(0, +)
        let achievements = try await open.achievements(on: req.db)
        let fundOf = Dictionary(awards.map { ($0.id, $0.fundId) }, uniquingKeysWith: { a, _ in a })
        let counted = achievements.filter { fundOf[$0.awardId] != nil }
        let recipients = Set(awards.map(\.organisationId)).count
        var summary =
            "\(Grants.pounds(awarded)) in \(Format.counted(awards.count, "grant", "grants")) to \(Format.counted(recipients, "organisation", "organisations")), \(Grants.pounds(paid)) paid so far."
        // The outputs most grants report, achieved against planned.
        let outputs = Self.outputTotals(counted)
        if let first = outputs.first {
            summary +=
                " \(Format.figure(first.achieved)) \(first.name.lowercased()) against \(Format.figure(first.planned)) planned."
        }
        var page = OpenGrantsPage(summary: summary)
        page.facts = [
            .init(label: "Grants", value: Format.count(awards.count)),
            .init(label: "Awarded", value: Grants.pounds(awarded)),
            .init(label: "Paid so far", value: Grants.pounds(paid)),
            .init(label: "Organisations funded", value: Format.count(recipients)),
        ]
        page.outputs = outputs.prefix(12).map {
            .init(
                name: $0.name, target: Format.figure($0.planned), achieved: Format.figure($0.achieved),
                share: $0.planned > 0 ? "\(Int(($0.achieved / $0.planned * 100).rounded()))%" : "")
        }
        // By theme: each grant counts under every theme its fund serves.
        page.themes = records.themes.compactMap { t in
            let funds = Set(records.funds.filter { $0.themes.contains(t.slug) }.map(\.id))
            let served = awards.filter { funds.contains($0.fundId) }
            guard !served.isEmpty else { return nil }
            let ids = Set(served.map(\.id))
            let top = Self.outputTotals(counted.filter { ids.contains($0.awardId) }).first
            return .init(
                name: t.title, grants: Format.count(served.count),
                awarded: Grants.pounds(served.map(\.amountPence).reduce(0, +)),
                detail: top.map {
                    "\($0.name): \(Format.figure($0.achieved)) of \(Format.figure($0.planned))"
                } ?? "")
        }
        // By place: each local authority a grant serves (a grant serving two counts in both).
        var byAuthority: [GrantOpenQueries.Authority: (n: Int, pence: Int)] = [:]
        var byArea: [String: Int] = [:]
        for a in awards {
            let places = inputs.places[a.applicationId] ?? .init()
            for au in places.authorities {
                byAuthority[au, default: (0, 0)].n += 1
                byAuthority[au, default: (0, 0)].pence += a.amountPence
            }
            for slug in places.areas { byArea[slug, default: 0] += 1 }
        }
        page.places = byAuthority.sorted { ($0.value.pence, $0.key.name) > ($1.value.pence, $1.key.name) }.map {
            .init(
                name: "\($0.key.name) (\($0.key.code))", grants: Format.count($0.value.n),
                awarded: Grants.pounds($0.value.pence), detail: "")
        }
        let areaList = try await areas.list(on: req.db).filter { byArea[$0.slug] != nil }
        page.mapSVG =
            SVGMap.shaded(
                areaList.map { ($0, byArea[$0.slug] ?? 0, nil) }, singular: "grant", plural: "grants",
                legendTitle: "Grants serving each area", title: "Map of the areas grants serve") ?? ""
        page.grants = awards.sorted { ($0.awardDate, $0.id) > ($1.awardDate, $1.id) }.prefix(Self.openListLimit).map {
            .init(
                title: $0.title, href: SiteURL.openGrant($0.id), recipient: $0.organisationName,
                amount: Grants.pounds($0.amountPence), awarded: Format.day($0.awardDate))
        }
        if awards.count > Self.openListLimit {
            page.grantsNote =
                "The \(Format.count(Self.openListLimit)) most recent of \(Format.count(awards.count)) grants; the files below hold them all."
        }
        page.hasThemes = !page.themes.isEmpty
        page.hasPlaces = !page.places.isEmpty
        page.hasOutputs = !page.outputs.isEmpty
        page.hasGrants = !page.grants.isEmpty
        return page
    }

    static let openListLimit = 500

    /// Indicators by name: planned (sum of targets) and achieved (sum of what accepted returns
    /// reported), the most planned first.
    static func outputTotals(_ items: [GrantOpenQueries.Achievement]) -> [(
        name: String, planned: Double, achieved: Double
    )] {
        var totals: [String: (Double, Double)] = [:]
        for i in items {
            totals[i.name, default: (0, 0)].0 += i.target
            totals[i.name, default: (0, 0)].1 += i.achieved
        }
        return totals.map { (name: $0.key, planned: $0.value.0, achieved: $0.value.1) }.sorted {
            ($0.planned, $1.name) > ($1.planned, $0.name)
        }
    }
}

struct OpenGrantsPage: Encodable {
    struct FundRow: Encodable {
        var name: String
        var href: String
        var themes: String
        var grants: String
        var awarded: String
        var paid: String
    }
    struct GroupRow: Encodable {
        var name: String
        var grants: String
        var awarded: String
        var detail: String
    }
    struct OutcomeRow: Encodable {
        var name: String
        var target: String
        var achieved: String
        var share: String
    }
    struct GrantRow: Encodable {
        var title: String
        var href: String
        var recipient: String
        var amount: String
        var awarded: String
    }
    var title = ""
    var lead = ""
    var summary: String
    var breadcrumbs: [MeasurePage.Link] = [.init(label: "Open data", href: SiteURL.open())]
    var facts: [RankingPage.Pair] = []
    var fundRows: [FundRow] = []
    var hasFunds = false
    var outputs: [OutcomeRow] = []
    var hasOutputs = false
    var themes: [GroupRow] = []
    var hasThemes = false
    var places: [GroupRow] = []
    var hasPlaces = false
    var mapSVG = ""
    var grants: [GrantRow] = []
    var hasGrants = false
    var grantsNote = ""
    var jsonHref = SiteURL.openGrantsJSON()
    var csvHref = SiteURL.openGrantsCSV()
}

struct OpenGrantPage: Encodable {
    var title: String
    var description: String
    var facts: [RankingPage.Pair]
    var outcomes: [OpenGrantsPage.OutcomeRow]
    var hasOutcomes: Bool
    var fundHref: String
    var fundName: String
}
