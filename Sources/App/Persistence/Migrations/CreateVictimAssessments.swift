import Fluent

/// Needs assessments (every version kept: a re-assessment adds one), each with its needs by
/// area and level, a recorded risk level (DASH-style for domestic abuse: recorded, never
/// computed) and the support plan (sealed); and, on the case, how it closed: the Ministry of
/// Justice "cope and recover" outcomes and the victim's answer to the closing question.
struct CreateVictimAssessments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE victim_assessments (id \(f.serialKey),
                  case_id \(f.bigint) NOT NULL REFERENCES victim_cases (id) ON DELETE CASCADE, version INTEGER NOT NULL,
                  assessed_at TEXT NOT NULL, needs TEXT NOT NULL, risk TEXT NOT NULL DEFAULT '',
                  plan_sealed TEXT NOT NULL DEFAULT '', user_id \(f.bigint) REFERENCES users (id),
                  UNIQUE (case_id, version))
                """,
                "ALTER TABLE victim_cases ADD COLUMN outcomes TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE victim_cases ADD COLUMN feedback INTEGER",
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP TABLE victim_assessments", "ALTER TABLE victim_cases DROP COLUMN outcomes",
                "ALTER TABLE victim_cases DROP COLUMN feedback",
            ], on: database)
    }
}
