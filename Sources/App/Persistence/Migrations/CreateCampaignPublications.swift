import Fluent
import SQLKit

/// A campaign the OPCC has published: its public page shows the evaluation's result.
/// Unpublishing deletes the row (and is audited like publishing).
struct CreateCampaignPublications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE campaign_publications (campaign_id \(f.bigint) PRIMARY KEY REFERENCES campaigns (id),
                  published_at TEXT NOT NULL, published_by \(f.bigint) REFERENCES users (id))
                """
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE campaign_publications"], on: database)
    }
}
