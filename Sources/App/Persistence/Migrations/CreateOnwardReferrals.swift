import Fluent

/// Onward referrals from a victim's case to a specialist service (an IDVA or ISVA service, a
/// children's service, restorative justice): the receiving organisation accepts or declines
/// with a reason, and sees that referral only, never the rest of the case.
struct CreateOnwardReferrals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE victim_onward_referrals (id \(f.serialKey),
                  case_id \(f.bigint) NOT NULL REFERENCES victim_cases (id) ON DELETE CASCADE,
                  to_organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id), service TEXT NOT NULL,
                  note_sealed TEXT NOT NULL DEFAULT '', referred_at TEXT NOT NULL,
                  referred_by \(f.bigint) REFERENCES users (id), status TEXT NOT NULL, decided_at TEXT,
                  decided_by \(f.bigint) REFERENCES users (id), decline_reason TEXT NOT NULL DEFAULT '')
                """,
                "CREATE INDEX victim_onward_referrals_case ON victim_onward_referrals (case_id)",
                "CREATE INDEX victim_onward_referrals_to ON victim_onward_referrals (to_organisation_id, status, referred_at)",
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE victim_onward_referrals"], on: database)
    }
}
