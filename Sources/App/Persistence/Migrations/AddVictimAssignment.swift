import Fluent

/// The case worker a case is assigned to (`assigned_to`, one of the holding organisation's
/// people, or none), so each case worker has a queue of their own.
struct AddVictimAssignment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                "ALTER TABLE victim_cases ADD COLUMN assigned_to \(f.bigint) REFERENCES users (id)",
                "CREATE INDEX victim_cases_assignee ON victim_cases (organisation_id, assigned_to, status, received_at)",
                // One case worker's queue, as `victim_cases_queue` is the service's.
                """
                CREATE INDEX victim_cases_assignee_queue ON victim_cases (organisation_id, assigned_to, first_contact_due)
                WHERE status = 'open' AND first_contact_at IS NULL
                """,
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP INDEX victim_cases_assignee_queue", "DROP INDEX victim_cases_assignee",
                "ALTER TABLE victim_cases DROP COLUMN assigned_to",
            ], on: database)
    }
}
