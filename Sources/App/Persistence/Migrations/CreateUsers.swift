import Fluent

/// People who sign in. Each belongs to one organisation and has one role. `email` is
/// stored lower-case; `password_hash` is bcrypt.
struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE users (id \(f.serialKey), organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id),
                  email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
                  created_at TEXT NOT NULL, disabled_at TEXT)
                """
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE users"], on: database)
    }
}
