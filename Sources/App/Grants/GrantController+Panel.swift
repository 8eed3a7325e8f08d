import Foundation
import Vapor

/// Assessing an application: a panel member declares a conflict or scores it (saved, then
/// submitted and final); the officer moderates and decides.
extension GrantController {
    func requireAssessor(_ c: ApplicationContext) throws {
        guard c.viewer.assesses(c.application, panel: c.panel, conflicted: c.conflicted) else {
            throw Abort(.forbidden, reason: "Only the round's panel members without a conflict score an application.")
        }
    }

    @Sendable func declareConflict(req: Request) async throws -> Response {
        let c = try await context(req)
        try requireAssessor(c)
        struct Form: Decodable { var reason: String? }
        do {
            try await store.declareConflict(
                on: c.application, reason: try req.content.decode(Form.self).reason ?? "", by: c.user, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await applicationPage(req, c, errors: errors, form: nil, status: .unprocessableEntity)
        }
        // The member no longer sees the application: back to the round.
        return req.redirect(to: SiteURL.grantRound(c.round.id))
    }

    @Sendable func score(req: Request) async throws -> Response {
        let c = try await context(req)
        try requireAssessor(c)
        let form = try req.content.decode([String: String].self)
        let criteria = try await store.criteria(of: c.round, on: req.db)
        var scores: [Int: Int] = [:]
        var comments: [Int: String] = [:]
        var unread: [FieldError] = []
        for cr in criteria {
            let text = (form["score-\(cr.id)"] ?? "").trimmingCharacters(in: .whitespaces)
            if !text.isEmpty {
                if let s = Int(text) {
                    scores[cr.id] = s
                } else {
                    unread.append(
                        FieldError(field: "score-\(cr.id)", message: "Score “\(cr.name)” with a whole number"))
                }
            }
            comments[cr.id] = form["comment-\(cr.id)"] ?? ""
        }
        guard unread.isEmpty else {
            return try await applicationPage(req, c, errors: unread, form: nil, status: .unprocessableEntity)
        }
        do {
            try await store.score(
                c.application, scores: scores, comments: comments, criteria: criteria, submit: form["submit"] == "yes",
                by: c.user, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await applicationPage(req, c, errors: errors, form: nil, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantApplication(c.application.id))
    }

    @Sendable func moderate(req: Request) async throws -> Response {
        let c = try await context(req)
        struct Form: Decodable { var moderatedScore: String?; var moderationReason: String? }
        let f = try req.content.decode(Form.self)
        let text = (f.moderatedScore ?? "").trimmingCharacters(in: .whitespaces)
        let score = Double(text)
        if !text.isEmpty && score == nil {
            return try await applicationPage(
                req, c, errors: [FieldError(field: "moderatedScore", message: "Give the moderated score as a number")],
                form: nil, status: .unprocessableEntity)
        }
        do {
            try await store.moderate(
                c.application, score: score, reason: f.moderationReason ?? "", by: c.user, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await applicationPage(req, c, errors: errors, form: nil, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantApplication(c.application.id))
    }

    @Sendable func decide(req: Request) async throws -> Response {
        let c = try await context(req)
        struct Form: Decodable {
            var decision: String?; var decisionReason: String?; var recommendation: String?; var amount: String?
            var startsOn: String?; var endsOn: String?
        }
        let f = try req.content.decode(Form.self)
        guard let decision = GrantStore.Decision(rawValue: f.decision ?? "") else {
            return try await applicationPage(
                req, c, errors: [FieldError(field: "decision", message: "Choose award, award in part or decline")],
                form: nil, status: .unprocessableEntity)
        }
        do {
            try await store.decide(
                c.application, decision: decision, reason: f.decisionReason ?? "",
                recommendation: f.recommendation ?? "", amountPence: Grants.pence(f.amount ?? ""),
                startsOn: f.startsOn ?? "", endsOn: f.endsOn ?? "", by: c.user, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await applicationPage(req, c, errors: errors, form: nil, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantApplication(c.application.id))
    }
}
