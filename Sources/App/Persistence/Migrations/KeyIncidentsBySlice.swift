import Fluent

/// On PostgreSQL, makes `(slice_id, row_key)` the primary key of `incidents` in place of
/// `id`, whose own index the import kept up to date for every row and nothing reads:
/// `id` stays, filled from its sequence, as the crime id the police.uk API answers with, and
/// the import changes a stored row through its slice and key. Dropping the index took a
/// quarter off PostgreSQL's side of a 5,000,000-row COPY (15.2 s → 11.5 s, BENCHMARKS.md,
/// issue 19). Nothing is rewritten: the unique index exists and becomes the key. SQLite's
/// `id` is the rowid, which costs no index; it is left as it is.
struct KeyIncidentsBySlice: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard SQLFlavor(database.sql) == .postgres else { return }
        try await execute(
            [
                """
                ALTER TABLE incidents DROP CONSTRAINT incidents_pkey,
                  ADD CONSTRAINT incidents_slice_key PRIMARY KEY USING INDEX incidents_slice_key
                """
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        guard SQLFlavor(database.sql) == .postgres else { return }
        try await execute(
            [
                "ALTER TABLE incidents DROP CONSTRAINT incidents_slice_key",
                "CREATE UNIQUE INDEX incidents_slice_key ON incidents (slice_id, row_key)",
                "ALTER TABLE incidents ADD PRIMARY KEY (id)",
            ], on: database)
    }
}
