import Fluent
import SQLKit

/// API tokens: one organisation's key for its own systems. Only the SHA-256 of a token is
/// stored; `prefix` (its first characters) lets people tell their tokens apart.
struct CreateAPITokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE api_tokens (id \(f.serialKey), organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id),
                  name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
                  created_by \(f.bigint) REFERENCES users (id), created_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT)
                """,
                "CREATE INDEX api_tokens_organisation ON api_tokens (organisation_id)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE api_tokens"], on: database)
    }
}
