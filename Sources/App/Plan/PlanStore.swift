import Fluent
import Foundation
import SQLKit

/// The Police and Crime Plan: its versions, objectives and priority themes, and which
/// campaigns serve which theme. A refresh makes a new version (the old one is kept,
/// superseded); themes keep their slugs across versions, so links to them carry over.
struct PlanStore: Sendable {
    let audit: AuditLog

    struct Plan: Codable, Sendable {
        var id: Int
        var version: Int
        var title: String
        var startsOn: String
        var endsOn: String
        var introduction: String
        var createdAt: String
        var supersededAt: String?
    }

    struct Objective: Codable, Sendable {
        var id: Int
        var position: Int
        var title: String
        var description: String
    }

    struct Theme: Codable, Sendable {
        var id: Int
        var position: Int
        var slug: String
        var title: String
        var description: String
        var leadName: String
    }

    /// A plan as written: what a new version is made from.
    struct Draft: Codable, Sendable {
        struct ObjectiveDraft: Codable, Sendable {
            var title: String
            var description: String = ""
        }
        struct ThemeDraft: Codable, Sendable {
            var slug: String
            var title: String
            var description: String = ""
            var leadName: String = ""
            /// Positions (from 1) of the objectives the theme serves.
            var objectives: [Int]
        }
        var title: String
        var startsOn: String
        var endsOn: String
        var introduction: String = ""
        var objectives: [ObjectiveDraft]
        var themes: [ThemeDraft]

        func problems() -> [FieldError] {
            var out: [FieldError] = []
            if title.trimmingCharacters(in: .whitespaces).isEmpty || title.count > 200 {
                out.append(FieldError(field: "title", message: "Give the plan a title (up to 200 characters)"))
            }
            if CalendarDay(startsOn) == nil || CalendarDay(endsOn) == nil || startsOn >= endsOn {
                out.append(
                    FieldError(field: "startsOn", message: "Give the plan's first and last days, first before last"))
            }
            if objectives.isEmpty || objectives.count > 20 {
                out.append(FieldError(field: "objectives", message: "A plan has 1 to 20 objectives"))
            }
            if themes.count > 30 { out.append(FieldError(field: "themes", message: "A plan has at most 30 themes")) }
            for t in themes {
                if !Slug.isValid(t.slug) || t.title.isEmpty {
                    out.append(
                        FieldError(field: "themes", message: "Theme “\(t.title)” needs a title and a short name"))
                }
                if t.objectives.contains(where: { $0 < 1 || $0 > objectives.count }) {
                    out.append(
                        FieldError(field: "themes", message: "Theme “\(t.title)” serves an objective the plan lacks"))
                }
            }
            if Set(themes.map(\.slug)).count != themes.count {
                out.append(FieldError(field: "themes", message: "Two themes have the same short name"))
            }
            return out
        }
    }

    /// The plan in force: the latest version, or nil before one is written.
    func current(on db: any Database) async throws -> Plan? {
        try await db.sql.raw(
            """
            SELECT id, version, title, starts_on, ends_on, introduction, created_at, superseded_at FROM pcc_plans
            WHERE superseded_at IS NULL ORDER BY version DESC LIMIT 1
            """
        ).row(Plan.self)
    }

    func versions(on db: any Database) async throws -> [Plan] {
        try await db.sql.raw(
            """
            SELECT id, version, title, starts_on, ends_on, introduction, created_at, superseded_at FROM pcc_plans
            ORDER BY version DESC
            """
        ).rows(Plan.self)
    }

    func objectives(of plan: Plan, on db: any Database) async throws -> [Objective] {
        try await db.sql.raw(
            "SELECT id, position, title, description FROM pcc_objectives WHERE plan_id = \(bind: plan.id) ORDER BY position"
        ).rows(Objective.self)
    }

    func themes(of plan: Plan, on db: any Database) async throws -> [Theme] {
        try await db.sql.raw(
            """
            SELECT id, position, slug, title, description, lead_name FROM pcc_themes WHERE plan_id = \(bind: plan.id)
            ORDER BY position
            """
        ).rows(Theme.self)
    }

    /// Theme id → the positions of the objectives it serves.
    func themeObjectives(of plan: Plan, on db: any Database) async throws -> [Int: [Int]] {
        struct Row: Decodable { var themeId: Int; var position: Int }
        let rows = try await db.sql.raw(
            """
            SELECT x.theme_id, o.position FROM pcc_theme_objectives x JOIN pcc_objectives o ON o.id = x.objective_id
            WHERE o.plan_id = \(bind: plan.id) ORDER BY o.position
            """
        ).rows(Row.self)
        return Dictionary(grouping: rows, by: \.themeId).mapValues { $0.map(\.position) }
    }

    /// Writes a new version of the plan; the one before is kept, superseded. Audited.
    @discardableResult
    func publish(_ draft: Draft, by user: CurrentUser?, on db: any Database) async throws -> Plan {
        let problems = draft.problems()
        guard problems.isEmpty else { throw FieldErrors(errors: problems) }
        let now = Date().stored
        let before = try await current(on: db)
        try await db.transaction { tx in
            let version = (before?.version ?? 0) + 1
            try await tx.sql.raw("UPDATE pcc_plans SET superseded_at = \(bind: now) WHERE superseded_at IS NULL").run()
            let planID = try await tx.sql.raw(
                """
                INSERT INTO pcc_plans (version, title, starts_on, ends_on, introduction, created_at)
                VALUES (\(bind: version), \(bind: draft.title), \(bind: draft.startsOn), \(bind: draft.endsOn),
                  \(bind: draft.introduction), \(bind: now)) RETURNING id
                """
            ).insertedID()
            var objectiveIDs: [Int] = []
            for (k, o) in draft.objectives.enumerated() {
                objectiveIDs.append(
                    try await tx.sql.raw(
                        """
                        INSERT INTO pcc_objectives (plan_id, position, title, description)
                        VALUES (\(bind: planID), \(bind: k + 1), \(bind: o.title), \(bind: o.description)) RETURNING id
                        """
                    ).insertedID())
            }
            for (k, t) in draft.themes.enumerated() {
                let themeID = try await tx.sql.raw(
                    """
                    INSERT INTO pcc_themes (plan_id, position, slug, title, description, lead_name)
                    VALUES (\(bind: planID), \(bind: k + 1), \(bind: t.slug), \(bind: t.title), \(bind: t.description),
                      \(bind: t.leadName)) RETURNING id
                    """
                ).insertedID()
                for position in Set(t.objectives).sorted() {
                    try await tx.sql.raw(
                        """
                        INSERT INTO pcc_theme_objectives (theme_id, objective_id)
                        VALUES (\(bind: themeID), \(bind: objectiveIDs[position - 1]))
                        """
                    ).run()
                }
            }
            try await audit.record(
                before == nil ? "create" : "refresh", entity: "plan", id: String(planID), before: before, after: draft,
                by: user, on: tx)
        }
        guard let plan = try await current(on: db) else { throw InsertError.noRowReturned }
        return plan
    }

    // MARK: What serves a theme

    /// Campaigns serving the theme, as (slug, name).
    func campaigns(serving theme: String, on db: any Database) async throws -> [(slug: String, name: String)] {
        struct Row: Decodable { var slug: String; var name: String }
        return try await db.sql.raw(
            """
            SELECT c.slug, c.name FROM campaign_themes t JOIN campaigns c ON c.id = t.campaign_id
            WHERE t.theme_slug = \(bind: theme) ORDER BY c.starts_on DESC
            """
        ).rows(Row.self).map { ($0.slug, $0.name) }
    }

    /// Grant funds serving the theme, with how many awards and how much awarded.
    func funds(serving theme: String, on db: any Database) async throws -> [(
        slug: String, name: String, awards: Int, awardedPence: Int
    )] {
        struct Row: Decodable {
            var slug: String; var name: String; var themeSlugs: String; var awards: Int; var pence: Int
        }
        return try await db.sql.raw(
            """
            SELECT f.slug, f.name, f.theme_slugs, COUNT(w.id) AS awards, CAST(COALESCE(SUM(w.amount_pence), 0) AS BIGINT) AS pence
            FROM funds f LEFT JOIN awards w ON w.fund_id = f.id
            GROUP BY f.id, f.slug, f.name, f.theme_slugs ORDER BY f.name
            """
        ).rows(Row.self).filter { $0.themeSlugs.split(separator: ",").contains(Substring(theme)) }.map {
            ($0.slug, $0.name, $0.awards, $0.pence)
        }
    }

    /// Links a campaign to a theme it serves (idempotent).
    func link(campaignID: Int, theme: String, by user: CurrentUser?, on db: any Database) async throws {
        try await db.transaction { tx in
            let exists =
                try await tx.sql.raw(
                    """
                    SELECT campaign_id FROM campaign_themes WHERE campaign_id = \(bind: campaignID) AND theme_slug = \(bind: theme)
                    """
                ).first() != nil
            guard !exists else { return }
            try await tx.sql.raw(
                "INSERT INTO campaign_themes (campaign_id, theme_slug) VALUES (\(bind: campaignID), \(bind: theme))"
            ).run()
            try await audit.record(
                "link", entity: "campaign-theme", id: "\(campaignID):\(theme)", before: String?.none,
                after: ["theme": theme], by: user, on: tx)
        }
    }
}
