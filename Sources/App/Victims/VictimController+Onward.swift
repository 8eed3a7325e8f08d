import Foundation
import Vapor

/// Onward referrals: the holding service refers a case on from its page; the receiving
/// service sees its referrals (`/victims/onward`), opens one for a stated purpose (logged in
/// the case's read log as a disclosure to it) and accepts or declines it with a reason.
extension VictimController {
    static func onwardStatus(_ o: VictimStore.Onward) -> String {
        switch o.status {
        case "pending": "Waiting for \(o.toName) to accept"
        case "accepted": "Accepted by \(o.toName) \(o.decidedAt.map(Format.dateTime) ?? "")"
        case "declined":
            "Declined by \(o.toName): \(Victims.Decline(rawValue: o.declineReason)?.label.lowercased() ?? o.declineReason)"
        default: o.status
        }
    }

    func onwardSection(_ page: inout CasePage, _ c: VictimStore.Case, _ req: Request) async throws {
        let onward = try await store.onward(ofCase: c.id, on: req.db)
        let stages = try await store.journeyStages(ofCase: c.id, on: req.db)
        page.onward = onward.map {
            .init(
                label:
                    "\(Victims.Specialist(rawValue: $0.service)?.label ?? $0.service), \(Format.dateTime($0.referredAt))",
                value: Self.onwardStatus($0) + (stages[$0.id].map { "; restorative justice stage: \($0)" } ?? ""))
        }
        page.hasOnward = !onward.isEmpty
        page.onwardServices = try await store.specialistServices(except: c.holderId, on: req.db).map {
            SelectOption(value: String($0.id), label: $0.name)
        }
        page.specialists = Victims.Specialist.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) }
        page.onwardAction = SiteURL.victimCaseOnward(c.id)
    }

    @Sendable func referOn(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        struct Form: Decodable { var to: String?; var service: String?; var note: String? }
        let f = try req.content.decode(Form.self)
        let note = (f.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let to = Int(f.to ?? ""), let service = Victims.Specialist(rawValue: f.service ?? ""), note.count <= 2_000
        else {
            throw Abort(
                .unprocessableEntity,
                reason: "Choose the service and the kind of support; keep the note under 2,000 characters.")
        }
        guard try await store.referOn(id, to: to, service: service, note: note, viewer: user, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such case, or that service does not take referrals.")
        }
        return req.redirect(to: SiteURL.victimCase.with(query: "purpose=case-work", id) + "#onward")
    }

    // MARK: The receiving service

    @Sendable func onwardIndex(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let rows = try await store.onwardIn(to: user.organisationID, limit: Self.listLimit, on: req.db)
        return try await req.render(
            "victims/onward",
            OnwardListPage(
                rows: rows.map {
                    .init(
                        number: "R\($0.id)",
                        href: SiteURL.victimOnwardReferral.with(query: "purpose=onward-referral", $0.id),
                        service: Victims.Specialist(rawValue: $0.service)?.label ?? $0.service,
                        received: Format.dateTime($0.referredAt), status: $0.status.capitalized)
                }, hasRows: !rows.isEmpty))
    }

    @Sendable func onwardShow(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        guard let id = req.parameters.get("referral", as: Int.self) else {
            throw Abort(.notFound, reason: "There is no such referral.")
        }
        let purpose = Victims.Purpose(rawValue: req.query[String.self, at: "purpose"] ?? "") ?? .onwardReferral
        let justification = String((req.query[String.self, at: "justification"] ?? "").prefix(500))
        guard
            let v = try await store.openOnward(
                id, viewer: user, purpose: purpose, justification: justification, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such referral.") }
        var facts: [RankingPage.Pair] = [
            .init(label: "Referral", value: "R\(id) from \(v.holderName)"),
            .init(label: "Support asked for", value: Victims.Specialist(rawValue: v.referral.service)?.label ?? ""),
            .init(label: "Crime", value: v.crimeType.label),
            .init(
                label: "Enhanced rights",
                value: v.enhanced.isEmpty ? "No" : v.enhanced.map(\.label).sorted().joined(separator: "; ")),
            .init(label: "Name", value: v.name),
        ]
        if !v.phone.isEmpty { facts.append(.init(label: "Telephone", value: v.phone)) }
        if !v.email.isEmpty { facts.append(.init(label: "E-mail", value: v.email)) }
        facts.append(
            .init(
                label: "How and when to contact", value: v.preferences.isEmpty ? "No preference given" : v.preferences))
        facts.append(.init(label: "Language", value: v.language + (v.interpreter ? " (needs an interpreter)" : "")))
        if !v.note.isEmpty { facts.append(.init(label: "Note from the referrer", value: v.note)) }
        facts.append(.init(label: "Status", value: Self.onwardStatus(v.referral)))
        return try await req.render(
            "victims/onward-referral",
            OnwardPage(
                title: "Referral R\(id)", facts: facts, pending: v.referral.status == "pending",
                action: SiteURL.victimOnwardDecision(id), csrf: req.csrfToken,
                reasons: Victims.Decline.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) }))
    }

    @Sendable func onwardDecide(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        guard let id = req.parameters.get("referral", as: Int.self) else {
            throw Abort(.notFound, reason: "There is no such referral.")
        }
        struct Form: Decodable { var decision: String?; var reason: String? }
        let f = try req.content.decode(Form.self)
        let accept = f.decision == "accept"
        let reason = Victims.Decline(rawValue: f.reason ?? "")
        guard accept || (f.decision == "decline" && reason != nil) else {
            throw Abort(.unprocessableEntity, reason: "Accept the referral, or decline it with a reason.")
        }
        guard try await store.decideOnward(id, accept: accept, reason: accept ? nil : reason, viewer: user, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such referral waiting for your decision.") }
        return req.redirect(to: SiteURL.victimOnward())
    }
}

struct OnwardListPage: Encodable {
    struct Row: Encodable {
        var number: String
        var href: String
        var service: String
        var received: String
        var status: String
    }
    var title = "Referrals to your service"
    var rows: [Row]
    var hasRows: Bool
}

struct OnwardPage: Encodable {
    var title: String
    var facts: [RankingPage.Pair]
    var pending: Bool
    var action: String
    var csrf: String
    var reasons: [SelectOption]
    var listHref = SiteURL.victimOnward()
}
