import Fluent

/// Outcome history: every outcome police.uk reported for a crime, with its month.
struct CreateOutcomes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE outcomes (id \(f.serialKey), slice_id \(f.bigint) NOT NULL,
                  row_key \(f.bigint) NOT NULL, content_hash \(f.bigint) NOT NULL, crime_id \(f.blob) NOT NULL,
                  month INTEGER NOT NULL, outcome TEXT NOT NULL, longitude \(f.double), latitude \(f.double),
                  lsoa_code TEXT NOT NULL)
                """,
                "CREATE UNIQUE INDEX outcomes_slice_key ON outcomes (slice_id, row_key)",
                "CREATE INDEX outcomes_crime_id ON outcomes (crime_id, month)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE outcomes"], on: database)
    }
}
