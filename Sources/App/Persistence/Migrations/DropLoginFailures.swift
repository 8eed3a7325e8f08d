import Fluent

/// Failed sign-ins are counted in `rate_limits` now; the old per-address table (typed
/// e-mail addresses, read by nothing) goes.
struct DropLoginFailures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await execute(["DROP TABLE IF EXISTS login_failures"], on: database)
    }
    func revert(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                "CREATE TABLE login_failures (id \(f.serialKey), email TEXT NOT NULL, at TEXT NOT NULL)",
                "CREATE INDEX login_failures_email ON login_failures (email, at)",
            ], on: database)
    }
}
