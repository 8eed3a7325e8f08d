import Analytics
import Foundation
import CrimeData
import Fluent
import SQLKit

/// Small counts are not published: a count from 1 to `threshold − 1` is shown as "fewer
/// than N" on the public pages and left empty (and flagged) in the open data files, so
/// that no one can be picked out; zero is shown as zero.
struct Suppression: Sendable {
    var threshold: Int

    func hides(_ n: Int) -> Bool { n > 0 && n < threshold }
    func text(_ n: Int) -> String { hides(n) ? "fewer than \(threshold)" : Format.count(n) }
    func csv(_ n: Int) -> String { hides(n) ? "" : String(n) }
    /// NaN breaks a chart's line where a month is hidden.
    func chart(_ n: Int) -> Double { hides(n) ? .nan : Double(n) }
    var note: String {
        "Counts from 1 to \(threshold - 1) are not shown (“fewer than \(threshold)”, empty in files) so that no one can be identified."
    }
}

/// What the public pages read: monthly ASB and other crime for a force or an area (from
/// the maintained counts, never from incident rows), partners' public activity, and the
/// campaigns the OPCC has published.
struct OpenDataQueries: Sendable {
    struct Month: Sendable, Equatable {
        var month: Int
        var asb: Int
        var crime: Int
    }

    func forceSeries(_ forceID: String, on db: any Database) async throws -> [Month] {
        try await series(from: "counts_by_force t", where: "t.force_id = \(bind: forceID)", on: db)
    }

    /// A boundary area's counts by point in polygon (kept in `area_counts`); an LSOA-set
    /// area's from its LSOAs' counts.
    func areaSeries(_ area: AreaRecord, on db: any Database) async throws -> [Month] {
        if area.kind.hasBoundary {
            return try await series(from: "area_counts t", where: "t.area_id = \(bind: area.id)", on: db)
        }
        return try await series(
            from: "counts_by_lsoa t JOIN area_lsoas l ON l.lsoa_code = t.lsoa_code",
            where: "l.area_id = \(bind: area.id)", on: db)
    }

    /// Monthly ASB and other crime from one of the maintained count tables (aliased `t`).
    private func series(from table: SQLQueryString, where condition: SQLQueryString, on db: any Database) async throws
        -> [Month]
    {
        struct Row: Decodable { var month: Int; var asb: Int; var n: Int }
        let isASB: SQLQueryString = "CASE WHEN c.slug = 'anti-social-behaviour' THEN 1 ELSE 0 END"
        let query: SQLQueryString = """
            SELECT t.month, \(isASB) AS asb, CAST(SUM(t.count) AS BIGINT) AS n
            FROM \(table) JOIN crime_categories c ON c.id = t.category_id WHERE \(condition)
            GROUP BY t.month, \(isASB)
            """
        var byMonth: [Int: Month] = [:]
        for r in try await db.sql.raw(query).rows(Row.self) {
            var m = byMonth[r.month] ?? Month(month: r.month, asb: 0, crime: 0)
            if r.asb == 1 { m.asb += r.n } else { m.crime += r.n }
            byMonth[r.month] = m
        }
        guard let first = byMonth.keys.min(), let last = byMonth.keys.max() else { return [] }
        // Every month of the span, a month without incidents as zero.
        return MonthPeriod(first: first, last: last).months.map { byMonth[$0] ?? Month(month: $0, asb: 0, crime: 0) }
    }

    struct Activity: Decodable, Sendable {
        var area: String?
        var type: String
        var records: Int
        var quantity: Double
    }

    /// Partners' public records only, totalled by area and type (never a record's place
    /// or time): for one area, or one campaign.
    func publicActivity(areaID: Int? = nil, campaignID: Int? = nil, on db: any Database) async throws -> [Activity] {
        var query = SQLQueryString(
            """
            SELECT r.name AS area, t.type, CAST(SUM(t.records) AS BIGINT) AS records, CAST(SUM(t.quantity) AS DOUBLE PRECISION) AS quantity
            FROM activity_totals t LEFT JOIN areas r ON r.id = t.area_id WHERE\u{20}
            """)
        query.appendInterpolation(ActivityViewer.anyone.condition("t"))
        if let areaID {
            query.appendInterpolation(unsafeRaw: " AND t.area_id = "); query.appendInterpolation(bind: areaID)
        }
        if let campaignID {
            query.appendInterpolation(unsafeRaw: " AND t.campaign_id = "); query.appendInterpolation(bind: campaignID)
        }
        query.appendInterpolation(unsafeRaw: " GROUP BY r.name, t.type ORDER BY r.name, t.type")
        return try await db.sql.raw(query).rows(Activity.self)
    }

    func forcesWithData(on db: any Database) async throws -> [String] {
        try await db.sql.raw("SELECT DISTINCT force_id FROM counts_by_force ORDER BY force_id").all(
            decodingColumn: "force_id", as: String.self)
    }
}

/// Which campaigns the OPCC has published (their public page and result).
struct PublicationStore: Sendable {
    let audit: AuditLog

    func isPublished(_ campaignID: Int, on db: any Database) async throws -> Bool {
        try await db.sql.raw("SELECT published_at FROM campaign_publications WHERE campaign_id = \(bind: campaignID)")
            .first(decodingColumn: "published_at", as: String.self) != nil
    }

    func published(on db: any Database) async throws -> [CampaignStore.Campaign] {
        try await db.sql.raw(
            """
            SELECT c.id, c.slug, c.name, c.description, c.starts_on, c.ends_on FROM campaigns c
            JOIN campaign_publications p ON p.campaign_id = c.id ORDER BY c.starts_on DESC
            """
        ).rows(CampaignStore.Campaign.self)
    }

    func set(_ campaign: CampaignStore.Campaign, published: Bool, by user: CurrentUser?, on db: any Database)
        async throws
    {
        let was = try await isPublished(campaign.id, on: db)
        guard was != published else { return }
        try await db.transaction { tx in
            if published {
                try await tx.sql.raw(
                    """
                    INSERT INTO campaign_publications (campaign_id, published_at, published_by)
                    VALUES (\(bind: campaign.id), \(bind: Date().stored), \(bind: user?.id))
                    """
                ).run()
            } else {
                try await tx.sql.raw("DELETE FROM campaign_publications WHERE campaign_id = \(bind: campaign.id)").run()
            }
            try await audit.record(
                published ? "publish" : "unpublish", entity: "campaign", id: String(campaign.id),
                before: ["published": was], after: ["published": published], by: user, on: tx)
        }
    }
}
