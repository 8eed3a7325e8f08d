import CrimeData
import Fluent
import Foundation
import SQLKit

/// Campaigns and plans in the database, with the organisation boundary built into every
/// read: OPCC staff see every campaign; anyone else only those their organisation takes
/// part in. What a user may not see is reported as not found.
struct CampaignStore: Sendable {
    let audit: AuditLog

    enum Problem: Error {
        case invalid([FieldError])
        case notFound
    }

    struct Campaign: Codable, Sendable {
        var id: Int
        var slug: String
        var name: String
        var description: String
        var startsOn: String
        var endsOn: String
    }

    struct Organisation: Codable, Sendable {
        var id: Int
        var name: String
        var kind: String
    }

    struct TargetArea: Codable, Sendable {
        var planId: Int
        var areaId: Int
        var slug: String
        var name: String
        var actions: Int
        var openActions: Int
    }

    struct Link: Codable, Sendable {
        var id: Int
        var title: String
        var url: String
    }

    struct Plan: Codable, Sendable {
        var id: Int
        var campaignId: Int
        var areaId: Int
        var areaSlug: String
        var areaName: String
        var problemProfile: String
        var priorities: String
        var evidenceUrl: String
    }

    struct Action: Codable, Sendable {
        var id: Int
        var planId: Int
        var title: String
        var ownerOrganisationId: Int
        var ownerName: String
        var leadName: String
        var dueOn: String
        var status: ActionStatus
        var createdAt: String
    }

    struct Update: Codable, Sendable {
        var id: Int
        var actionId: Int
        var at: String
        var userName: String?
        var status: ActionStatus
        var note: String
    }

    // MARK: Reading, within the user's boundary

    func list(for user: CurrentUser, on db: any Database) async throws -> [Campaign] {
        if user.role.isOPCC {
            return try await db.sql.raw(
                "SELECT id, slug, name, description, starts_on, ends_on FROM campaigns ORDER BY starts_on DESC"
            )
            .rows(Campaign.self)
        }
        return try await db.sql.raw(
            """
            SELECT c.id, c.slug, c.name, c.description, c.starts_on, c.ends_on FROM campaigns c
            JOIN campaign_organisations o ON o.campaign_id = c.id AND o.organisation_id = \(bind: user.organisationID)
            ORDER BY c.starts_on DESC
            """
        ).rows(Campaign.self)
    }

    /// The campaign by slug or id with no user boundary: for the command line and for
    /// report links, which carry their own authority.
    func lookup(slug: String? = nil, id: Int? = nil, on db: any Database) async throws -> Campaign? {
        let key: SQLQueryString = slug.map { "slug = \(bind: $0)" } ?? "id = \(bind: id ?? -1)"
        return try await db.sql.raw(
            "SELECT id, slug, name, description, starts_on, ends_on FROM campaigns WHERE \(key)"
        )
        .row(Campaign.self)
    }

    /// The campaign if the user may see it.
    func find(_ slug: String, for user: CurrentUser, on db: any Database) async throws -> Campaign {
        guard
            let c = try await db.sql.raw(
                "SELECT id, slug, name, description, starts_on, ends_on FROM campaigns WHERE slug = \(bind: slug)"
            )
            .row(Campaign.self)
        else { throw Problem.notFound }
        if user.role.isOPCC { return c }
        let member = try await db.sql.raw(
            """
            SELECT organisation_id FROM campaign_organisations WHERE campaign_id = \(bind: c.id) AND organisation_id = \(bind: user.organisationID)
            """
        ).first(decodingColumn: "organisation_id", as: Int.self)
        guard member != nil else { throw Problem.notFound }
        return c
    }

    func organisations(of campaign: Campaign, on db: any Database) async throws -> [Organisation] {
        try await db.sql.raw(
            """
            SELECT o.id, o.name, o.kind FROM organisations o JOIN campaign_organisations c ON c.organisation_id = o.id
            WHERE c.campaign_id = \(bind: campaign.id) ORDER BY o.name
            """
        ).rows(Organisation.self)
    }

    func allOrganisations(on db: any Database) async throws -> [Organisation] {
        try await db.sql.raw("SELECT id, name, kind FROM organisations ORDER BY name").rows(Organisation.self)
    }

    func areas(of campaign: Campaign, on db: any Database) async throws -> [TargetArea] {
        try await db.sql.raw(
            """
            SELECT p.id AS plan_id, a.id AS area_id, a.slug, a.name,
              (SELECT COUNT(*) FROM plan_actions x WHERE x.plan_id = p.id) AS actions,
              (SELECT COUNT(*) FROM plan_actions x WHERE x.plan_id = p.id AND x.status <> 'done') AS open_actions
            FROM plans p JOIN areas a ON a.id = p.area_id WHERE p.campaign_id = \(bind: campaign.id) ORDER BY a.name
            """
        ).rows(TargetArea.self)
    }

    func links(of campaign: Campaign, on db: any Database) async throws -> [Link] {
        try await db.sql.raw(
            "SELECT id, title, url FROM campaign_links WHERE campaign_id = \(bind: campaign.id) ORDER BY id"
        )
        .rows(Link.self)
    }

    // MARK: Changes (each audited, in one transaction)

    func create(_ draft: CampaignDraft, by user: CurrentUser?, on db: any Database) async throws -> Campaign {
        let problems = draft.problems()
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        let name = draft.name.trimmingCharacters(in: .whitespaces)
        let slug = CrimeCategory.slug(forName: name)
        if try await db.sql.raw("SELECT id FROM campaigns WHERE slug = \(bind: slug)").first(
            decodingColumn: "id", as: Int.self) != nil
        {
            throw Problem.invalid([FieldError(field: "name", message: "There is already a campaign called “\(name)”")])
        }
        guard let starts = CalendarDay(draft.startsOn), let ends = CalendarDay(draft.endsOn) else {
            throw Problem.invalid([FieldError(field: "startsOn", message: "Enter the dates as YYYY-MM-DD")])
        }
        return try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO campaigns (slug, name, description, starts_on, ends_on, created_at)
                VALUES (\(bind: slug), \(bind: name), \(bind: draft.description), \(bind: starts.description),
                  \(bind: ends.description), \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            let c = Campaign(
                id: id, slug: slug, name: name, description: draft.description,
                startsOn: starts.description, endsOn: ends.description)
            try await audit.record(
                "create", entity: "campaign", id: String(id), before: nil as Campaign?, after: c, by: user, on: tx)
            return c
        }
    }

    func addOrganisation(_ organisationID: Int, to campaign: Campaign, by user: CurrentUser?, on db: any Database)
        async throws
    {
        guard
            try await db.sql.raw("SELECT id FROM organisations WHERE id = \(bind: organisationID)").first(
                decodingColumn: "id", as: Int.self) != nil
        else {
            throw Problem.invalid([FieldError(field: "organisationID", message: "Choose an organisation")])
        }
        try await db.transaction { tx in
            let exists =
                try await tx.sql.raw(
                    """
                    SELECT organisation_id FROM campaign_organisations WHERE campaign_id = \(bind: campaign.id) AND organisation_id = \(bind: organisationID)
                    """
                ).first(decodingColumn: "organisation_id", as: Int.self) != nil
            guard !exists else { return }
            try await tx.sql.raw(
                "INSERT INTO campaign_organisations (campaign_id, organisation_id) VALUES (\(bind: campaign.id), \(bind: organisationID))"
            ).run()
            try await audit.record(
                "add organisation", entity: "campaign", id: String(campaign.id), before: nil as Int?,
                after: organisationID, by: user, on: tx)
        }
    }

    /// Makes an area a target of the campaign, with an empty plan.
    func addArea(_ areaID: Int, to campaign: Campaign, by user: CurrentUser?, on db: any Database) async throws {
        guard
            try await db.sql.raw("SELECT id FROM areas WHERE id = \(bind: areaID)").first(
                decodingColumn: "id", as: Int.self) != nil
        else {
            throw Problem.invalid([FieldError(field: "areaID", message: "Choose an area")])
        }
        try await db.transaction { tx in
            let exists =
                try await tx.sql.raw(
                    "SELECT id FROM plans WHERE campaign_id = \(bind: campaign.id) AND area_id = \(bind: areaID)"
                )
                .first(decodingColumn: "id", as: Int.self) != nil
            guard !exists else { return }
            let id = try await tx.sql.raw(
                "INSERT INTO plans (campaign_id, area_id) VALUES (\(bind: campaign.id), \(bind: areaID)) RETURNING id"
            )
            .insertedID()
            try await audit.record(
                "add area", entity: "campaign", id: String(campaign.id), before: nil as Int?,
                after: ["area": areaID, "plan": id], by: user, on: tx)
        }
    }

    func addLink(title: String, url: String, to campaign: Campaign, by user: CurrentUser?, on db: any Database)
        async throws
    {
        var problems: [FieldError] = []
        if title.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(FieldError(field: "title", message: "Give the link a title"))
        }
        if SafeURL.externalLink(url) == nil && SafeURL.localPath(url) == nil {
            problems.append(
                FieldError(
                    field: "url",
                    message:
                        "Enter a web address starting https:// and a site name (or a SaferStreets path starting with one /), without spaces"
                ))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            try await tx.sql.raw(
                "INSERT INTO campaign_links (campaign_id, title, url) VALUES (\(bind: campaign.id), \(bind: title), \(bind: url))"
            ).run()
            try await audit.record(
                "add link", entity: "campaign", id: String(campaign.id), before: nil as String?,
                after: ["title": title, "url": url], by: user, on: tx)
        }
    }

}
