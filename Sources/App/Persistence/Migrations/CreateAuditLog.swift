import Fluent

/// Every change: who, when, what, and the record before and after (JSON).
struct CreateAuditLog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE audit_log (id \(f.serialKey), at TEXT NOT NULL, user_id \(f.bigint), organisation_id \(f.bigint),
                  action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, before TEXT, after TEXT)
                """,
                "CREATE INDEX audit_log_at ON audit_log (at)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE audit_log"], on: database)
    }
}
