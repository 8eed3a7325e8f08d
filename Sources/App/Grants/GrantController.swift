import Foundation
import Vapor

/// Funds, rounds and the panel: the commissioning officer sets them up; applicants see the
/// open rounds and their organisation's applications; panel members their rounds.
struct GrantController: Sendable {
    let store: GrantStore
    let plans: PlanStore
    let areas: AreaStore
    /// Organisations waiting for approval to apply.
    let registrations: RegistrationStore
    var queries = GrantQueries()
    var open = GrantOpenQueries()
    /// The publisher's 360Giving prefix for grant and organisation identifiers.
    var grantPrefix = "360G-saferstreets"
    var limits = RateLimits()
    var now: @Sendable () -> Date = { Date() }

    func themes(_ req: Request) async throws -> [PlanStore.Theme] {
        guard let plan = try await plans.current(on: req.db) else { return [] }
        return try await plans.themes(of: plan, on: req.db)
    }

    static let roundPageLimit = 300

    static func roundState(_ r: Grants.Round, now: Date) -> String {
        if r.isOpen(at: now) { return "Open" }
        return r.hasClosed(at: now) ? "Closed" : "Opens \(Format.dateTime(r.opensAt))"
    }

    // MARK: The grants page

    @Sendable func index(req: Request) async throws -> Response {
        try await indexPage(req, errors: [], status: .ok)
    }

    func indexPage(_ req: Request, errors: [FieldError], status: HTTPStatus) async throws -> Response {
        let user = try req.signedInUser()
        let now = now()
        let funds = try await store.funds(on: req.db)
        let rounds = try await store.rounds(on: req.db)
        let fundName = Dictionary(funds.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        func row(_ r: Grants.Round) -> GrantsPage.RoundRow {
            .init(
                fund: fundName[r.fundId] ?? "", name: r.name, href: SiteURL.grantRound(r.id),
                closes: Format.dateTime(r.closesAt), state: Self.roundState(r, now: now))
        }
        var fundRows: [GrantsPage.FundRow] = []
        let themes = try await themes(req)
        if user.role.isOPCC {
            let counts = try await queries.applicationCounts(on: req.db)
            for f in funds {
                let fr = rounds.filter { $0.fundId == f.id }
                let count = counts[f.id] ?? 0
                fundRows.append(
                    .init(
                        name: f.name, href: SiteURL.grantFund(f.slug), budget: Grants.pounds(f.budgetPence),
                        themes: f.themes.map { t in themes.first { $0.slug == t }?.title ?? t }.joined(separator: "; "),
                        rounds: fr.count, applications: count))
            }
        }
        let mine = user.role.isOPCC ? [] : try await store.applications(ofOrganisation: user.organisationID, on: req.db)
        let grants = user.role.isOPCC ? [] : try await queries.awards(ofOrganisation: user.organisationID, on: req.db)
        let roundName = Dictionary(rounds.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let waiting = user.role.isOPCC ? try await registrations.pending(on: req.db) : []
        var page = GrantsPage(
            isOPCC: user.role.isOPCC, funds: fundRows, openRounds: rounds.filter { $0.isOpen(at: now) }.map(row),
            panelRounds: try await store.rounds(onPanel: user.id, on: req.db).map(row),
            applications: mine.map {
                .init(
                    title: $0.title, href: SiteURL.grantApplication($0.id), round: roundName[$0.roundId] ?? "",
                    status: $0.status.label, updated: Format.dateTime($0.updatedAt))
            },
            awards: grants.map {
                .init(label: "\($0.title): \(Grants.pounds($0.amountPence))", href: SiteURL.grantAward($0.id))
            },
            themeOptions: themes.map { SelectOption(value: $0.slug, label: $0.title) }, csrf: req.csrfToken,
            errors: errors, hasErrors: !errors.isEmpty)
        page.registrations = waiting.map {
            .init(
                id: $0.id, name: $0.organisationName, kind: OrganisationKind(rawValue: $0.kind)?.label ?? $0.kind,
                identifier: $0.orgIdentifier.isEmpty ? "Not registered" : $0.orgIdentifier,
                contact: "\($0.contactName), \($0.email)", about: $0.about, received: Format.dateTime($0.createdAt),
                action: SiteURL.grantRegistration($0.id))
        }
        return try await req.render("grants/index", page, status: status)
    }

    struct FundForm: Decodable {
        var name: String?; var slug: String?; var description: String?; var themes: [String]?
        var moneySource: String?; var budget: String?; var openCall: String?
    }

    @Sendable func createFund(req: Request) async throws -> Response {
        let f = try req.content.decode(FundForm.self)
        let draft = GrantStore.FundDraft(
            name: f.name ?? "", slug: f.slug.flatMap { $0.isEmpty ? nil : $0 } ?? Slug.make(f.name ?? ""),
            description: f.description ?? "", themes: f.themes ?? [], moneySource: f.moneySource ?? "",
            budget: f.budget ?? "", openCall: f.openCall != "no")
        do {
            let fund = try await store.createFund(
                draft, themes: Set(try await themes(req).map(\.slug)), by: req.currentUser, on: req.db)
            return req.redirect(to: SiteURL.grantFund(fund.slug))
        } catch GrantStore.Problem.invalid(let errors) {
            return try await indexPage(req, errors: errors, status: .unprocessableEntity)
        }
    }

    // MARK: A fund (the officer's)

    @Sendable func fund(req: Request) async throws -> Response {
        try await fundPage(req, errors: [], status: .ok)
    }

    private func requestedFund(_ req: Request) async throws -> Grants.Fund {
        let slug = req.parameters.get("fund") ?? ""
        guard let f = try await store.fund(slug: slug, on: req.db) else {
            throw Abort(.notFound, reason: "There is no fund “\(slug.prefix(80))”.")
        }
        return f
    }

    private func fundPage(_ req: Request, errors: [FieldError], status: HTTPStatus) async throws -> Response {
        let f = try await requestedFund(req)
        let now = now()
        let themes = try await themes(req)
        let page = FundPage(
            title: f.name, name: f.name, slug: f.slug, description: f.description, budget: Grants.pounds(f.budgetPence),
            themes: f.themes.map { t in themes.first { $0.slug == t }?.title ?? t }.joined(separator: "; "),
            moneySource: f.moneySource,
            rounds: try await store.rounds(of: f, on: req.db).map {
                .init(
                    fund: f.name, name: $0.name, href: SiteURL.grantRound($0.id), closes: Format.dateTime($0.closesAt),
                    state: Self.roundState($0, now: now))
            }, questionRows: (1...10).map { .init(number: $0) }, criterionRows: (1...6).map { .init(number: $0) },
            kindOptions: Grants.QuestionKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            csrf: req.csrfToken, errors: errors, hasErrors: !errors.isEmpty)
        return try await req.render("grants/fund", page, status: status)
    }

    /// A round from the form: dates are days (opening at 00:00 and closing at 23:59 UK time
    /// unless times are given); question and criterion rows left empty are skipped.
    static func roundDraft(from form: [String: String]) -> GrantStore.RoundDraft {
        func value(_ key: String) -> String { (form[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        func instant(_ day: String, _ time: String, _ fallback: String) -> String {
            guard let d = CalendarDay(day) else { return "" }
            let t = BoardDrafts.MeetingDraft.isTime(time) ? time : fallback
            var c = DateComponents()
            (c.year, c.month, c.day) = (d.year, d.month, d.day)
            let parts = t.split(separator: ":").compactMap { Int($0) }
            c.hour = parts.first
            c.minute = parts.last
            return CalendarDay.calendar.date(from: c)?.stored ?? ""
        }
        var questions: [GrantStore.RoundDraft.QuestionDraft] = []
        for k in 1...60 where !value("question-\(k)-prompt").isEmpty {
            questions.append(
                .init(
                    kind: Grants.QuestionKind(rawValue: value("question-\(k)-kind")) ?? .text,
                    prompt: value("question-\(k)-prompt"), wordLimit: Int(value("question-\(k)-words")),
                    required: form["question-\(k)-optional"] == nil, failReason: value("question-\(k)-fail")))
        }
        var criteria: [GrantStore.RoundDraft.CriterionDraft] = []
        for k in 1...20 where !value("criterion-\(k)-name").isEmpty {
            criteria.append(
                .init(
                    name: value("criterion-\(k)-name"), guidance: value("criterion-\(k)-guidance"),
                    weight: Double(value("criterion-\(k)-weight")) ?? 0, maxScore: Int(value("criterion-\(k)-max")) ?? 0
                ))
        }
        return GrantStore.RoundDraft(
            name: value("name"), slug: value("slug").isEmpty ? Slug.make(value("name")) : value("slug"),
            guidance: value("guidance"), opensAt: instant(value("opensOn"), value("opensAt"), "00:00"),
            closesAt: instant(value("closesOn"), value("closesAt"), "23:59"),
            minimumScore: Double(value("minimumScore")) ?? -1, questions: questions, criteria: criteria)
    }

    @Sendable func createRound(req: Request) async throws -> Response {
        let f = try await requestedFund(req)
        let draft = Self.roundDraft(from: try req.content.decode([String: String].self))
        do {
            let r = try await store.createRound(draft, in: f, by: req.currentUser, on: req.db)
            return req.redirect(to: SiteURL.grantRound(r.id))
        } catch GrantStore.Problem.invalid(let errors) {
            return try await fundPage(req, errors: errors, status: .unprocessableEntity)
        }
    }

    // MARK: A round

    func requestedRound(_ req: Request) async throws -> Grants.Round {
        guard let id = req.parameters.get("round", as: Int.self), let r = try await store.round(id: id, on: req.db)
        else {
            throw Abort(.notFound, reason: "There is no such round.")
        }
        return r
    }

    @Sendable func round(req: Request) async throws -> Response {
        try await roundPage(req, try await requestedRound(req), errors: [], status: .ok)
    }

    func roundPage(_ req: Request, _ r: Grants.Round, errors: [FieldError], status: HTTPStatus) async throws -> Response
    {
        let user = try req.signedInUser()
        let viewer = GrantViewer(user)
        let now = now()
        let panel = try await store.panel(of: r, on: req.db)
        let panelIDs = Set(panel.map(\.id))
        let criteria = try await store.criteria(of: r, on: req.db)
        var rows: [RoundPage.ApplicationRow] = []
        var shownOf = 0
        if viewer.isOPCC || panelIDs.contains(user.id) {
            // Each row costs a few queries: the page lists the first `Self.roundPageLimit`
            // submitted applications (a round's are far fewer) and says how many there are.
            let sent = try await store.applications(of: r, on: req.db).filter { $0.status != .draft }
            shownOf = sent.count
            for a in sent.prefix(Self.roundPageLimit) {
                let conflicted = Set(try await store.conflicts(of: a, on: req.db).map(\.userID))
                guard viewer.isOPCC || viewer.assesses(a, panel: panelIDs, conflicted: conflicted) else { continue }
                let submitted = try await store.submissions(of: a, on: req.db)
                let members = try await store.memberScores(of: a, criteria: criteria, on: req.db)
                let s = Scoring.summary(members.map(\.score), moderated: a.moderatedScore, minimum: r.minimumScore)
                let shows = viewer.seesAllScores(submitted: submitted)
                func n(_ v: Double?) -> String { v.map { Format.number($0, decimals: 1) } ?? "–" }
                rows.append(
                    .init(
                        title: a.title, href: SiteURL.grantApplication(a.id), organisation: a.organisationName,
                        requested: Grants.pounds(a.amountRequestedPence), status: a.status.label,
                        submitted: a.submittedAt.map(Format.dateTime) ?? "", members: s.members,
                        spread: shows && s.members > 0 ? "\(n(s.lowest))–\(n(s.highest))" : "–",
                        mean: shows ? n(s.mean) : "–", moderated: viewer.isOPCC ? n(a.moderatedScore) : "",
                        standing: shows ? n(s.standing) : "–", meetsMinimum: shows && s.meetsMinimum,
                        yourScores: panelIDs.contains(user.id)
                            ? (submitted[user.id] != nil ? "Submitted" : "To score") : ""))
            }
        }
        let questions = try await store.questions(of: r, on: req.db)
        let fund = try await store.fund(id: r.fundId, on: req.db)
        let page = RoundPage(
            title: r.name, fundName: fund?.name ?? "", name: r.name, roundID: r.id, guidance: r.guidance,
            opens: Format.dateTime(r.opensAt), closes: Format.dateTime(r.closesAt),
            state: Self.roundState(r, now: now), minimumScore: Format.number(r.minimumScore, decimals: 0),
            eligibility: questions.filter { $0.kind == .eligibility }.map(\.prompt),
            criteria: criteria.map {
                .init(label: $0.name, value: "weight \(HotspotExport.number($0.weight)), scored 0–\($0.maxScore)")
            }, canApply: !viewer.isOPCC && r.isOpen(at: now), isOPCC: viewer.isOPCC,
            isPanel: panelIDs.contains(user.id), applications: rows, hasApplications: !rows.isEmpty,
            limitNote: shownOf > Self.roundPageLimit
                ? "The first \(Self.roundPageLimit) of \(Format.count(shownOf)) submitted applications are shown." : "",
            panel: viewer.isOPCC ? panel.map { "\($0.name) (\($0.email))" } : [], csrf: req.csrfToken, errors: errors,
            hasErrors: !errors.isEmpty)
        return try await req.render("grants/round", page, status: status)
    }

    @Sendable func addPanelMember(req: Request) async throws -> Response {
        let r = try await requestedRound(req)
        struct Form: Decodable { var email: String? }
        do {
            try await store.addPanelMember(
                email: try req.content.decode(Form.self).email ?? "", to: r, by: req.currentUser, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await roundPage(req, r, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantRound(r.id))
    }
}
