import Fluent

/// Server-side sessions. The cookie holds a random token; only its SHA-256 is stored, so a
/// copy of the database does not let anyone sign in. A session ends at `expires_at`
/// (absolute timeout), after `idle` without a request, or when `revoked_at` is set
/// (logout). `csrf_token` is the synchroniser token for the session's forms.
struct CreateSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user_id \(f.bigint) NOT NULL REFERENCES users (id),
                  csrf_token TEXT NOT NULL, created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL, expires_at TEXT NOT NULL,
                  revoked_at TEXT)
                """,
                "CREATE INDEX sessions_user ON sessions (user_id)",
                """
                CREATE TABLE login_failures (id \(f.serialKey), email TEXT NOT NULL, at TEXT NOT NULL)
                """,
                "CREATE INDEX login_failures_email ON login_failures (email, at)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE login_failures", "DROP TABLE sessions"], on: database)
    }
}
