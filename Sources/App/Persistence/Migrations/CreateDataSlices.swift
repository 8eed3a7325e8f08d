import Fluent

/// One police.uk force-month of one data set: the unit police.uk publishes and
/// republishes, and so the unit of idempotent re-import. `source_hash` is the
/// fingerprint of the file that last changed the slice (see `source_fingerprints`).
struct CreateDataSlices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE data_slices (id \(f.serialKey), kind TEXT NOT NULL, force_id TEXT NOT NULL REFERENCES forces (id),
                  month INTEGER NOT NULL, row_count \(f.bigint) NOT NULL DEFAULT 0,
                  source_hash \(f.bigint) NOT NULL DEFAULT 0, updated_at TEXT NOT NULL, UNIQUE (kind, force_id, month))
                """
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE data_slices"], on: database)
    }
}
