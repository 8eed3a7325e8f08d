import Fluent
import Foundation
import SQLKit

/// Assessing: conflicts of interest, each member's independent scores (editable until
/// submitted, then final), the officer's moderation with its reason, the recommendation and
/// the decision.
extension GrantStore {
    struct Score: Codable, Sendable {
        var userId: Int
        var userName: String
        var criterionId: Int
        var score: Int
        var comment: String
    }

    func conflicts(of a: Grants.Application, on db: any Database) async throws -> [(
        userID: Int, name: String, reason: String
    )] {
        struct Row: Decodable { var userId: Int; var name: String; var reason: String }
        return try await db.sql.raw(
            """
            SELECT c.user_id, u.name, c.reason FROM panel_conflicts c JOIN users u ON u.id = c.user_id
            WHERE c.application_id = \(bind: a.id) ORDER BY u.name
            """
        ).rows(Row.self).map { ($0.userId, $0.name, $0.reason) }
    }

    func scores(of a: Grants.Application, on db: any Database) async throws -> [Score] {
        try await db.sql.raw(
            """
            SELECT s.user_id, u.name AS user_name, s.criterion_id, s.score, s.comment FROM panel_scores s
            JOIN users u ON u.id = s.user_id WHERE s.application_id = \(bind: a.id) ORDER BY u.name, s.criterion_id
            """
        ).rows(Score.self)
    }

    /// Members who have submitted their scores for the application, with when.
    func submissions(of a: Grants.Application, on db: any Database) async throws -> [Int: String] {
        struct Row: Decodable { var userId: Int; var submittedAt: String }
        let rows = try await db.sql.raw(
            "SELECT user_id, submitted_at FROM panel_submissions WHERE application_id = \(bind: a.id)"
        ).rows(Row.self)
        return Dictionary(rows.map { ($0.userId, $0.submittedAt) }, uniquingKeysWith: { a, _ in a })
    }

    /// Declares a conflict: the member is removed from this application (any draft scores go).
    func declareConflict(on a: Grants.Application, reason: String, by user: CurrentUser, on db: any Database)
        async throws
    {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 1_000 else {
            throw Problem.invalid([
                FieldError(field: "reason", message: "Say what the conflict is (up to 1,000 characters)")
            ])
        }
        guard try await submissions(of: a, on: db)[user.id] == nil else {
            throw Problem.invalid([
                FieldError(
                    field: "reason", message: "Your scores are submitted; ask the officer to record the conflict")
            ])
        }
        try await db.transaction { tx in
            try await tx.sql.raw(
                "DELETE FROM panel_scores WHERE application_id = \(bind: a.id) AND user_id = \(bind: user.id)"
            ).run()
            try await tx.sql.raw(
                "DELETE FROM panel_conflicts WHERE application_id = \(bind: a.id) AND user_id = \(bind: user.id)"
            ).run()
            try await tx.sql.raw(
                """
                INSERT INTO panel_conflicts (application_id, user_id, reason, declared_at)
                VALUES (\(bind: a.id), \(bind: user.id), \(bind: reason), \(bind: Date().stored))
                """
            ).run()
            try await audit.record(
                "conflict", entity: "application", id: String(a.id), before: String?.none, after: ["reason": reason],
                by: user, on: tx)
        }
    }

    /// Saves a member's scores and comments; with `submit`, every criterion must be scored
    /// and the scores become final (and the member may then see the others').
    func score(
        _ a: Grants.Application, scores: [Int: Int], comments: [Int: String], criteria: [Grants.Criterion],
        submit: Bool, by user: CurrentUser, on db: any Database
    ) async throws {
        guard try await submissions(of: a, on: db)[user.id] == nil else {
            throw Problem.invalid([FieldError(field: "scores", message: "Your scores are submitted and final")])
        }
        var problems: [FieldError] = []
        for c in criteria {
            if let s = scores[c.id], !(0...c.maxScore).contains(s) {
                problems.append(
                    FieldError(field: "score-\(c.id)", message: "Score “\(c.name)” from 0 to \(c.maxScore)"))
            }
            if submit && scores[c.id] == nil {
                problems.append(FieldError(field: "score-\(c.id)", message: "Score “\(c.name)” before submitting"))
            }
            if (comments[c.id] ?? "").count > 5_000 {
                problems.append(FieldError(field: "comment-\(c.id)", message: "Keep comments under 5,000 characters"))
            }
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            for c in criteria {
                guard let s = scores[c.id] else { continue }
                try await tx.sql.raw(
                    """
                    DELETE FROM panel_scores WHERE application_id = \(bind: a.id) AND user_id = \(bind: user.id)
                      AND criterion_id = \(bind: c.id)
                    """
                ).run()
                try await tx.sql.raw(
                    """
                    INSERT INTO panel_scores (application_id, user_id, criterion_id, score, comment)
                    VALUES (\(bind: a.id), \(bind: user.id), \(bind: c.id), \(bind: s), \(bind: comments[c.id] ?? ""))
                    """
                ).run()
            }
            if submit {
                try await tx.sql.raw(
                    """
                    INSERT INTO panel_submissions (application_id, user_id, submitted_at)
                    VALUES (\(bind: a.id), \(bind: user.id), \(bind: Date().stored))
                    """
                ).run()
            }
            try await audit.record(
                submit ? "submit-scores" : "save-scores", entity: "application", id: String(a.id), before: String?.none,
                after: scores.mapKeys(String.init), by: user, on: tx)
        }
    }

    /// The panel's scores for the application: each submitted member's weighted score.
    func memberScores(of a: Grants.Application, criteria: [Grants.Criterion], on db: any Database) async throws
        -> [(userID: Int, name: String, score: Double)]
    {
        let submitted = try await submissions(of: a, on: db)
        let byUser = Dictionary(grouping: try await scores(of: a, on: db), by: \.userId)
        return byUser.compactMap { user, rows in
            guard submitted[user] != nil,
                let s = Scoring.weighted(
                    Dictionary(rows.map { ($0.criterionId, $0.score) }, uniquingKeysWith: { a, _ in a }),
                    criteria: criteria.map(\.scoring))
            else { return nil }
            return (user, rows.first?.userName ?? "", s)
        }.sorted { $0.name < $1.name }
    }

    /// The officer's moderated score (0–100) with its reason, or nil to clear it.
    func moderate(_ a: Grants.Application, score: Double?, reason: String, by user: CurrentUser, on db: any Database)
        async throws
    {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [FieldError] = []
        if let score, !(0...100).contains(score) {
            problems.append(FieldError(field: "moderatedScore", message: "A moderated score is from 0 to 100"))
        }
        if score != nil && (reason.isEmpty || reason.count > 2_000) {
            problems.append(FieldError(field: "moderationReason", message: "Record why the score is moderated"))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                UPDATE applications SET moderated_score = \(bind: score), moderation_reason = \(bind: score == nil ? "" : reason)
                WHERE id = \(bind: a.id)
                """
            ).run()
            try await audit.record(
                "moderate", entity: "application", id: String(a.id),
                before: ["score": a.moderatedScore.map { String($0) } ?? ""],
                after: ["score": score.map { String($0) } ?? "", "reason": reason], by: user, on: tx)
        }
    }

    enum Decision: String, Codable, Sendable, CaseIterable {
        case award, awardInPart = "award-in-part", decline

        var label: String {
            switch self {
            case .award: "Award"
            case .awardInPart: "Award in part"
            case .decline: "Decline"
            }
        }
        var status: Grants.Status {
            switch self {
            case .award: .awarded
            case .awardInPart: .partAwarded
            case .decline: .declined
            }
        }
    }

    /// The decision with its reasons (shown to the applicant), and the panel's recommendation.
    /// An award records the amount and the grant's dates (in part: less than requested).
    func decide(
        _ a: Grants.Application, decision: Decision, reason: String, recommendation: String, amountPence: Int?,
        startsOn: String, endsOn: String, by user: CurrentUser, on db: any Database
    ) async throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [FieldError] = []
        if a.status != .submitted {
            problems.append(FieldError(field: "decision", message: "Only a submitted, eligible application is decided"))
        }
        if reason.isEmpty || reason.count > 5_000 {
            problems.append(FieldError(field: "decisionReason", message: "Give the reasons the applicant will read"))
        }
        if decision != .decline {
            if amountPence.map({ $0 <= 0 }) ?? true {
                problems.append(FieldError(field: "amount", message: "Give the amount awarded in pounds"))
            } else if let amount = amountPence,
                decision == .award && amount != a.amountRequestedPence
                    && a.amountRequestedPence > 0
            {
                problems.append(
                    FieldError(
                        field: "amount", message: "A full award is the amount requested; otherwise award in part"))
            } else if let amount = amountPence, decision == .awardInPart && amount >= a.amountRequestedPence {
                problems.append(
                    FieldError(field: "amount", message: "An award in part is less than the amount requested"))
            }
            if let s = CalendarDay(startsOn), let e = CalendarDay(endsOn), s < e {
            } else {
                problems.append(
                    FieldError(field: "startsOn", message: "Give the grant's first and last days, YYYY-MM-DD"))
            }
        }
        guard problems.isEmpty, let fundID = try await round(id: a.roundId, on: db)?.fundId else {
            throw Problem.invalid(problems)
        }
        let now = Date().stored
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                UPDATE applications SET status = \(bind: decision.status.rawValue), decision = \(bind: decision.rawValue),
                  decision_reason = \(bind: reason), recommendation = \(bind: recommendation), decided_at = \(bind: now),
                  decided_by = \(bind: user.id) WHERE id = \(bind: a.id)
                """
            ).run()
            if decision != .decline, let amount = amountPence {
                try await tx.sql.raw(
                    """
                    INSERT INTO awards (application_id, fund_id, amount_pence, award_date, starts_on, ends_on, last_modified)
                    VALUES (\(bind: a.id), \(bind: fundID), \(bind: amount), \(bind: String(now.prefix(10))),
                      \(bind: startsOn), \(bind: endsOn), \(bind: now))
                    """
                ).run()
            }
            try await audit.record(
                "decide", entity: "application", id: String(a.id), before: ["status": a.status.rawValue],
                after: ["decision": decision.rawValue, "amount_pence": amountPence.map(String.init) ?? ""], by: user,
                on: tx)
        }
        // The award's indicators (from what the application committed to) and its returns.
        if decision != .decline, let award = try await award(of: a, on: db),
            let r = try await round(id: a.roundId, on: db)
        {
            let answers = try await answers(of: a, on: db)
            let commitments = try await questions(of: r, on: db).filter { $0.kind == .outputs }.flatMap { q in
                (try? JSONDecoder().decode([Grants.Commitment].self, from: Data((answers[q.id] ?? "[]").utf8))) ?? []
            }
            try await setUp(award, commitments: commitments, on: db)
        }
    }
}

extension Dictionary {
    fileprivate func mapKeys<T: Hashable>(_ f: (Key) -> T) -> [T: Value] {
        Dictionary<T, Value>(map { (f($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}
