import Fluent

/// The compliance report for one quarter reads the cases reported, received or with an event
/// in it: by these three indexes instead of every case.
struct AddVictimReportIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await execute(
            [
                "CREATE INDEX victim_cases_reported ON victim_cases (reported_on)",
                "CREATE INDEX victim_cases_received ON victim_cases (received_at)",
                "CREATE INDEX victim_case_events_occurred ON victim_case_events (occurred_at)",
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP INDEX victim_case_events_occurred", "DROP INDEX victim_cases_received",
                "DROP INDEX victim_cases_reported",
            ], on: database)
    }
}
