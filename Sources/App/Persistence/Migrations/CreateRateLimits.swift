import Fluent

/// Counters for rate limits (sign-in by address, by account and address, by account; API
/// tokens; share links; password checks), kept in the database so every instance of the
/// app shares them and each check is one atomic statement.
struct CreateRateLimits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await execute(
            [
                """
                CREATE TABLE rate_limits (scope TEXT NOT NULL, key TEXT NOT NULL, window_start TEXT NOT NULL,
                  hits INTEGER NOT NULL, last_at TEXT NOT NULL, PRIMARY KEY (scope, key))
                """,
                "CREATE INDEX rate_limits_window ON rate_limits (window_start)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE rate_limits"], on: database)
    }
}
