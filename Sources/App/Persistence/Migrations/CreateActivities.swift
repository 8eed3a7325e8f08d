import Fluent

/// The activity ledger: what each organisation did, where, when and how much.
struct CreateActivities: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE activities (id \(f.serialKey), organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id),
                  campaign_id \(f.bigint) REFERENCES campaigns (id), area_id \(f.bigint) REFERENCES areas (id), type TEXT NOT NULL,
                  occurred_on TEXT NOT NULL, start_time TEXT, location TEXT NOT NULL DEFAULT '', quantity \(f.double) NOT NULL,
                  details TEXT NOT NULL, visibility TEXT NOT NULL, created_by \(f.bigint) REFERENCES users (id), created_at TEXT NOT NULL)
                """,
                "CREATE INDEX activities_campaign ON activities (campaign_id, occurred_on)",
                "CREATE INDEX activities_organisation ON activities (organisation_id, occurred_on)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE activities"], on: database)
    }
}
