import CrimeData
import Fluent
import Foundation
import SQLKit

/// A campaign's area plans: their actions, planned amounts and progress updates.
extension CampaignStore {
    // MARK: Reading

    func plan(_ campaign: Campaign, areaSlug: String, on db: any Database) async throws -> Plan {
        guard
            let p = try await db.sql.raw(
                """
                SELECT p.id, p.campaign_id, p.area_id, a.slug AS area_slug, a.name AS area_name, p.problem_profile, p.priorities, p.evidence_url
                FROM plans p JOIN areas a ON a.id = p.area_id WHERE p.campaign_id = \(bind: campaign.id) AND a.slug = \(bind: areaSlug)
                """
            ).row(Plan.self)
        else { throw Problem.notFound }
        return p
    }

    static let actionColumns = """
        x.id, x.plan_id, x.title, x.owner_organisation_id, o.name AS owner_name, x.lead_name, x.due_on, x.status, x.created_at
        """

    func actions(of plan: Plan, on db: any Database) async throws -> [Action] {
        try await db.sql.raw(
            """
            SELECT \(unsafeRaw: Self.actionColumns) FROM plan_actions x JOIN organisations o ON o.id = x.owner_organisation_id
            WHERE x.plan_id = \(bind: plan.id) ORDER BY x.due_on, x.id
            """
        ).rows(Action.self)
    }

    /// Every action of a campaign, for the campaign page and the priorities export.
    func actions(of campaign: Campaign, on db: any Database) async throws -> [(area: String, action: Action)] {
        struct Row: Decodable {
            var areaName: String
            var id: Int, planId: Int, title: String, ownerOrganisationId: Int, ownerName: String
            var leadName: String, dueOn: String, status: ActionStatus, createdAt: String
        }
        return try await db.sql.raw(
            """
            SELECT a.name AS area_name, \(unsafeRaw: Self.actionColumns) FROM plan_actions x
            JOIN organisations o ON o.id = x.owner_organisation_id JOIN plans p ON p.id = x.plan_id JOIN areas a ON a.id = p.area_id
            WHERE p.campaign_id = \(bind: campaign.id) ORDER BY x.due_on, x.id
            """
        ).rows(Row.self).map {
            (
                $0.areaName,
                Action(
                    id: $0.id, planId: $0.planId, title: $0.title, ownerOrganisationId: $0.ownerOrganisationId,
                    ownerName: $0.ownerName, leadName: $0.leadName, dueOn: $0.dueOn, status: $0.status,
                    createdAt: $0.createdAt)
            )
        }
    }

    struct Target: Codable, Sendable {
        var areaId: Int
        var type: String
        var amount: Double
    }

    /// The planned amounts of a campaign's plans (of one area when given).
    func targets(of campaign: Campaign, areaID: Int? = nil, on db: any Database) async throws -> [Target] {
        let area: SQLQueryString = areaID.map { "AND p.area_id = \(bind: $0)" } ?? ""
        return try await db.sql.raw(
            """
            SELECT p.area_id, t.type, t.amount FROM plan_targets t JOIN plans p ON p.id = t.plan_id
            WHERE p.campaign_id = \(bind: campaign.id) \(area) ORDER BY t.type
            """
        ).rows(Target.self)
    }

    /// Sets how much of one activity type a plan means to deliver; 0 removes the target.
    func setTarget(_ plan: Plan, type: String, amount: String, by user: CurrentUser?, on db: any Database) async throws
    {
        var problems: [FieldError] = []
        let activity = ActivityType.named(type)
        if activity == nil { problems.append(FieldError(field: "targetType", message: "Choose the type of activity")) }
        let value = Double(amount.trimmingCharacters(in: .whitespaces))
        if !(value.map { $0.isFinite && (0...1_000_000).contains($0) } ?? false) {
            problems.append(
                FieldError(
                    field: "targetAmount",
                    message: "Enter the planned amount as a number from 0 to 1,000,000 (0 removes the target)"))
        }
        guard problems.isEmpty, let activity, let value else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            let before = try await tx.sql.raw(
                "SELECT amount FROM plan_targets WHERE plan_id = \(bind: plan.id) AND type = \(bind: activity.slug)"
            )
            .first(decodingColumn: "amount", as: Double.self)
            try await tx.sql.raw(
                "DELETE FROM plan_targets WHERE plan_id = \(bind: plan.id) AND type = \(bind: activity.slug)"
            ).run()
            if value > 0 {
                try await tx.sql.raw(
                    "INSERT INTO plan_targets (plan_id, type, amount) VALUES (\(bind: plan.id), \(bind: activity.slug), \(bind: value))"
                ).run()
            }
            try await audit.record(
                "set target", entity: "plan", id: String(plan.id), before: before.map { [activity.slug: $0] },
                after: value > 0 ? [activity.slug: value] : nil, by: user, on: tx)
        }
    }

    func updates(of plan: Plan, on db: any Database) async throws -> [Update] {
        try await db.sql.raw(
            """
            SELECT u.id, u.action_id, u.at, s.name AS user_name, u.status, u.note FROM action_updates u
            JOIN plan_actions x ON x.id = u.action_id LEFT JOIN users s ON s.id = u.user_id
            WHERE x.plan_id = \(bind: plan.id) ORDER BY u.id
            """
        ).rows(Update.self)
    }

    // MARK: Changes (each audited, in one transaction)

    func updatePlan(
        _ plan: Plan, profile: String, priorities: String, evidence: String, by user: CurrentUser?, on db: any Database
    ) async throws {
        var problems: [FieldError] = []
        if profile.count > 10_000 {
            problems.append(
                FieldError(field: "problemProfile", message: "Keep the problem profile under 10,000 characters"))
        }
        if priorities.count > 5_000 {
            problems.append(FieldError(field: "priorities", message: "Keep the priorities under 5,000 characters"))
        }
        if !evidence.isEmpty && SafeURL.localPath(evidence) == nil
            && !(evidence.lowercased().hasPrefix("https://") && SafeURL.externalLink(evidence) != nil)
        {
            problems.append(
                FieldError(
                    field: "evidenceURL",
                    message:
                        "Link the evidence with a SaferStreets ranking or hot-spot address (starting with one /) or https:// and a site name"
                ))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                UPDATE plans SET problem_profile = \(bind: profile), priorities = \(bind: priorities), evidence_url = \(bind: evidence)
                WHERE id = \(bind: plan.id)
                """
            ).run()
            var after = plan
            (after.problemProfile, after.priorities, after.evidenceUrl) = (profile, priorities, evidence)
            try await audit.record(
                "update", entity: "plan", id: String(plan.id), before: plan, after: after, by: user, on: tx)
        }
    }

    func addAction(_ draft: ActionDraft, to plan: Plan, campaign: Campaign, by user: CurrentUser?, on db: any Database)
        async throws
    {
        let members = Set(try await organisations(of: campaign, on: db).map(\.id))
        let problems = draft.problems(organisations: members)
        guard problems.isEmpty, let owner = draft.ownerOrganisationID, let due = CalendarDay(draft.dueOn) else {
            throw Problem.invalid(
                problems.isEmpty ? [FieldError(field: "dueOn", message: "Enter the due date as YYYY-MM-DD")] : problems)
        }
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO plan_actions (plan_id, title, owner_organisation_id, lead_name, due_on, status, created_at)
                VALUES (\(bind: plan.id), \(bind: draft.title), \(bind: owner), \(bind: draft.leadName),
                  \(bind: due.description), \(bind: draft.status), \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "action", id: String(id), before: nil as ActionDraft?, after: draft, by: user, on: tx)
        }
    }

    /// A dated progress update. Only the owning organisation (or the OPCC) may add one, and
    /// only to an action of a campaign the user can see; anything else is not found.
    func addUpdate(actionID: Int, status: String, note: String, by user: CurrentUser, on db: any Database) async throws
        -> (Campaign, Plan)
    {
        struct Row: Decodable {
            var ownerOrganisationId: Int; var status: ActionStatus; var slug: String; var areaSlug: String
        }
        guard
            let row = try await db.sql.raw(
                """
                SELECT x.owner_organisation_id, x.status, c.slug, a.slug AS area_slug FROM plan_actions x JOIN plans p ON p.id = x.plan_id
                JOIN campaigns c ON c.id = p.campaign_id JOIN areas a ON a.id = p.area_id WHERE x.id = \(bind: actionID)
                """
            ).row(Row.self)
        else { throw Problem.notFound }
        let campaign = try await find(row.slug, for: user, on: db)
        guard user.role.isOPCC || row.ownerOrganisationId == user.organisationID else { throw Problem.notFound }
        var problems: [FieldError] = []
        if ActionStatus(rawValue: status) == nil {
            problems.append(FieldError(field: "status", message: "Choose a status"))
        }
        if note.trimmingCharacters(in: .whitespaces).isEmpty || note.count > 2_000 {
            problems.append(FieldError(field: "note", message: "Say what has happened (up to 2,000 characters)"))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                INSERT INTO action_updates (action_id, at, user_id, status, note)
                VALUES (\(bind: actionID), \(bind: Date().stored), \(bind: user.id), \(bind: status), \(bind: note))
                """
            ).run()
            try await tx.sql.raw("UPDATE plan_actions SET status = \(bind: status) WHERE id = \(bind: actionID)").run()
            try await audit.record(
                "update", entity: "action", id: String(actionID), before: ["status": row.status.rawValue],
                after: ["status": status, "note": note], by: user, on: tx)
        }
        return (campaign, try await plan(campaign, areaSlug: row.areaSlug, on: db))
    }
}
