import Fluent

/// Restorative justice journeys, held by the RJ service they were referred to: from the
/// victim side (an accepted onward referral from a victim's case, `case_id` and `onward_id`
/// set, erased with the case) or the offender side (referred by probation, a prison, …,
/// with no case). `rj_steps` records each stage with its date and result (notes sealed);
/// `parties_sealed` is what the service holds to reach the parties, sealed like every free
/// text about a person. Offender-side journeys follow their own retention line.
struct CreateRestorativeJourneys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE rj_journeys (id \(f.serialKey),
                  organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id),
                  case_id \(f.bigint) REFERENCES victim_cases (id),
                  onward_id \(f.bigint) REFERENCES victim_onward_referrals (id),
                  side TEXT NOT NULL, referrer TEXT NOT NULL, crime_type TEXT NOT NULL,
                  crime_reference TEXT NOT NULL DEFAULT '', referred_on TEXT NOT NULL,
                  parties_sealed TEXT NOT NULL DEFAULT '', stage TEXT NOT NULL DEFAULT '',
                  status TEXT NOT NULL, closed_on TEXT, closure_reason TEXT NOT NULL DEFAULT '',
                  created_by \(f.bigint) REFERENCES users (id), updated_at TEXT NOT NULL)
                """,
                "CREATE INDEX rj_journeys_holder ON rj_journeys (organisation_id, status, referred_on)",
                "CREATE INDEX rj_journeys_case ON rj_journeys (case_id)",
                "CREATE UNIQUE INDEX rj_journeys_onward ON rj_journeys (onward_id) WHERE onward_id IS NOT NULL",
                """
                CREATE TABLE rj_steps (id \(f.serialKey),
                  journey_id \(f.bigint) NOT NULL REFERENCES rj_journeys (id), step TEXT NOT NULL,
                  occurred_on TEXT NOT NULL, result TEXT NOT NULL, note_sealed TEXT NOT NULL DEFAULT '',
                  recorded_by \(f.bigint) REFERENCES users (id), recorded_at TEXT NOT NULL)
                """,
                "CREATE INDEX rj_steps_journey ON rj_steps (journey_id, id)",
                """
                INSERT INTO victim_retention_rules (record_type, months, basis, updated_at) VALUES
                  ('closed-rj-journey', 72, 'Six years after an offender-side restorative justice journey closed (victim-side journeys go with the victim''s case)', '2026-01-01T00:00:00Z')
                """,
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DELETE FROM victim_retention_rules WHERE record_type = 'closed-rj-journey'", "DROP TABLE rj_steps",
                "DROP TABLE rj_journeys",
            ], on: database)
    }
}
