import Fluent
import SQLKit

/// How long victims' records are kept, and what is left when they go.
///
/// `victim_retention_rules`: the schedule, one row per kind of record (months after the
/// case closed), editable by the victim service's admins. `victim_erasures`: the erasure log,
/// one row per case erased (when, why, under which rule, how many records went, by whom or by
/// the daily job), append-only like the read log and naming no one. `victim_erased_tallies`
/// and `victim_erased_counts`: what an erased case still adds to the aggregates (its clocks
/// by quarter and right; the case by month, crime type, local authority, age band), so the
/// compliance report and the counts stay the same after erasure.
struct CreateVictimRetention: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        var statements = [
            """
            CREATE TABLE victim_retention_rules (record_type TEXT PRIMARY KEY, months INTEGER NOT NULL,
              basis TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by \(f.bigint) REFERENCES users (id))
            """,
            """
            INSERT INTO victim_retention_rules (record_type, months, basis, updated_at) VALUES
              ('closed-case', 72, 'Six years after the case closed (the limitation period for a civil claim)', '2026-01-01T00:00:00Z'),
              ('closed-without-support', 24, 'Two years after closing, for cases closed because the victim declined support or could not be reached', '2026-01-01T00:00:00Z')
            """,
            """
            CREATE TABLE victim_erasures (id \(f.serialKey), case_id \(f.bigint) NOT NULL,
              holder_id \(f.bigint) NOT NULL, erased_at TEXT NOT NULL, reason TEXT NOT NULL, rule TEXT NOT NULL DEFAULT '',
              records INTEGER NOT NULL, user_id \(f.bigint), user_name TEXT NOT NULL)
            """,
            "CREATE INDEX victim_erasures_holder ON victim_erasures (holder_id, id)",
            """
            CREATE TABLE victim_erased_tallies (organisation_id \(f.bigint) NOT NULL, quarter TEXT NOT NULL,
              rule_id \(f.bigint) NOT NULL REFERENCES victim_code_rules (id), crime_type TEXT NOT NULL,
              enhanced INTEGER NOT NULL, met INTEGER NOT NULL, missed INTEGER NOT NULL, overdue INTEGER NOT NULL,
              PRIMARY KEY (organisation_id, quarter, rule_id, crime_type, enhanced))
            """,
            """
            CREATE TABLE victim_erased_counts (organisation_id \(f.bigint) NOT NULL, month TEXT NOT NULL,
              crime_type TEXT NOT NULL, local_authority TEXT NOT NULL, age_band TEXT NOT NULL, enhanced INTEGER NOT NULL,
              source TEXT NOT NULL, cases INTEGER NOT NULL,
              PRIMARY KEY (organisation_id, month, crime_type, local_authority, age_band, enhanced, source))
            """,
        ]
        statements += f.appendOnly("victim_erasures", message: "the erasure log is append-only")
        try await execute(statements, on: database)
    }

    func revert(on database: any Database) async throws {
        let statements = [
            "DROP TABLE victim_erased_counts", "DROP TABLE victim_erased_tallies", "DROP TABLE victim_erasures",
            "DROP TABLE victim_retention_rules",
        ]
        try await execute(statements + SQLFlavor(database.sql).dropAppendOnly("victim_erasures"), on: database)
    }
}
