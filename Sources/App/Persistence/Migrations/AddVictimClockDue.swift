import Fluent
import SQLKit

/// When each running Victims' Code clock falls due, stored (`victim_cases.first_contact_due`,
/// `victim_case_events.due_on`, by the rules in force when the clock started and the working
/// days) with when first contact was made (`first_contact_at`), so the case worker's queue
/// reads only the clocks due by tomorrow instead of judging every open case on every visit.
/// `VictimStore.recomputeClocks` keeps them; it runs for the cases already held in
/// `CreateVictimClockResults` (it reads columns added after this one).
struct AddVictimClockDue: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await execute(
            [
                "ALTER TABLE victim_cases ADD COLUMN first_contact_at TEXT",
                "ALTER TABLE victim_cases ADD COLUMN first_contact_due TEXT",
                "ALTER TABLE victim_case_events ADD COLUMN due_on TEXT",
                """
                CREATE INDEX victim_cases_queue ON victim_cases (organisation_id, first_contact_due)
                WHERE status = 'open' AND first_contact_at IS NULL
                """,
                """
                CREATE INDEX victim_case_events_due ON victim_case_events (due_on)
                WHERE informed_at IS NULL AND not_applicable = ''
                """,
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP INDEX victim_case_events_due", "DROP INDEX victim_cases_queue",
                "ALTER TABLE victim_case_events DROP COLUMN due_on",
                "ALTER TABLE victim_cases DROP COLUMN first_contact_due",
                "ALTER TABLE victim_cases DROP COLUMN first_contact_at",
            ], on: database)
    }
}
