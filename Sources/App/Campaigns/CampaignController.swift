import CrimeData
import Fluent
import Vapor

/// Campaigns, their target areas and each area's plan. Reads stay inside the user's
/// organisation boundary (`CampaignStore`); changes to campaigns and plans are for OPCC
/// staff; progress updates are for the organisation that owns the action.
struct CampaignController: Sendable {
    let store: CampaignStore
    let areas: AreaStore
    /// For delivered against planned, from the records the user may see.
    let activities: ActivityStore
    var today: @Sendable () -> CalendarDay = { CalendarDay(Date()) }

    typealias Option = SelectOption

    // MARK: Pages

    struct ListPage: Encodable {
        struct Row: Encodable { var name: String; var href: String; var dates: String }
        var title = "Campaigns"
        var rows: [Row]
        var hasRows: Bool
        var canCreate: Bool
    }

    @Sendable func list(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let rows = try await store.list(for: user, on: req.db).map {
            ListPage.Row(name: $0.name, href: SiteURL.campaign($0.slug), dates: Self.dates($0))
        }
        return try await req.render(
            "campaigns/index", ListPage(rows: rows, hasRows: !rows.isEmpty, canCreate: user.role.isOPCC))
    }

    static func dates(_ c: CampaignStore.Campaign) -> String {
        guard let a = CalendarDay(c.startsOn), let b = CalendarDay(c.endsOn) else { return "" }
        return "\(a.long) to \(b.long)"
    }

    struct NewPage: Encodable {
        var title = "Create a campaign"
        var csrf: String
        var draft: CampaignDraft
        var errors: [FieldError]
        var hasErrors: Bool
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try await req.render(
            "campaigns/new",
            NewPage(
                csrf: req.csrfToken, draft: CampaignDraft(name: "", description: "", startsOn: "", endsOn: ""),
                errors: [], hasErrors: false))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let draft = try req.content.decode(CampaignDraft.self)
        do {
            let c = try await store.create(draft, by: req.currentUser, on: req.db)
            return req.redirect(to: SiteURL.campaign(c.slug))
        } catch CampaignStore.Problem.invalid(let errors) {
            let page = NewPage(csrf: req.csrfToken, draft: draft, errors: errors, hasErrors: true)
            return try await req.render("campaigns/new", page, status: .badRequest)
        }
    }

    struct ShowPage: Encodable {
        struct AreaRow: Encodable { var name: String; var href: String; var actions: Int; var open: Int }
        struct ActionRow: Encodable {
            var title: String
            var area: String
            var owner: String
            var lead: String
            var due: String
            var status: String
            var urgency: String
            var urgencyLabel: String
        }
        var title: String
        var campaign: CampaignStore.Campaign
        var dates: String
        var organisations: [String]
        var areas: [AreaRow]
        var links: [CampaignStore.Link]
        var attention: [ActionRow]
        var hasAttention: Bool
        var canEdit: Bool
        var csrf: String
        var organisationOptions: [Option]
        var areaOptions: [Option]
        var prioritiesCSV: String
        var errors: [FieldError]
        var hasErrors: Bool
    }

    private func campaign(_ req: Request) async throws -> CampaignStore.Campaign { try await store.requested(req) }

    private func showPage(_ req: Request, errors: [FieldError] = []) async throws -> Response {
        let user = try req.signedInUser()
        let c = try await campaign(req)
        let orgs = try await store.organisations(of: c, on: req.db)
        let targets = try await store.areas(of: c, on: req.db)
        let today = today()
        let attention = try await store.actions(of: c, on: req.db).compactMap { area, a -> ShowPage.ActionRow? in
            guard let due = CalendarDay(a.dueOn) else { return nil }
            let status = a.status
            let urgency = ActionUrgency.of(due: due, status: status, today: today)
            guard urgency == .overdue || urgency == .dueSoon else { return nil }
            return .init(
                title: a.title, area: area, owner: a.ownerName, lead: a.leadName, due: due.long, status: status.label,
                urgency: urgency.rawValue, urgencyLabel: urgency.label)
        }
        var organisationOptions: [Option] = []
        var areaOptions: [Option] = []
        if user.role.isOPCC {
            let member = Set(orgs.map(\.id))
            organisationOptions = try await store.allOrganisations(on: req.db).filter { !member.contains($0.id) }
                .map { Option(value: String($0.id), label: $0.name) }
            let targeted = Set(targets.map(\.areaId))
            areaOptions = try await areas.list(on: req.db).filter { !targeted.contains($0.id) }.map {
                Option(value: String($0.id), label: $0.name)
            }
        }
        let page = ShowPage(
            title: c.name, campaign: c, dates: Self.dates(c), organisations: orgs.map(\.name),
            areas: targets.map {
                .init(
                    name: $0.name, href: SiteURL.campaignPlan(c.slug, $0.slug), actions: $0.actions,
                    open: $0.openActions)
            },
            links: try await store.links(of: c, on: req.db), attention: attention, hasAttention: !attention.isEmpty,
            canEdit: user.role.isOPCC, csrf: req.csrfToken, organisationOptions: organisationOptions,
            areaOptions: areaOptions,
            prioritiesCSV: SiteURL.campaignPrioritiesCSV(c.slug), errors: errors, hasErrors: !errors.isEmpty)
        return try await req.render("campaigns/show", page, status: errors.isEmpty ? .ok : .badRequest)
    }

    @Sendable func show(req: Request) async throws -> Response { try await showPage(req) }

    struct IDForm: Content { var id: Int? }
    struct LinkForm: Content { var title: String?; var url: String? }

    /// Runs one change to the campaign: back to its page, or the page with the problems.
    private func change(_ req: Request, _ body: (CampaignStore.Campaign) async throws -> Void) async throws -> Response
    {
        let c = try await campaign(req)
        do { try await body(c) } catch CampaignStore.Problem.invalid(let errors) {
            return try await showPage(req, errors: errors)
        }
        return req.redirect(to: SiteURL.campaign(c.slug))
    }

    @Sendable func addOrganisation(req: Request) async throws -> Response {
        let form = try req.content.decode(IDForm.self)
        return try await change(req) {
            try await store.addOrganisation(form.id ?? -1, to: $0, by: req.currentUser, on: req.db)
        }
    }

    @Sendable func addArea(req: Request) async throws -> Response {
        let form = try req.content.decode(IDForm.self)
        return try await change(req) { try await store.addArea(form.id ?? -1, to: $0, by: req.currentUser, on: req.db) }
    }

    @Sendable func addLink(req: Request) async throws -> Response {
        let form = try req.content.decode(LinkForm.self)
        return try await change(req) {
            try await store.addLink(
                title: form.title ?? "", url: form.url ?? "", to: $0, by: req.currentUser, on: req.db)
        }
    }

    // MARK: Plans

    struct PlanPage: Encodable {
        var title: String
        var campaignName: String
        var campaignSlug: String
        var plan: CampaignStore.Plan
        var delivery: [PlanDelivery.Shown]
        var hasDelivery: Bool
        var typeOptions: [Option]
        var actions: [ActionRow]
        var hasActions: Bool
        var canEdit: Bool
        var csrf: String
        var ownerOptions: [Option]
        var statusOptions: [Option]
        var errors: [FieldError]
        var hasErrors: Bool
    }

    private func planPage(_ req: Request, errors: [FieldError] = []) async throws -> Response {
        let user = try req.signedInUser()
        let c = try await campaign(req)
        let plan = try await plan(req, of: c)
        let updates = Dictionary(grouping: try await store.updates(of: plan, on: req.db), by: \.actionId)
        let today = today()
        let rows = try await store.actions(of: plan, on: req.db).map { a in
            ActionRow(
                id: a.id, title: a.title, owner: a.ownerName, lead: a.leadName, dueOn: a.dueOn, status: a.status,
                today: today, canUpdate: user.role.isOPCC || a.ownerOrganisationId == user.organisationID,
                updates: (updates[a.id] ?? []).map {
                    .init(at: Format.dateTime($0.at), who: $0.userName ?? "", status: $0.status.label, note: $0.note)
                })
        }
        let delivery = PlanDelivery.rows(
            targets: try await store.targets(of: c, areaID: plan.areaId, on: req.db).map { ($0.type, $0.amount) },
            delivered: try await activities.totals(
                by: .type, for: user, campaignID: c.id, areaID: plan.areaId, on: req.db)
        ).map(\.shown)
        let page = PlanPage(
            title: "\(plan.areaName): plan", campaignName: c.name, campaignSlug: c.slug, plan: plan,
            delivery: delivery, hasDelivery: !delivery.isEmpty,
            typeOptions: ActivityType.all.map { Option(value: $0.slug, label: "\($0.label) (\($0.quantityUnit))") },
            actions: rows,
            hasActions: !rows.isEmpty, canEdit: user.role.isOPCC, csrf: req.csrfToken,
            ownerOptions: try await store.organisations(of: c, on: req.db).map {
                Option(value: String($0.id), label: $0.name)
            },
            statusOptions: ActionStatus.allCases.map { Option(value: $0.rawValue, label: $0.label) }, errors: errors,
            hasErrors: !errors.isEmpty)
        return try await req.render("campaigns/plan", page, status: errors.isEmpty ? .ok : .badRequest)
    }

    @Sendable func plan(req: Request) async throws -> Response { try await planPage(req) }

    private func plan(_ req: Request, of c: CampaignStore.Campaign) async throws -> CampaignStore.Plan {
        do {
            return try await store.plan(c, areaSlug: req.parameters.get("area") ?? "", on: req.db)
        } catch CampaignStore.Problem.notFound {
            throw Abort(.notFound, reason: "That area is not part of this campaign.")
        }
    }

    struct TargetForm: Content { var targetType: String?; var targetAmount: String? }

    @Sendable func setTarget(req: Request) async throws -> Response {
        let c = try await campaign(req)
        let plan = try await plan(req, of: c)
        let form = try req.content.decode(TargetForm.self)
        do {
            try await store.setTarget(
                plan, type: form.targetType ?? "", amount: form.targetAmount ?? "", by: req.currentUser, on: req.db)
        } catch CampaignStore.Problem.invalid(let errors) { return try await planPage(req, errors: errors) }
        return req.redirect(to: SiteURL.campaignPlan(c.slug, plan.areaSlug) + "#delivery")
    }

    struct PlanForm: Content { var problemProfile: String?; var priorities: String?; var evidenceURL: String? }

    @Sendable func updatePlan(req: Request) async throws -> Response {
        let c = try await campaign(req)
        let plan = try await plan(req, of: c)
        let form = try req.content.decode(PlanForm.self)
        do {
            try await store.updatePlan(
                plan, profile: form.problemProfile ?? "", priorities: form.priorities ?? "",
                evidence: form.evidenceURL ?? "", by: req.currentUser, on: req.db)
        } catch CampaignStore.Problem.invalid(let errors) { return try await planPage(req, errors: errors) }
        return req.redirect(to: SiteURL.campaignPlan(c.slug, plan.areaSlug))
    }

    @Sendable func addAction(req: Request) async throws -> Response {
        let c = try await campaign(req)
        let plan = try await plan(req, of: c)
        let draft = try req.content.decode(ActionDraft.self)
        do {
            try await store.addAction(draft, to: plan, campaign: c, by: req.currentUser, on: req.db)
        } catch CampaignStore.Problem.invalid(let errors) { return try await planPage(req, errors: errors) }
        return req.redirect(to: SiteURL.campaignPlan(c.slug, plan.areaSlug))
    }

    struct UpdateForm: Content { var status: String?; var note: String? }

    @Sendable func addUpdate(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        let form = try req.content.decode(UpdateForm.self)
        do {
            let (c, plan) = try await store.addUpdate(
                actionID: id, status: form.status ?? "", note: form.note ?? "", by: try req.signedInUser(), on: req.db)
            return req.redirect(to: SiteURL.campaignPlan(c.slug, plan.areaSlug))
        } catch CampaignStore.Problem.notFound {
            throw Abort(.notFound, reason: "There is no such action, or it belongs to another organisation.")
        } catch CampaignStore.Problem.invalid(let errors) {
            throw Abort(.badRequest, reason: errors.map(\.message).joined(separator: "; "))
        }
    }

    /// The plan's actions in the police.uk neighbourhood-priorities shape.
    @Sendable func prioritiesCSV(req: Request) async throws -> Response {
        let c = try await campaign(req)
        var out = CSVWriter.record(["issue", "issue-date", "action", "action-date"])
        let targets = try await store.areas(of: c, on: req.db)
        for t in targets {
            let plan = try await store.plan(c, areaSlug: t.slug, on: req.db)
            let issue = plan.priorities.isEmpty ? "\(t.name): \(c.name)" : "\(t.name): \(plan.priorities)"
            for a in try await store.actions(of: plan, on: req.db) {
                out += CSVWriter.record([issue, c.startsOn, a.title, a.dueOn])
            }
        }
        return download(out, type: "text/csv; charset=utf-8", name: "\(c.slug)-priorities.csv")
    }
}

extension CampaignStore {
    /// The campaign named by the route's `:slug`, if the user may see it; a 404 otherwise
    /// (whether or not it exists).
    func requested(_ req: Request) async throws -> Campaign {
        do {
            return try await find(req.parameters.get("slug") ?? "", for: try req.signedInUser(), on: req.db)
        } catch Problem
            .notFound
        {
            throw Abort(.notFound, reason: "There is no such campaign, or your organisation is not part of it.")
        }
    }
}
