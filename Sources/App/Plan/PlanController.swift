import Analytics
import CrimeData
import Fluent
import Vapor

/// The Police and Crime Plan's scorecard, a measure's page, a theme's page, and entering
/// the figures police.uk does not hold (form, CSV, JSON API).
struct PlanController: Sendable {
    let service: PlanService
    let users: UserStore
    let publications: PlanPublicationStore
    let campaigns: CampaignStore
    let suppression: Suppression
    let pdf: PDFRenderer

    // MARK: Reading

    @Sendable func scorecard(req: Request) async throws -> Response {
        let s = try await service.scorecard(on: req.db)
        var page = PlanPage(s, canEnter: req.currentUser?.role.isOPCC == true) { k, r in MeasureRow(r, id: "spark-\(k)")
        }
        page.csrf = req.csrfToken
        page.canEditPlan = req.currentUser?.role == .opccAdmin
        page.publications = try await publications.list(kind: .scorecard, on: req.db).filter { $0.withdrawnAt == nil }
            .prefix(5).map {
                .init(
                    label: "\($0.title), published \(Format.dateTime($0.publishedAt))",
                    href: SiteURL.planWithdraw($0.id))
            }
        return try await req.render("plan/index", page)
    }

    @Sendable func measure(req: Request) async throws -> Response {
        try await measurePage(req, errors: [], form: [:], status: .ok)
    }

    private func measurePage(_ req: Request, errors: [FieldError], form: [String: String], status: HTTPStatus)
        async throws -> Response
    {
        let slug = req.parameters.get("slug") ?? ""
        guard let r = try await service.reading(slug: slug, on: req.db) else {
            throw Abort(.notFound, reason: "There is no measure “\(slug.prefix(80))”.")
        }
        let m = r.measure
        let themeSlugs = try await service.measures.themes(on: req.db)[m.id] ?? []
        var themes: [PlanStore.Theme] = []
        if let plan = try await service.plans.current(on: req.db) {
            themes = try await service.plans.themes(of: plan, on: req.db)
        }
        var campaigns: [MeasurePage.Link] = []
        for t in themeSlugs {
            for c in try await service.plans.campaigns(serving: t, on: req.db)
            where !campaigns.contains(where: { $0.href == SiteURL.campaign(c.slug) }) {
                campaigns.append(.init(label: c.name, href: SiteURL.campaign(c.slug)))
            }
        }
        var facts: [MeasurePage.Fact] = [
            .init(label: "Definition", value: m.definition.isEmpty ? "Not written yet" : m.definition),
            .init(label: "Unit", value: m.unit.isEmpty ? "Count" : m.unit),
            .init(label: "Frequency", value: m.frequency.label),
            .init(
                label: "Improvement",
                value: m.direction == .up ? "Higher is better" : m.direction == .down ? "Lower is better" : "Neither"),
            .init(label: "Owner", value: m.owner.isEmpty ? "Not named" : m.owner),
            .init(
                label: "Source", value: r.latest?.source.isEmpty == false ? r.latest?.source ?? "" : Self.sourceText(m)),
        ]
        if let b = r.baseline {
            let span =
                m.baselineValue != nil
                ? "a fixed value"
                : "the mean of \(m.baselineFirst.map { MeasureReading.periodLabel($0, .monthly) } ?? "") to \(m.baselineLast.map { MeasureReading.periodLabel($0, .monthly) } ?? "")"
            facts.append(.init(label: "Baseline", value: "\(r.format(b)) (\(span))"))
        }
        if let t = r.target {
            facts.append(
                .init(
                    label: "Target",
                    value: r.targetDescription(t) + (m.targetBy.map { " by \(MeasureReading.monthName($0))" } ?? "")))
        }
        if let l = r.chart.latestLimits {
            facts.append(
                .init(
                    label: "Process limits",
                    value: "mean \(r.format(l.mean)), limits \(r.format(l.lower)) to \(r.format(l.upper))"
                        + (r.chart.segments.last?.trial == true ? " (trial: fewer than 12 points)" : "")))
        }
        let points = r.values.enumerated().reversed().map { i, v in
            MeasurePage.Point(
                period: MeasureReading.periodLabel(v.period, m.frequency), value: r.format(v.value),
                rule: r.chart.causes[i]?.label ?? "Common cause", source: v.computed == 1 ? "Computed" : v.source)
        }
        let page = MeasurePage(
            title: m.name, name: m.name, slug: m.slug, sentence: r.sentence,
            chartSVG: SPCChartSVG(reading: r).render(id: "spc-chart"),
            variationIcon: SPCStyle.variationIcon(r.variation), variationLabel: SPCStyle.label(r.variation),
            assuranceIcon: SPCStyle.assuranceIcon(r.assurance), assuranceLabel: SPCStyle.label(r.assurance),
            facts: facts, tests: [r.yearOnYearSentence, r.onBaselineSentence].compactMap { $0 }, points: points,
            rebases: r.rebases.map {
                .init(label: MeasureReading.periodLabel($0.period, m.frequency), value: $0.reason)
            },
            hasRebases: !r.rebases.isEmpty,
            themes: themeSlugs.map { slug in
                .init(label: themes.first { $0.slug == slug }?.title ?? slug, href: SiteURL.planTheme(slug))
            },
            campaigns: campaigns, hasCampaigns: !campaigns.isEmpty,
            canEnter: req.currentUser?.role.isOPCC == true, isEntered: m.sourceKind == .entered, csrf: req.csrfToken,
            errors: errors, hasErrors: !errors.isEmpty, form: form)
        return try await req.render("plan/measure", page, status: status)
    }

    static func sourceText(_ m: Measure) -> String {
        switch m.sourceKind {
        case .crimes: "Computed from police.uk street data"
        case .stopSearchFindRate: "Computed from police.uk stop and search data"
        case .chargeSummonsShare: "Computed from police.uk street and outcomes data"
        case .activity: "Computed from the activity ledger"
        case .entered: "Entered"
        }
    }

    @Sendable func theme(req: Request) async throws -> Response {
        let slug = req.parameters.get("slug") ?? ""
        let s = try await service.scorecard(on: req.db)
        guard let t = s.themes.first(where: { $0.slug == slug }) else {
            throw Abort(.notFound, reason: "The plan has no theme “\(slug.prefix(80))”.")
        }
        let readings = s.readings.filter { (s.measureThemes[$0.measure.id] ?? []).contains(slug) }
        let campaigns = try await service.plans.campaigns(serving: slug, on: req.db)
        let funds = try await service.plans.funds(serving: slug, on: req.db)
        let page = ThemePage(
            title: t.title, themeTitle: t.title, description: t.description, lead: t.leadName,
            serves: (s.themeObjectives[t.id] ?? []).compactMap { p in
                s.objectives.first { $0.position == p }.map { "\(p). \($0.title)" }
            },
            sections: [
                .init(
                    slug: t.slug, title: t.title, lead: t.leadName, href: SiteURL.planTheme(t.slug), serves: "",
                    rows: readings.enumerated().map { MeasureRow($1, id: "spark-\($0)") },
                    hasMeasures: !readings.isEmpty)
            ],
            campaigns: campaigns.map { .init(label: $0.name, href: SiteURL.campaign($0.slug)) },
            hasCampaigns: !campaigns.isEmpty,
            funds: funds.map {
                .init(
                    label:
                        "\($0.name): \(Format.counted($0.awards, "grant", "grants")), \(Grants.pounds($0.awardedPence))",
                    href: SiteURL.openGrantFund($0.slug))
            }, slug: t.slug, canEdit: req.currentUser?.role.isOPCC == true,
            csrf: req.csrfToken,
            campaignOptions: try await self.campaigns.list(for: try req.signedInUser(), on: req.db).filter { c in
                !campaigns.contains { $0.slug == c.slug }
            }.map { SelectOption(value: $0.slug, label: $0.name) })
        return try await req.render("plan/theme", page)
    }

    /// Every figure of every measure, with its rule and limits.
    @Sendable func csv(req: Request) async throws -> Response {
        let s = try await service.scorecard(sources: true, on: req.db)
        var out = CSVWriter.record([
            "measure", "name", "period", "value", "mean", "lower_limit", "upper_limit", "special_cause", "variation",
            "assurance", "target", "source",
        ])
        for r in s.readings {
            for (i, v) in r.values.enumerated() {
                let l = r.chart.limits(at: i)
                out += CSVWriter.record([
                    r.measure.slug, r.measure.name, ByteParsing.monthString(v.period), HotspotExport.number(v.value),
                    l.map { HotspotExport.number($0.mean) } ?? "", l.map { HotspotExport.number($0.lower) } ?? "",
                    l.map { HotspotExport.number($0.upper) } ?? "", r.chart.causes[i]?.label ?? "",
                    i == r.values.count - 1 ? r.variation.rawValue : "",
                    i == r.values.count - 1 ? (r.assurance?.rawValue ?? "") : "",
                    r.target.map(HotspotExport.number) ?? "", v.computed == 1 ? "computed" : v.source,
                ])
            }
        }
        return download(out, type: "text/csv; charset=utf-8", name: "police-and-crime-plan-measures.csv")
    }

    // MARK: Entering figures

    private func enteredMeasures(_ db: any Database) async throws -> [String: Measure] {
        Dictionary(
            uniqueKeysWithValues: try await service.measures.all(on: db).map { ($0.slug, $0) })
    }

    /// One figure from the measure's page.
    @Sendable func enterOne(req: Request) async throws -> Response {
        let slug = req.parameters.get("slug") ?? ""
        struct Form: Decodable { var period: String?; var value: String?; var source: String? }
        let form = try req.content.decode(Form.self)
        let measures = try await enteredMeasures(req.db)
        guard measures[slug] != nil else { throw Abort(.notFound, reason: "There is no measure “\(slug.prefix(80))”.") }
        switch MeasureEntry.check(
            measure: slug, period: form.period ?? "", value: form.value ?? "", source: form.source ?? "",
            measures: measures, line: Int?.none)
        {
        case .success(let v):
            try await service.measures.enter([v], by: req.currentUser, origin: "form", on: req.db)
            return req.redirect(to: SiteURL.planMeasure(slug))
        case .failure(let problems):
            return try await measurePage(
                req, errors: problems.list.map { FieldError(field: $0.field, message: $0.message.capitalizedFirst) },
                form: ["period": form.period ?? "", "value": form.value ?? "", "source": form.source ?? ""],
                status: .badRequest)
        }
    }

    @Sendable func uploadForm(req: Request) async throws -> Response {
        try await uploadPage(req, problem: nil, errors: [], saved: nil, status: .ok)
    }

    private func uploadPage(
        _ req: Request, problem: String?, errors: [MeasureEntry.Problem], saved: Int?, status: HTTPStatus
    ) async throws -> Response {
        let entered = try await service.measures.all(on: req.db).filter { $0.sourceKind == .entered }
        let page = MeasureUploadPage(
            csrf: req.csrfToken,
            measures: entered.map {
                SelectOption(value: $0.slug, label: "\($0.name) (\($0.frequency.label.lowercased()))")
            },
            problem: problem,
            errors: errors.prefix(200).map {
                .init(line: $0.line.map(String.init) ?? "", field: $0.field, message: $0.message)
            },
            hasErrors: !errors.isEmpty, saved: saved)
        return try await req.render("plan/upload", page, status: status)
    }

    /// A CSV file of figures: all stored, or none and every problem by line and column.
    @Sendable func upload(req: Request) async throws -> Response {
        struct Form: Decodable { var file: File? }
        guard let file = try req.content.decode(Form.self).file, file.data.readableBytes > 0 else {
            return try await uploadPage(
                req, problem: "Choose a CSV file to upload.", errors: [], saved: nil, status: .badRequest)
        }
        let measures = try await enteredMeasures(req.db)
        switch MeasureEntry.read(Array(file.data.readableBytesView), measures: measures) {
        case .success(let values):
            try await service.measures.enter(values, by: req.currentUser, origin: "csv", on: req.db)
            return try await uploadPage(req, problem: nil, errors: [], saved: values.count, status: .ok)
        case .failure(.refused(let reason)):
            return try await uploadPage(
                req, problem: "The file was not read: \(reason). Nothing was saved.", errors: [], saved: nil,
                status: .badRequest)
        case .failure(.rows(let problems)):
            return try await uploadPage(
                req, problem: "\(problems.count) problem\(problems.count == 1 ? "" : "s") found. Nothing was saved.",
                errors: problems, saved: nil, status: .badRequest)
        }
    }

    /// `POST /api/v1/plan/values`: `{"values": [{"measure", "period", "value", "source"}]}`,
    /// all or none; a 422 problem names each value (from 1) and field.
    @Sendable func apiEnter(req: Request) async throws -> Response {
        struct Body: Decodable {
            struct Value: Decodable {
                var measure: String?; var period: String?; var value: Double?; var source: String?
            }
            var values: [Value]
        }
        // OPCC staff, or a police force's own system (its organisation's API token).
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        if !user.role.isOPCC {
            let kind = try await users.organisation(id: user.organisationID, on: req.db)?.kind
            guard user.apiTokenID != nil, kind == OrganisationKind.police.rawValue else {
                throw Abort(
                    .forbidden,
                    reason: "Measure figures are sent by OPCC staff or by a police force's system with its API token.")
            }
        }
        guard let body = try? req.content.decode(Body.self) else {
            throw Abort(
                .badRequest, reason: "Send JSON: {\"values\": [{\"measure\", \"period\", \"value\", \"source\"}]}.")
        }
        guard !body.values.isEmpty, body.values.count <= MeasureEntry.maximumRows else {
            throw Abort(.badRequest, reason: "Send 1 to \(MeasureEntry.maximumRows) values.")
        }
        let measures = try await enteredMeasures(req.db)
        var checked: [EnteredValue] = []
        var problems: [APIRecordError] = []
        for (i, v) in body.values.enumerated() {
            switch MeasureEntry.check(
                measure: v.measure ?? "", period: v.period ?? "", value: v.value.map { String($0) } ?? "",
                source: v.source ?? "", measures: measures, line: i + 1)
            {
            case .success(let e): checked.append(e)
            case .failure(let p):
                problems += p.list.map { APIRecordError(record: i + 1, field: $0.field, message: $0.message) }
            }
        }
        guard problems.isEmpty else {
            return try APIJSON.response(
                APIRefusal(problems: problems), status: .unprocessableEntity, problem: true)
        }
        try await service.measures.enter(checked, by: req.currentUser, origin: "api", on: req.db)
        struct Saved: Encodable { var saved: Int }
        return try APIJSON.response(Saved(saved: checked.count), status: .created)
    }
}
