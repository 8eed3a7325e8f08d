import Fluent
import SQLKit

/// Corrections to a victim's details (UK GDPR Article 16): each keeps the value before and
/// after, sealed like the details themselves, with the reason (sealed too: it may describe the
/// person) and who made it, so the case shows its history and a subject access export holds it.
struct CreateVictimRectifications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE victim_rectifications (id \(f.serialKey),
                  case_id \(f.bigint) NOT NULL REFERENCES victim_cases (id) ON DELETE CASCADE, field TEXT NOT NULL,
                  before_sealed TEXT NOT NULL, after_sealed TEXT NOT NULL, reason_sealed TEXT NOT NULL,
                  made_at TEXT NOT NULL, user_id \(f.bigint) REFERENCES users (id))
                """,
                "CREATE INDEX victim_rectifications_case ON victim_rectifications (case_id, id)",
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE victim_rectifications"], on: database)
    }
}
