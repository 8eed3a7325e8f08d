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
    func choices(for user: CurrentUser, on db: any Database) async throws -> (
        areas: [String: Int], campaigns: [String: Int]
    ) {
        struct Row: Decodable { var id: Int; var slug: String }
        let areas = try await db.sql.raw("SELECT id, slug FROM areas").rows(Row.self)
        let campaigns = try await CampaignStore(audit: audit).list(for: user, on: db)
        return (
            Dictionary(uniqueKeysWithValues: areas.map { ($0.slug, $0.id) }),
            Dictionary(uniqueKeysWithValues: campaigns.map { ($0.slug, $0.id) })
        )
    }

    /// Stores checked records for the user's organisation, all or none, in batches.
    func insert(_ records: [ActivityDraft.Checked], by user: CurrentUser, source: String, on db: any Database)
        async throws
    {
        try await insert(
            records, organisationID: user.organisationID, createdBy: user.id, source: source, actor: user, on: db)
    }

    /// Stores records for an organisation (the demo records for partners without accounts),
    /// with their totals, in one transaction.
    func insert(
        _ records: [ActivityDraft.Checked], organisationID: Int, createdBy: Int?, source: String, actor: CurrentUser?,
        on db: any Database
    ) async throws {
        let now = Date().stored
        let totals = ActivityTotals.deltas(adding: records.map { $0.contribution(organisationID: organisationID) })
        try await db.transaction { tx in
            for chunk in records.chunks(of: 400) {
                var insert = tx.sql.insert(into: "activities").columns(
                    "organisation_id", "campaign_id", "area_id", "type", "occurred_on", "start_time", "location",
                    "quantity",
                    "details", "visibility", "created_by", "created_at")
                for r in chunk {
                    insert = insert.values(
                        SQLBind(organisationID), SQLBind(r.campaignID), SQLBind(r.areaID), SQLBind(r.type.slug),
                        SQLBind(r.date.description), SQLBind(r.time), SQLBind(r.location), SQLBind(r.quantity),
                        SQLBind(r.detailsJSON), SQLBind(r.visibility.rawValue), SQLBind(createdBy), SQLBind(now))
                }
                try await insert.run()
            }
            try await ActivityTotals.apply(totals, on: tx.sql)
            try await audit.record(
                "create", entity: "activities", id: source, before: nil as String?,
                after: [
                    "records": String(records.count),
                    "types": Set(records.map(\.type.slug)).sorted().joined(separator: ","),
                ],
                by: actor, on: tx)
        }
    }

    struct Record: Decodable, Sendable {
        var id: Int
        var organisationId: Int
        var organisationName: String
        var campaignId: Int?
        var campaignSlug: String?
        var campaignName: String?
        var areaId: Int?
        var areaSlug: String?
        var areaName: String?
        var type: String
        var occurredOn: String
        var startTime: String?
        var location: String
        var quantity: Double
        var details: String
        var visibility: String

        var detailFields: [String: String] {
            (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:]
        }

        /// The record as a draft, to show on the edit form.
        var draft: ActivityDraft {
            ActivityDraft(
                type: type, date: occurredOn, time: startTime ?? "", area: areaSlug ?? "", location: location,
                campaign: campaignSlug ?? "", visibility: visibility, fields: detailFields)
        }

        /// What this record added to the totals.
        var contribution: (ActivityTotals.Key, ActivityTotals.Sums)? {
            CalendarDay(occurredOn).map {
                ActivityTotals.contribution(
                    organisationID: organisationId, campaignID: campaignId, areaID: areaId, type: type,
                    visibility: visibility, date: $0, quantity: quantity, details: detailFields)
            }
        }
    }

    /// The condition that bounds a partner's reads, on the records (`a`) or their totals (`t`).
    private func boundary(_ user: CurrentUser, _ alias: String = "a") -> SQLQueryString {
        ActivityViewer.user(user).condition(alias)
    }

    private static let recordColumns: SQLQueryString = """
        SELECT a.id, a.organisation_id, o.name AS organisation_name, a.campaign_id, c.slug AS campaign_slug, c.name AS campaign_name,
          a.area_id, r.slug AS area_slug, r.name AS area_name, a.type, a.occurred_on, a.start_time, a.location, a.quantity, a.details,
          a.visibility
        FROM activities a JOIN organisations o ON o.id = a.organisation_id LEFT JOIN campaigns c ON c.id = a.campaign_id
        LEFT JOIN areas r ON r.id = a.area_id
        """

    /// The records the user may see, newest first; of one campaign when given; all of them
    /// when `limit` is nil.
    func latest(for user: CurrentUser, campaignID: Int? = nil, limit: Int? = 200, on db: any Database) async throws
        -> [Record]
    {
        let campaign: SQLQueryString = campaignID.map { "AND a.campaign_id = \(bind: $0)" } ?? ""
        let limited: SQLQueryString = limit.map { "LIMIT \(bind: $0)" } ?? ""
        return try await db.sql.raw(
            """
            \(Self.recordColumns) WHERE \(boundary(user)) \(campaign) ORDER BY a.occurred_on DESC, a.id DESC \(limited)
            """
        ).rows(Record.self)
    }

    /// One record, if the user may see it.
    func find(_ id: Int, for user: CurrentUser, on db: any Database) async throws -> Record? {
        try await db.sql.raw("\(Self.recordColumns) WHERE a.id = \(bind: id) AND \(boundary(user))").row(Record.self)
    }

    /// Whether the user may change or delete the record: their own organisation's, or any
    /// record for an OPCC admin (corrections, audited like every change).
    static func mayChange(_ record: Record, _ user: CurrentUser) -> Bool {
        record.organisationId == user.organisationID || user.role == .opccAdmin
    }

    /// Replaces a record's fields (its organisation stays), with its totals, audited.
    func update(_ record: Record, to checked: ActivityDraft.Checked, by user: CurrentUser, on db: any Database)
        async throws
    {
        let totals = ActivityTotals.deltas(
            adding: [checked.contribution(organisationID: record.organisationId)],
            removing: [record.contribution].compactMap { $0 })
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                UPDATE activities SET campaign_id = \(bind: checked.campaignID), area_id = \(bind: checked.areaID),
                  type = \(bind: checked.type.slug), occurred_on = \(bind: checked.date.description), start_time = \(bind: checked.time),
                  location = \(bind: checked.location), quantity = \(bind: checked.quantity), details = \(bind: checked.detailsJSON),
                  visibility = \(bind: checked.visibility.rawValue)
                WHERE id = \(bind: record.id)
                """
            ).run()
            try await ActivityTotals.apply(totals, on: tx.sql)
            try await audit.record(
                "update", entity: "activity", id: String(record.id), before: Self.audited(record),
                after: Self.audited(checked), by: user, on: tx)
        }
    }

    func delete(_ record: Record, by user: CurrentUser, on db: any Database) async throws {
        let totals = ActivityTotals.deltas(adding: [], removing: [record.contribution].compactMap { $0 })
        try await db.transaction { tx in
            try await tx.sql.raw("DELETE FROM activities WHERE id = \(bind: record.id)").run()
            try await ActivityTotals.apply(totals, on: tx.sql)
            try await audit.record(
                "delete", entity: "activity", id: String(record.id), before: Self.audited(record),
                after: nil as String?, by: user, on: tx)
        }
    }

    private static func audited(_ r: Record) -> [String: String] {
        [
            "type": r.type, "date": r.occurredOn, "time": r.startTime ?? "", "area": r.areaSlug ?? "",
            "location": r.location,
            "campaign": r.campaignSlug ?? "", "quantity": HotspotExport.number(r.quantity), "details": r.details,
            "visibility": r.visibility,
        ]
    }

    private static func audited(_ c: ActivityDraft.Checked) -> [String: String] {
        [
            "type": c.type.slug, "date": c.date.description, "time": c.time ?? "",
            "area": c.areaID.map(String.init) ?? "",
            "location": c.location, "campaign": c.campaignID.map(String.init) ?? "",
            "quantity": HotspotExport.number(c.quantity),
            "details": c.detailsJSON, "visibility": c.visibility.rawValue,
        ]
    }

    // MARK: Totals, from the maintained sums

    struct Total: Decodable, Sendable {
        var label: String
        var records: Int
        var quantity: Double
        var highVisibilityHours: Double
        var visits: Int
    }

    enum Grouping: String, Sendable { case type, area, organisation, week }

    /// Sums of the records the user may see, grouped; of one campaign when given.
    func totals(
        by grouping: Grouping, for user: CurrentUser, campaignID: Int? = nil, areaID: Int? = nil, on db: any Database
    ) async throws -> [Total] {
        let (label, join): (SQLQueryString, SQLQueryString) =
            switch grouping {
            case .type: ("t.type", "")
            case .week: ("t.week", "")
            case .area: ("COALESCE(r.name, 'No named area')", "LEFT JOIN areas r ON r.id = t.area_id")
            case .organisation: ("o.name", "JOIN organisations o ON o.id = t.organisation_id")
            }
        let campaign: SQLQueryString = campaignID.map { "AND t.campaign_id = \(bind: $0)" } ?? ""
        let area: SQLQueryString = areaID.map { "AND t.area_id = \(bind: $0)" } ?? ""
        return try await db.sql.raw(
            """
            SELECT \(label) AS label, CAST(SUM(t.records) AS BIGINT) AS records, CAST(SUM(t.quantity) AS DOUBLE PRECISION) AS quantity,
              CAST(SUM(t.high_visibility_hours) AS DOUBLE PRECISION) AS high_visibility_hours, CAST(SUM(t.visits) AS BIGINT) AS visits
            FROM activity_totals t \(join) WHERE \(boundary(user, "t")) \(campaign) \(area) GROUP BY \(label) ORDER BY \(label)
            """
        ).rows(Total.self)
    }

    /// The public space protection orders the user may see in a campaign.
    func pspos(for user: CurrentUser, campaignID: Int, on db: any Database) async throws -> [Record] {
        try await db.sql.raw(
            """
            \(Self.recordColumns) WHERE a.type = 'pspo' AND a.campaign_id = \(bind: campaignID) AND \(boundary(user))
            """
        ).rows(Record.self)
    }
}
