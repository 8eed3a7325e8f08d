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
        ).rows(ReturnRow.self)
    }

    struct Delivered: Sendable {
        var byArea: [(areaID: Int, type: String, records: Int, quantity: Double)]
        var byOrganisation: [(name: String, records: Int)]
    }

    /// What was delivered, by area and type and by organisation.
    func delivered(campaignID: Int, viewer: ActivityViewer, on db: any Database) async throws -> Delivered {
        struct Row: Decodable { var areaId: Int; var type: String; var records: Int; var quantity: Double }
        let rows = try await db.sql.raw(
            """
            SELECT area_id, type, CAST(SUM(records) AS BIGINT) AS records, CAST(SUM(quantity) AS DOUBLE PRECISION) AS quantity
            FROM activity_totals t WHERE campaign_id = \(bind: campaignID) AND \(viewer.condition("t")) GROUP BY area_id, type ORDER BY type
            """
        ).rows(Row.self)
        struct Org: Decodable { var name: String; var records: Int }
        let orgs = try await db.sql.raw(
            """
            SELECT o.name, CAST(SUM(t.records) AS BIGINT) AS records FROM activity_totals t JOIN organisations o ON o.id = t.organisation_id
            WHERE t.campaign_id = \(bind: campaignID) AND \(viewer.condition("t")) GROUP BY o.name ORDER BY o.name
            """
        ).rows(Org.self)
        return Delivered(
            byArea: rows.map { ($0.areaId, $0.type, $0.records, $0.quantity) },
            byOrganisation: orgs.map { ($0.name, $0.records) })
    }

    /// What was delivered in the campaign, as `viewer` may see it: totals by area, type and
    /// organisation, and how many plan actions are done.
    func delivery(
        _ c: CampaignStore.Campaign, campaigns: CampaignStore, viewer: ActivityViewer, on db: any Database
    ) async throws -> ReportPage.Delivery {
        let delivered = try await delivered(campaignID: c.id, viewer: viewer, on: db)
        var byArea: [Int: [(type: String, records: Int, quantity: Double)]] = [:]
        var byType: [String: (records: Int, quantity: Double)] = [:]
        for r in delivered.byArea {
            byArea[r.areaID, default: []].append((r.type, r.records, r.quantity))
            byType[r.type, default: (0, 0)].records += r.records
            byType[r.type, default: (0, 0)].quantity += r.quantity
        }
        let actions = try await campaigns.actions(of: c, on: db)
        return ReportPage.Delivery(
            byArea: byArea,
            byType: byType.sorted { $0.key < $1.key }.map { ($0.key, $0.value.records, $0.value.quantity) },
            byOrganisation: delivered.byOrganisation,
            actionsDone: actions.filter { $0.action.status == .done }.count,
            actions: actions.count)
    }
}
