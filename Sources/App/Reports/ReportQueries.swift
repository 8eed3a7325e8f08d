import Fluent
import SQLKit

/// What the campaign report reads of partners' activity: totals only, each bounded by the
/// one visibility rule (`ActivityViewer`).
struct ReportQueries: Sendable {
    struct ReturnRow: Decodable, Sendable {
        var area: String
        var type: String
        var records: Int
        var quantity: Double
    }

    /// The Home Office style return: records and quantity by area and activity type.
    func returnRows(campaignID: Int, viewer: ActivityViewer, on db: any Database) async throws -> [ReturnRow] {
        try await db.sql.raw(
            """
            SELECT COALESCE(r.name, 'No named area') AS area, t.type, CAST(SUM(t.records) AS BIGINT) AS records,
              CAST(SUM(t.quantity) AS DOUBLE PRECISION) AS quantity
            FROM activity_totals t LEFT JOIN areas r ON r.id = t.area_id
            WHERE t.campaign_id = \(bind: campaignID) AND \(viewer.condition("t"))
            GROUP BY COALESCE(r.name, 'No named area'), t.type ORDER BY 1, 2
            """
        ).all(decoding: ReturnRow.self)
    }

    struct Delivered: Sendable {
        var byArea: [(areaID: Int, type: String, records: Int, quantity: Double)]
        var byOrganisation: [(name: String, records: Int)]
    }

    /// What was delivered, by area and type and by organisation.
    func delivered(campaignID: Int, viewer: ActivityViewer, on db: any Database) async throws -> Delivered {
        struct Row: Decodable { var area_id: Int; var type: String; var records: Int; var quantity: Double }
        let rows = try await db.sql.raw(
            """
            SELECT area_id, type, CAST(SUM(records) AS BIGINT) AS records, CAST(SUM(quantity) AS DOUBLE PRECISION) AS quantity
            FROM activity_totals t WHERE campaign_id = \(bind: campaignID) AND \(viewer.condition("t")) GROUP BY area_id, type ORDER BY type
            """
        ).all(decoding: Row.self)
        struct Org: Decodable { var name: String; var records: Int }
        let orgs = try await db.sql.raw(
            """
            SELECT o.name, CAST(SUM(t.records) AS BIGINT) AS records FROM activity_totals t JOIN organisations o ON o.id = t.organisation_id
            WHERE t.campaign_id = \(bind: campaignID) AND \(viewer.condition("t")) GROUP BY o.name ORDER BY o.name
            """
        ).all(decoding: Org.self)
        return Delivered(
            byArea: rows.map { ($0.area_id, $0.type, $0.records, $0.quantity) },
            byOrganisation: orgs.map { ($0.name, $0.records) })
    }
}
