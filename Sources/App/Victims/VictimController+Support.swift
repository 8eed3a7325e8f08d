import Foundation
import Vapor

/// Assessing a victim's needs (each re-assessment a new version) and closing the case with
/// its outcomes, on the case page.
extension VictimController {
    static func detailLabel(_ field: String) -> String {
        switch field {
        case "name": "Name"
        case "date_of_birth": "Date of birth"
        case "phone": "Telephone"
        case "email": "E-mail"
        case "address": "Address"
        case "contact_preferences": "Contact preferences"
        default: field
        }
    }

    /// Assigns the case to one of the organisation's people, or to no one.
    @Sendable func assign(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        struct Form: Decodable { var worker: String? }
        let text = (try req.content.decode(Form.self).worker ?? "").trimmingCharacters(in: .whitespaces)
        let worker = text.isEmpty ? nil : Int(text)
        guard text.isEmpty || worker != nil,
            try await store.assign(id, to: worker, viewer: user, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such case, or no such case worker here.") }
        return req.redirect(to: SiteURL.victimCase.with(query: "purpose=case-work", id), redirectType: .normal)
    }

    func support(_ page: inout CasePage, _ c: VictimStore.Case, _ req: Request) async throws {
        let assessments = try await store.assessments(ofCase: c.id, on: req.db)
        page.isOpen = c.status == "open"
        page.hasAssessment = !assessments.isEmpty
        if let latest = assessments.first {
            page.assessment = .init(
                heading: "Assessment \(latest.version), \(Format.dateTime(latest.assessedAt)) by \(latest.userName)",
                needs: Victims.Need.allCases.compactMap { n in
                    latest.needs[n].map { RankingPage.Pair(label: n.label, value: $0.label) }
                }, risk: latest.risk.label, plan: latest.plan,
                earlier: assessments.dropFirst().map { a in
                    let needs = Victims.Need.allCases.compactMap { n in
                        a.needs[n].map { "\(n.label.lowercased()) (\($0.rawValue))" }
                    }
                    return "Assessment \(a.version), \(Format.dateTime(a.assessedAt)): "
                        + (needs.isEmpty ? "no needs" : needs.joined(separator: ", "))
                })
        }
        let current = assessments.first?.needs ?? [:]
        page.needRows = Victims.Need.allCases.map { n in
            .init(
                name: n.rawValue, label: n.label,
                levels: Victims.NeedLevel.allCases.map {
                    SelectOption(value: $0.rawValue, label: $0.label, selected: (current[n] ?? .none) == $0)
                })
        }
        page.risks = Victims.Risk.allCases.map {
            SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == (assessments.first?.risk ?? .notAssessed))
        }
        page.assessAction = SiteURL.victimCaseAssessments(c.id)
        page.closeAction = SiteURL.victimCaseClose(c.id)
        page.closures = Victims.Closure.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) }
        page.outcomeOptions = Victims.Outcome.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) }
        if c.status == "closed" {
            let outcomes = c.outcomes.split(separator: ",").compactMap { Victims.Outcome(rawValue: String($0))?.label }
            page.closed = [
                .init(label: "Closed", value: c.closedAt.map(Format.dateTime) ?? ""),
                .init(label: "Why", value: Victims.Closure(rawValue: c.closureReason)?.label ?? c.closureReason),
                .init(label: "Outcomes reported", value: outcomes.isEmpty ? "None" : outcomes.joined(separator: "; ")),
                .init(
                    label: "How satisfied (1 to 5)", value: c.feedback.map(String.init) ?? "Not asked or not answered"),
            ]
        }
    }

    @Sendable func assess(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        struct Form: Decodable { var risk: String?; var plan: String? }
        let f = try req.content.decode(Form.self)
        var needs: [Victims.Need: Victims.NeedLevel] = [:]
        for n in Victims.Need.allCases {
            let text = (try? req.content.get(String.self, at: "need-\(n.rawValue)")) ?? "none"
            guard let level = Victims.NeedLevel(rawValue: text) else {
                throw Abort(.unprocessableEntity, reason: "\(n.label): choose no need, some need or high need.")
            }
            needs[n] = level
        }
        let plan = (f.plan ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let risk = Victims.Risk(rawValue: f.risk ?? ""), plan.count <= 4_000 else {
            throw Abort(
                .unprocessableEntity, reason: "Choose the risk level recorded; keep the plan under 4,000 characters.")
        }
        guard try await store.assess(id, needs: needs, risk: risk, plan: plan, viewer: user, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such open case.")
        }
        return req.redirect(to: SiteURL.victimCase.with(query: "purpose=case-work", id) + "#assessment")
    }

    @Sendable func close(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        struct Form: Decodable { var reason: String?; var outcomes: [String]?; var feedback: String? }
        let f = try req.content.decode(Form.self)
        let outcomes = (f.outcomes ?? []).map { Victims.Outcome(rawValue: $0) }
        let feedbackText = (f.feedback ?? "").trimmingCharacters(in: .whitespaces)
        let feedback = Int(feedbackText)
        guard let reason = Victims.Closure(rawValue: f.reason ?? ""), !outcomes.contains(nil),
            feedbackText.isEmpty || (feedback.map { (1...5).contains($0) } ?? false)
        else {
            throw Abort(
                .unprocessableEntity,
                reason:
                    "Choose why the case is closing; outcomes from the list; the answer to the closing question 1 to 5."
            )
        }
        guard
            try await store.close(
                id, reason: reason, outcomes: Set(outcomes.compactMap { $0 }), feedback: feedback, viewer: user,
                on: req.db)
        else { throw Abort(.notFound, reason: "There is no such open case.") }
        return req.redirect(to: SiteURL.victimCase.with(query: "purpose=case-work", id) + "#closure")
    }
}
