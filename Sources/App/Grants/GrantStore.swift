import Fluent
import Foundation
import SQLKit

/// Funds and rounds: what the commissioning officer sets up. Reads return everything; what
/// a person may see is `GrantViewer`'s to decide.
struct GrantStore: Sendable {
    let audit: AuditLog

    enum Problem: Error {
        case invalid([FieldError])
        case notFound
    }

    // MARK: Funds

    private static let fundColumns = "id, slug, name, description, theme_slugs, money_source, budget_pence, open_call"

    func funds(on db: any Database) async throws -> [Grants.Fund] {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.fundColumns) FROM funds ORDER BY created_at DESC, id DESC").rows(
            Grants.Fund.self)
    }

    func fund(slug: String, on db: any Database) async throws -> Grants.Fund? {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.fundColumns) FROM funds WHERE slug = \(bind: slug)").row(
            Grants.Fund.self)
    }

    func fund(id: Int, on db: any Database) async throws -> Grants.Fund? {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.fundColumns) FROM funds WHERE id = \(bind: id)").row(
            Grants.Fund.self)
    }

    struct FundDraft: Codable, Sendable {
        var name: String
        var slug: String
        var description: String = ""
        var themes: [String] = []
        var moneySource: String = ""
        var budget: String
        var openCall: Bool = true

        func problems(themes known: Set<String>) -> [FieldError] {
            var e: [FieldError] = []
            if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 160 {
                e.append(FieldError(field: "name", message: "Name the fund (up to 160 characters)"))
            }
            if !Slug.isValid(slug) { e.append(FieldError(field: "slug", message: "Give a short name for links")) }
            if Grants.pence(budget).map({ $0 <= 0 }) ?? true {
                e.append(FieldError(field: "budget", message: "Give the fund's budget in pounds, e.g. 250,000"))
            }
            if let t = themes.first(where: { !known.contains($0) }) {
                e.append(FieldError(field: "themes", message: "The plan has no theme “\(t.prefix(80))”"))
            }
            if description.count > 5_000 || moneySource.count > 300 {
                e.append(FieldError(field: "description", message: "Keep the description under 5,000 characters"))
            }
            return e
        }
    }

    @discardableResult
    func createFund(_ d: FundDraft, themes: Set<String>, by user: CurrentUser?, on db: any Database) async throws
        -> Grants.Fund
    {
        var problems = d.problems(themes: themes)
        if try await fund(slug: d.slug, on: db) != nil {
            problems.append(FieldError(field: "slug", message: "Another fund has the short name “\(d.slug)”"))
        }
        guard problems.isEmpty, let budget = Grants.pence(d.budget) else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO funds (slug, name, description, theme_slugs, money_source, budget_pence, open_call, created_at)
                VALUES (\(bind: d.slug), \(bind: d.name), \(bind: d.description), \(bind: d.themes.joined(separator: ",")),
                  \(bind: d.moneySource), \(bind: budget), \(bind: d.openCall ? 1 : 0), \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "fund", id: String(id), before: String?.none, after: d, by: user, on: tx)
        }
        guard let f = try await fund(slug: d.slug, on: db) else { throw InsertError.noRowReturned }
        return f
    }

    // MARK: Rounds

    private static let roundColumns = "id, fund_id, slug, name, guidance, opens_at, closes_at, minimum_score"

    func rounds(of fund: Grants.Fund? = nil, on db: any Database) async throws -> [Grants.Round] {
        let filter: SQLQueryString = fund.map { "WHERE fund_id = \(bind: $0.id)" } ?? ""
        return try await db.sql.raw(
            "SELECT \(unsafeRaw: Self.roundColumns) FROM grant_rounds \(filter) ORDER BY opens_at DESC, id DESC"
        ).rows(Grants.Round.self)
    }

    func round(id: Int, on db: any Database) async throws -> Grants.Round? {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.roundColumns) FROM grant_rounds WHERE id = \(bind: id)").row(
            Grants.Round.self)
    }

    func questions(of round: Grants.Round, on db: any Database) async throws -> [Grants.Question] {
        try await db.sql.raw(
            """
            SELECT id, round_id, position, kind, prompt, word_limit, required, fail_reason FROM round_questions
            WHERE round_id = \(bind: round.id) ORDER BY position, id
            """
        ).rows(Grants.Question.self)
    }

    func criteria(of round: Grants.Round, on db: any Database) async throws -> [Grants.Criterion] {
        try await db.sql.raw(
            """
            SELECT id, round_id, position, name, guidance, weight, max_score FROM round_criteria
            WHERE round_id = \(bind: round.id) ORDER BY position, id
            """
        ).rows(Grants.Criterion.self)
    }

    struct RoundDraft: Codable, Sendable {
        struct QuestionDraft: Codable, Sendable {
            var kind: Grants.QuestionKind
            var prompt: String
            var wordLimit: Int?
            var required: Bool = true
            var failReason: String = ""
        }
        struct CriterionDraft: Codable, Sendable {
            var name: String
            var guidance: String = ""
            var weight: Double
            var maxScore: Int
        }
        var name: String
        var slug: String
        var guidance: String = ""
        /// ISO-8601 instants.
        var opensAt: String
        var closesAt: String
        var minimumScore: Double
        var questions: [QuestionDraft]
        var criteria: [CriterionDraft]

        func problems() -> [FieldError] {
            var e: [FieldError] = []
            if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 160 {
                e.append(FieldError(field: "name", message: "Name the round (up to 160 characters)"))
            }
            if !Slug.isValid(slug) { e.append(FieldError(field: "slug", message: "Give a short name for links")) }
            if let o = Date(stored: opensAt), let c = Date(stored: closesAt) {
                if c <= o { e.append(FieldError(field: "closesOn", message: "The round must close after it opens")) }
            } else {
                e.append(FieldError(field: "opensOn", message: "Give the opening and closing dates as YYYY-MM-DD"))
            }
            if !(0...100).contains(minimumScore) {
                e.append(FieldError(field: "minimumScore", message: "The minimum score is from 0 to 100"))
            }
            if questions.isEmpty || questions.count > 60 {
                e.append(FieldError(field: "questions", message: "A round asks 1 to 60 questions"))
            }
            for q in questions {
                if q.prompt.trimmingCharacters(in: .whitespaces).isEmpty || q.prompt.count > 1_000 {
                    e.append(FieldError(field: "questions", message: "Every question needs its wording"))
                }
                if let w = q.wordLimit, !(1...5_000).contains(w) {
                    e.append(FieldError(field: "questions", message: "A word limit is from 1 to 5,000"))
                }
            }
            if criteria.isEmpty || criteria.count > 20 {
                e.append(FieldError(field: "criteria", message: "A round has 1 to 20 scoring criteria"))
            }
            for c in criteria
            where c.name.isEmpty || !(c.weight > 0 && c.weight <= 100) || !(1...100).contains(c.maxScore) {
                e.append(
                    FieldError(
                        field: "criteria",
                        message:
                            "Criterion “\(c.name.prefix(60))” needs a name, a weight above 0 and a top score of 1 to 100"
                    ))
            }
            return e
        }
    }

    @discardableResult
    func createRound(_ d: RoundDraft, in fund: Grants.Fund, by user: CurrentUser?, on db: any Database) async throws
        -> Grants.Round
    {
        var problems = d.problems()
        if try await rounds(of: fund, on: db).contains(where: { $0.slug == d.slug }) {
            problems.append(FieldError(field: "slug", message: "The fund already has a round “\(d.slug)”"))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        let id = try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO grant_rounds (fund_id, slug, name, guidance, opens_at, closes_at, minimum_score, created_at)
                VALUES (\(bind: fund.id), \(bind: d.slug), \(bind: d.name), \(bind: d.guidance), \(bind: d.opensAt),
                  \(bind: d.closesAt), \(bind: d.minimumScore), \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            for (k, q) in d.questions.enumerated() {
                try await tx.sql.raw(
                    """
                    INSERT INTO round_questions (round_id, position, kind, prompt, word_limit, required, fail_reason)
                    VALUES (\(bind: id), \(bind: k + 1), \(bind: q.kind.rawValue), \(bind: q.prompt), \(bind: q.wordLimit),
                      \(bind: q.required ? 1 : 0), \(bind: q.failReason))
                    """
                ).run()
            }
            for (k, c) in d.criteria.enumerated() {
                try await tx.sql.raw(
                    """
                    INSERT INTO round_criteria (round_id, position, name, guidance, weight, max_score)
                    VALUES (\(bind: id), \(bind: k + 1), \(bind: c.name), \(bind: c.guidance), \(bind: c.weight),
                      \(bind: c.maxScore))
                    """
                ).run()
            }
            try await audit.record(
                "create", entity: "grant-round", id: String(id), before: String?.none, after: d, by: user, on: tx)
            return id
        }
        guard let r = try await round(id: id, on: db) else { throw InsertError.noRowReturned }
        return r
    }

    // MARK: The panel

    func panel(of round: Grants.Round, on db: any Database) async throws -> [(id: Int, name: String, email: String)] {
        struct Row: Decodable { var id: Int; var name: String; var email: String }
        return try await db.sql.raw(
            """
            SELECT u.id, u.name, u.email FROM round_panel p JOIN users u ON u.id = p.user_id
            WHERE p.round_id = \(bind: round.id) ORDER BY u.name
            """
        ).rows(Row.self).map { ($0.id, $0.name, $0.email) }
    }

    func rounds(onPanel userID: Int, on db: any Database) async throws -> [Grants.Round] {
        try await db.sql.raw(
            """
            SELECT r.id, r.fund_id, r.slug, r.name, r.guidance, r.opens_at, r.closes_at, r.minimum_score
            FROM grant_rounds r JOIN round_panel p ON p.round_id = r.id WHERE p.user_id = \(bind: userID)
            ORDER BY r.closes_at DESC
            """
        ).rows(Grants.Round.self)
    }

    /// Adds the signed-in account with this e-mail address to the round's panel.
    func addPanelMember(email: String, to round: Grants.Round, by user: CurrentUser?, on db: any Database) async throws
    {
        struct Row: Decodable { var id: Int }
        guard
            let member = try await db.sql.raw(
                "SELECT id FROM users WHERE email = \(bind: email.lowercased().trimmingCharacters(in: .whitespaces))"
            ).row(Row.self)
        else {
            throw Problem.invalid([FieldError(field: "email", message: "There is no account with that e-mail address")])
        }
        try await db.transaction { tx in
            guard
                try await tx.sql.raw(
                    "SELECT user_id FROM round_panel WHERE round_id = \(bind: round.id) AND user_id = \(bind: member.id)"
                ).first() == nil
            else { return }
            try await tx.sql.raw(
                "INSERT INTO round_panel (round_id, user_id) VALUES (\(bind: round.id), \(bind: member.id))"
            ).run()
            try await audit.record(
                "add-panel-member", entity: "grant-round", id: String(round.id), before: String?.none,
                after: ["user_id": member.id], by: user, on: tx)
        }
    }
}
