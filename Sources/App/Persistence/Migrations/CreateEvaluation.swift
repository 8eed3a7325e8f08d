import Fluent
import SQLKit

/// Evaluation of a campaign's areas: each area's design (buffer width, chosen comparison
/// LSOAs), the buffer counts kept until the data or the design changes, and the revocable
/// read-only links to the report.
struct CreateEvaluation: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE evaluation_settings (campaign_id \(f.bigint) NOT NULL REFERENCES campaigns (id),
                  area_id \(f.bigint) NOT NULL REFERENCES areas (id) ON DELETE CASCADE, buffer_metres \(f.double) NOT NULL,
                  comparison TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by \(f.bigint),
                  PRIMARY KEY (campaign_id, area_id))
                """,
                """
                CREATE TABLE evaluation_buffers (campaign_id \(f.bigint) NOT NULL, area_id \(f.bigint) NOT NULL,
                  signature TEXT NOT NULL, PRIMARY KEY (campaign_id, area_id))
                """,
                """
                CREATE TABLE evaluation_buffer_counts (campaign_id \(f.bigint) NOT NULL, area_id \(f.bigint) NOT NULL,
                  month INTEGER NOT NULL, category_id INTEGER NOT NULL, count \(f.bigint) NOT NULL,
                  PRIMARY KEY (campaign_id, area_id, month, category_id))
                """,
                """
                CREATE TABLE report_links (id \(f.serialKey), campaign_id \(f.bigint) NOT NULL REFERENCES campaigns (id),
                  token_hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL, created_at TEXT NOT NULL, created_by \(f.bigint),
                  revoked_at TEXT)
                """,
                "CREATE INDEX report_links_campaign ON report_links (campaign_id)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP TABLE report_links", "DROP TABLE evaluation_buffer_counts", "DROP TABLE evaluation_buffers",
                "DROP TABLE evaluation_settings",
            ], on: database)
    }
}
