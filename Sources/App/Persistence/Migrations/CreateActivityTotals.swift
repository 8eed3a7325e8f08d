import Fluent
import SQLKit

/// The table of maintained activity sums, filled from any records already stored.
struct CreateActivityTotals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE activity_totals (campaign_id \(f.bigint) NOT NULL, organisation_id \(f.bigint) NOT NULL,
                  area_id \(f.bigint) NOT NULL, type TEXT NOT NULL, visibility TEXT NOT NULL, week TEXT NOT NULL,
                  records \(f.bigint) NOT NULL, quantity \(f.double) NOT NULL, high_visibility_hours \(f.double) NOT NULL,
                  visits \(f.bigint) NOT NULL,
                  PRIMARY KEY (campaign_id, organisation_id, area_id, type, visibility, week))\(f == .sqlite ? " WITHOUT ROWID" : "")
                """,
                // The latest records, newest first, without sorting the ledger; PSPOs by campaign.
                "CREATE INDEX activities_recent ON activities (occurred_on, id)",
                "CREATE INDEX activities_type ON activities (type, campaign_id)",
            ], on: database)
        try await ActivityTotals.rebuild(on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(
            ["DROP INDEX activities_type", "DROP INDEX activities_recent", "DROP TABLE activity_totals"], on: database)
    }
}
