import Foundation
import Vapor

/// An award: its indicators, payment schedule and payments, and its monitoring returns, for
/// the officer and the grantee (anyone else: not found); and the commissioning dashboard.
extension GrantController {
    struct AwardPage: Encodable {
        struct IndicatorRow: Encodable { var id: Int; var name: String; var target: String; var achieved: String }
        struct InstalmentRow: Encodable {
            var id: Int; var due: String; var amount: String; var conditional: Bool; var paid: String
        }
        struct ReturnRow: Encodable {
            var id: Int; var period: String; var due: String; var status: String; var overdue: Bool
            var canSubmit: Bool; var canReview: Bool; var note: String; var narrative: String; var spend: String
            var values: [String]
        }
        var title: String
        var awardID: Int
        var organisation: String
        var applicationHref: String
        var amount: String
        var paid: String
        var dates: String
        var conditions: String
        var indicators: [IndicatorRow]
        var instalments: [InstalmentRow]
        var returns: [ReturnRow]
        var isOPCC: Bool
        var isGrantee: Bool
        var csrf: String
        var errors: [FieldError]
        var hasErrors: Bool
    }

    struct AwardContext {
        var award: GrantStore.Award
        var application: Grants.Application
        var viewer: GrantViewer
        var user: CurrentUser
    }

    func awardContext(_ req: Request) async throws -> AwardContext {
        let user = try req.signedInUser()
        let viewer = GrantViewer(user)
        guard let id = req.parameters.get("award", as: Int.self), let w = try await store.award(id: id, on: req.db),
            let a = try await store.application(id: w.applicationId, on: req.db), viewer.isOPCC || viewer.isApplicant(a)
        else { throw Abort(.notFound, reason: "There is no such grant, or it is not yours to see.") }
        return AwardContext(award: w, application: a, viewer: viewer, user: user)
    }

    @Sendable func award(req: Request) async throws -> Response {
        try await awardPage(req, try await awardContext(req), errors: [], status: .ok)
    }

    func awardPage(_ req: Request, _ c: AwardContext, errors: [FieldError], status: HTTPStatus) async throws -> Response
    {
        let w = c.award
        let today = CalendarDay(now())
        let indicators = try await store.indicators(of: w, on: req.db)
        let returns = try await store.returns(of: w, on: req.db)
        let values = try await store.returnValues(of: w, on: req.db)
        let payments = try await store.payments(of: w, on: req.db)
        let accepted = Set(returns.filter { $0.status == .accepted }.map(\.id))
        let page = AwardPage(
            title: c.application.title, awardID: w.id, organisation: c.application.organisationName,
            applicationHref: SiteURL.grantApplication(c.application.id), amount: Grants.pounds(w.amountPence),
            paid: Grants.pounds(payments.map(\.amountPence).reduce(0, +)),
            dates: "\(Format.day(w.startsOn)) to \(Format.day(w.endsOn))", conditions: w.conditions,
            indicators: indicators.map { i in
                let achieved = values.filter { accepted.contains($0.key) }.compactMap { $0.value[i.id] }.reduce(0, +)
                return .init(
                    id: i.id, name: i.name, target: Format.figure(i.target),
                    achieved: Format.figure(achieved))
            },
            instalments: try await store.instalments(of: w, on: req.db).map { i in
                .init(
                    id: i.id, due: Format.day(i.dueOn), amount: Grants.pounds(i.amountPence),
                    conditional: i.needsAcceptedReturn != 0,
                    paid: payments.first { $0.instalmentId == i.id }.map { "Paid \(Format.day($0.paidOn))" } ?? "")
            },
            returns: returns.map { r in
                .init(
                    id: r.id, period: r.periodLabel, due: Format.day(r.dueOn), status: r.status.label,
                    overdue: CalendarDay(r.dueOn).map { AwardRules.isOverdue(status: r.status, due: $0, today: today) }
                        ?? false,
                    canSubmit: c.viewer.isApplicant(c.application) && (r.status == .due || r.status == .queried),
                    canReview: c.viewer.isOPCC && r.status == .submitted, note: r.officerNote, narrative: r.narrative,
                    spend: r.spendPence.map(Grants.pounds) ?? "",
                    values: indicators.compactMap { i in
                        values[r.id]?[i.id].map { "\(i.name): \(Format.figure($0))" }
                    })
            }, isOPCC: c.viewer.isOPCC, isGrantee: c.viewer.isApplicant(c.application), csrf: req.csrfToken,
            errors: errors, hasErrors: !errors.isEmpty)
        return try await req.render("grants/award", page, status: status)
    }

    @Sendable func addInstalment(req: Request) async throws -> Response {
        let c = try await awardContext(req)
        struct Form: Decodable { var dueOn: String?; var amount: String?; var needsReturn: String? }
        let f = try req.content.decode(Form.self)
        do {
            try await store.addInstalment(
                to: c.award, dueOn: f.dueOn ?? "", amountPence: Grants.pence(f.amount ?? ""),
                needsAcceptedReturn: f.needsReturn == "on", by: c.user, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await awardPage(req, c, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantAward(c.award.id))
    }

    @Sendable func pay(req: Request) async throws -> Response {
        let c = try await awardContext(req)
        struct Form: Decodable { var instalment: Int?; var paidOn: String?; var amount: String? }
        let f = try req.content.decode(Form.self)
        guard let i = try await store.instalments(of: c.award, on: req.db).first(where: { $0.id == f.instalment })
        else {
            return try await awardPage(
                req, c, errors: [FieldError(field: "instalment", message: "Choose the instalment paid")],
                status: .unprocessableEntity)
        }
        do {
            try await store.pay(
                c.award, instalment: i, paidOn: f.paidOn ?? "", amountPence: Grants.pence(f.amount ?? ""), by: c.user,
                on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await awardPage(req, c, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantAward(c.award.id))
    }

    @Sendable func submitReturn(req: Request) async throws -> Response {
        let c = try await awardContext(req)
        guard c.viewer.isApplicant(c.application) else {
            throw Abort(.forbidden, reason: "The grantee submits its monitoring returns.")
        }
        guard let rid = req.parameters.get("return", as: Int.self),
            let r = try await store.monitoringReturn(id: rid, of: c.award, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such return for this grant.") }
        let form = try req.content.decode([String: String].self)
        let indicators = try await store.indicators(of: c.award, on: req.db)
        var values: [Int: Double] = [:]
        var unread: [FieldError] = []
        for i in indicators {
            let text = (form["value-\(i.id)"] ?? "").replacingOccurrences(of: ",", with: "").trimmingCharacters(
                in: .whitespaces)
            if text.isEmpty { continue }
            if let v = Double(text), v.isFinite, v >= 0 {
                values[i.id] = v
            } else {
                unread.append(FieldError(field: "value-\(i.id)", message: "Report “\(i.name)” as a number"))
            }
        }
        let spendText = form["spend"] ?? ""
        if !spendText.isEmpty && Grants.pence(spendText) == nil {
            unread.append(FieldError(field: "spend", message: "Give the spend in pounds, e.g. 4,250"))
        }
        guard unread.isEmpty else { return try await awardPage(req, c, errors: unread, status: .unprocessableEntity) }
        do {
            try await store.submitReturn(
                r, of: c.award,
                .init(
                    values: values, spendPence: Grants.pence(spendText), narrative: form["narrative"] ?? "",
                    caseStudy: form["caseStudy"] ?? "", risks: form["risks"] ?? ""), indicators: indicators, by: c.user,
                on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await awardPage(req, c, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantAward(c.award.id))
    }

    @Sendable func reviewReturn(req: Request) async throws -> Response {
        let c = try await awardContext(req)
        guard let rid = req.parameters.get("return", as: Int.self),
            let r = try await store.monitoringReturn(id: rid, of: c.award, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such return for this grant.") }
        struct Form: Decodable { var outcome: String?; var note: String? }
        let f = try req.content.decode(Form.self)
        do {
            try await store.review(
                r, of: c.award, accept: f.outcome == "accept", note: f.note ?? "", by: c.user, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await awardPage(req, c, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantAward(c.award.id))
    }

    // MARK: The commissioning dashboard

    struct DashboardPage: Encodable {
        struct FundRow: Encodable {
            var name: String; var href: String; var sentence: String; var awarded: String; var paid: String
            var grants: Int; var overdue: Int; var outputs: [String]
        }
        struct OverdueRow: Encodable {
            var organisation: String; var title: String; var period: String; var due: String; var status: String
            var href: String
        }
        var title = "Commissioning dashboard"
        var funds: [FundRow]
        var overdue: [OverdueRow]
    }

    @Sendable func dashboard(req: Request) async throws -> Response {
        let today = CalendarDay(now())
        let totals = Dictionary(
            try await queries.fundTotals(on: req.db).map { ($0.fundId, $0) }, uniquingKeysWith: { a, _ in a })
        let overdueCounts = try await queries.overdueCounts(today: today, on: req.db)
        let outputs = Dictionary(grouping: try await queries.outputs(on: req.db), by: \.fundId)
        let funds = try await store.funds(on: req.db)
        let page = DashboardPage(
            funds: funds.map { f in
                let t = totals[f.id]
                let top = (outputs[f.id] ?? []).prefix(3)
                let overdue = overdueCounts[f.id] ?? 0
                var sentence =
                    "\(Grants.pounds(t?.awardedPence ?? 0)) in \(Format.counted(t?.grants ?? 0, "grant", "grants"))"
                if let first = top.first {
                    sentence +=
                        ": \(Format.figure(first.achieved)) \(first.name.lowercased()) against \(Format.figure(first.planned)) planned"
                }
                sentence += "; \(Format.counted(overdue, "return", "returns")) overdue."
                return .init(
                    name: f.name, href: SiteURL.grantFund(f.slug), sentence: sentence,
                    awarded: Grants.pounds(t?.awardedPence ?? 0), paid: Grants.pounds(t?.paidPence ?? 0),
                    grants: t?.grants ?? 0, overdue: overdue,
                    outputs: top.map {
                        "\($0.name): \(Format.figure($0.achieved)) of \(Format.figure($0.planned))"
                    })
            },
            overdue: try await queries.overdue(today: today, on: req.db).map {
                .init(
                    organisation: $0.organisation, title: $0.title, period: $0.periodLabel, due: Format.day($0.dueOn),
                    status: $0.status.label, href: SiteURL.grantAward($0.awardId))
            })
        return try await req.render("grants/dashboard", page)
    }
}
