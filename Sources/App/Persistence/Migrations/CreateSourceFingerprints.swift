import Fluent

/// Files already imported, by a fingerprint of their bytes, with the slices they wrote:
/// lets a byte-identical re-import skip its rows when none of those slices has changed.
struct CreateSourceFingerprints: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE source_fingerprints (fingerprint \(f.bigint) NOT NULL, byte_count \(f.bigint) NOT NULL,
                  kind TEXT NOT NULL, rows_read \(f.bigint) NOT NULL, rejected \(f.bigint) NOT NULL,
                  slice_ids TEXT NOT NULL, imported_at TEXT NOT NULL, PRIMARY KEY (fingerprint, byte_count))
                """
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE source_fingerprints"], on: database)
    }
}
