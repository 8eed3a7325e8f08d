import Fluent

/// Every clock's result, stored (`victim_clocks`: the case, the rule version, the event if
/// any, the UK quarter it started in, its due day, and met, missed, running or
/// not-applicable), so the compliance report for a quarter is one grouped query rather than
/// every case's clocks judged on each visit; and a first-contact clock marked not applicable
/// (`victim_cases.first_contact_na`, a `Victims.NotApplicable` code; an event's clock has had
/// its column since `CreateVictimClocks`); with a fingerprint of each case's stored clocks
/// (`clocks_hash`) so working them out again writes only the cases that changed. `VictimStore.recomputeClocks` keeps both, and runs
/// here for the cases already held: it reads the columns this adds, so it runs in the last
/// migration that changes what it reads (it was in `AddVictimClockDue` before).
struct CreateVictimClockResults: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                "ALTER TABLE victim_cases ADD COLUMN first_contact_na TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE victim_cases ADD COLUMN clocks_hash TEXT NOT NULL DEFAULT ''",
                """
                CREATE TABLE victim_clocks (case_id \(f.bigint) NOT NULL REFERENCES victim_cases (id) ON DELETE CASCADE,
                  rule_id \(f.bigint) NOT NULL REFERENCES victim_code_rules (id), event_id \(f.bigint),
                  quarter TEXT NOT NULL, due_on TEXT NOT NULL, state TEXT NOT NULL)
                """,
                "CREATE INDEX victim_clocks_case ON victim_clocks (case_id)",
                "CREATE INDEX victim_clocks_quarter ON victim_clocks (quarter)",
                // First contact found from the index alone (the table's rows hold sealed notes).
                "CREATE INDEX victim_contacts_first ON victim_contacts (case_id, outcome, contacted_at)",
            ], on: database)
        try await VictimStore(cipher: nil, audit: AuditLog()).recomputeClocks(on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP INDEX victim_contacts_first", "DROP TABLE victim_clocks",
                "ALTER TABLE victim_cases DROP COLUMN clocks_hash",
                "ALTER TABLE victim_cases DROP COLUMN first_contact_na",
            ], on: database)
    }
}
