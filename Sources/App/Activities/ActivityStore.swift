import Fluent
import Foundation
import SQLKit

/// Activity records in the database. Reads are bounded by organisation: the OPCC sees
/// everything; a partner sees their own organisation's records, records shared in a
/// campaign they are part of, and public ones.
struct ActivityStore: Sendable {
    let audit: AuditLog

    /// What a user may attach a record to: areas by slug, and the campaigns their
    /// organisation is part of (every campaign for the OPCC).
    func choices(for user: CurrentUser, on db: any Database) async throws -> (areas: [String: Int], campaigns: [String: Int]) {
        struct Row: Decodable { var id: Int; var slug: String }
        let areas = try await db.sql.raw("SELECT id, slug FROM areas").all(decoding: Row.self)
        let campaigns = try await CampaignStore(audit: audit).list(for: user, on: db)
        return (Dictionary(uniqueKeysWithValues: areas.map { ($0.slug, $0.id) }),
                Dictionary(uniqueKeysWithValues: campaigns.map { ($0.slug, $0.id) }))
    }

    /// Stores checked records for the user's organisation, all or none, in batches.
    func insert(_ records: [ActivityDraft.Checked], by user: CurrentUser, source: String, on db: any Database) async throws {
        try await insert(records, organisationID: user.organisationID, createdBy: user.id, source: source, actor: user, on: db)
    }

    /// Stores records for an organisation (the demo records for partners without accounts).
    func insert(
        _ records: [ActivityDraft.Checked], organisationID: Int, createdBy: Int?, source: String, actor: CurrentUser?, on db: any Database
    ) async throws {
        let now = ISO8601DateFormatter().string(from: Date())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await db.transaction { tx in
            for chunk in records.chunks(of: 400) {
                var insert = tx.sql.insert(into: "activities").columns(
                    "organisation_id", "campaign_id", "area_id", "type", "occurred_on", "start_time", "location", "quantity",
                    "details", "visibility", "created_by", "created_at")
                for r in chunk {
                    insert = insert.values(
                        SQLBind(organisationID), SQLBind(r.campaignID), SQLBind(r.areaID), SQLBind(r.type.slug),
                        SQLBind(r.date.description), SQLBind(r.time), SQLBind(r.location), SQLBind(r.quantity),
                        SQLBind(String(decoding: try encoder.encode(r.details), as: UTF8.self)), SQLBind(r.visibility.rawValue),
                        SQLBind(createdBy), SQLBind(now))
                }
                try await insert.run()
            }
            try await audit.record(
                "create", entity: "activities", id: source, before: nil as String?,
                after: ["records": String(records.count), "types": Set(records.map(\.type.slug)).sorted().joined(separator: ",")],
                by: actor, on: tx)
        }
    }

    struct Record: Decodable, Sendable {
        var id: Int
        var organisation_name: String
        var campaign_name: String?
        var area_name: String?
        var type: String
        var occurred_on: String
        var start_time: String?
        var location: String
        var quantity: Double
        var details: String
        var visibility: String
    }

    /// The condition that bounds a partner's reads.
    private func boundary(_ user: CurrentUser) -> SQLQueryString {
        if user.role.isOPCC { return "1 = 1" }
        return """
            (a.organisation_id = \(bind: user.organisationID) OR a.visibility = 'public'
              OR (a.visibility = 'shared' AND a.campaign_id IN
                (SELECT campaign_id FROM campaign_organisations WHERE organisation_id = \(bind: user.organisationID))))
            """
    }

    /// The records the user may see, newest first; of one campaign when given.
    func latest(for user: CurrentUser, campaignID: Int? = nil, limit: Int = 200, on db: any Database) async throws -> [Record] {
        let campaign: SQLQueryString = campaignID.map { "AND a.campaign_id = \(bind: $0)" } ?? ""
        return try await db.sql.raw("""
            SELECT a.id, o.name AS organisation_name, c.name AS campaign_name, r.name AS area_name, a.type, a.occurred_on,
              a.start_time, a.location, a.quantity, a.details, a.visibility
            FROM activities a JOIN organisations o ON o.id = a.organisation_id LEFT JOIN campaigns c ON c.id = a.campaign_id
            LEFT JOIN areas r ON r.id = a.area_id WHERE \(boundary(user)) \(campaign)
            ORDER BY a.occurred_on DESC, a.id DESC LIMIT \(bind: limit)
            """).all(decoding: Record.self)
    }

    struct Total: Decodable, Sendable {
        var type: String
        var records: Int
        var quantity: Double
    }

    func totals(for user: CurrentUser, campaignID: Int? = nil, on db: any Database) async throws -> [Total] {
        var query = SQLQueryString("""
            SELECT a.type, COUNT(*) AS records, CAST(SUM(a.quantity) AS DOUBLE PRECISION) AS quantity FROM activities a WHERE
            """)
        query.appendInterpolation(unsafeRaw: " ")
        query.appendInterpolation(boundary(user))
        if let campaignID { query.appendInterpolation(" AND a.campaign_id = \(bind: campaignID)" as SQLQueryString) }
        query.appendInterpolation(unsafeRaw: " GROUP BY a.type ORDER BY a.type")
        return try await db.sql.raw(query).all(decoding: Total.self)
    }
}
