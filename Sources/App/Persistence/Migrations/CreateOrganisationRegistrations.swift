import Fluent

/// Organisations that register to apply for grants: held here, with no account, until OPCC
/// staff approve them (the organisation and its first administrator are then created, the
/// password hash moved to the account and cleared here) or decline them with a reason.
struct CreateOrganisationRegistrations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE organisation_registrations (id \(f.serialKey), organisation_name TEXT NOT NULL,
                  kind TEXT NOT NULL, org_identifier TEXT NOT NULL DEFAULT '', about TEXT NOT NULL DEFAULT '',
                  contact_name TEXT NOT NULL, email TEXT NOT NULL, password_hash TEXT NOT NULL DEFAULT '',
                  status TEXT NOT NULL, created_at TEXT NOT NULL, decided_at TEXT,
                  decided_by \(f.bigint) REFERENCES users (id), decision_note TEXT NOT NULL DEFAULT '',
                  organisation_id \(f.bigint) REFERENCES organisations (id))
                """,
                "CREATE INDEX organisation_registrations_status ON organisation_registrations (status, id)",
                "CREATE INDEX organisation_registrations_email ON organisation_registrations (email)",
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE organisation_registrations"], on: database)
    }
}
