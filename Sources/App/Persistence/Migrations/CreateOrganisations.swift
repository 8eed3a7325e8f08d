import Fluent

/// Partner organisations, each of one kind (see `OrganisationKind`), with a contact.
struct CreateOrganisations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE organisations (id \(f.serialKey), slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                  kind TEXT NOT NULL, contact_name TEXT NOT NULL DEFAULT '', contact_email TEXT NOT NULL DEFAULT '',
                  contact_phone TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)
                """
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE organisations"], on: database)
    }
}
