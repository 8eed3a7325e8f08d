import Fluent

/// Street-level crimes and ASB incidents. `row_key` identifies a row within its slice
/// across imports; `content_hash` tells whether it changed. `crime_id` holds the 32
/// bytes of the 64-hex police.uk Crime ID (NULL for ASB).
///
/// One index only: (slice_id, row_key). New rows of a slice land at its right-hand end,
/// so the import never inserts at random across the whole table. A crime's `row_key` is a
/// hash of its Crime ID, so the same index finds a crime by persistent id (one probe
/// per slice) without a second, randomly-inserted index on `crime_id`.
///
/// No foreign keys on this table, nor on `outcomes` and `stop_searches`: checked per row
/// they made PostgreSQL's COPY about five times slower. The importer creates every
/// slice and category in the same transaction before any row refers to it.
struct CreateIncidents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE incidents (id \(f.serialKey), slice_id \(f.bigint) NOT NULL,
                  row_key \(f.bigint) NOT NULL, content_hash \(f.bigint) NOT NULL, crime_id \(f.blob), month INTEGER NOT NULL,
                  category_id INTEGER NOT NULL, longitude \(f.double), latitude \(f.double),
                  easting \(f.double), northing \(f.double), location TEXT NOT NULL, lsoa_code TEXT NOT NULL,
                  last_outcome TEXT NOT NULL, context TEXT NOT NULL, reported_by TEXT)
                """,
                "CREATE UNIQUE INDEX incidents_slice_key ON incidents (slice_id, row_key)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE incidents"], on: database)
    }
}
