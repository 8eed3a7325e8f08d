import Fluent

/// On PostgreSQL, makes the primary key of `counts_by_lsoa` carry `count` too
/// (`INCLUDE (count)`), so a ranking reads a force's LSOA counts from the index alone, in key
/// order, instead of visiting the table for every row. On the national benchmark database
/// (6.9 million rows) PostgreSQL otherwise chose to scan the whole table for one force's
/// 36-month ranking: 768 ms against 118 ms (BENCHMARKS.md, issue 19). The key is the same
/// three columns, so the importer's `ON CONFLICT` is unchanged. SQLite stores the table in
/// key order already (`WITHOUT ROWID`, ``ClusterCountTables``).
struct CoverCountsByLSOA: AsyncMigration, RewritesTables {
    func rewrittenTables(flavor: SQLFlavor) -> [String] { flavor == .postgres ? ["counts_by_lsoa"] : [] }

    func prepare(on database: any Database) async throws {
        guard SQLFlavor(database.sql) == .postgres else { return }
        try await execute(
            [
                """
                CREATE UNIQUE INDEX counts_by_lsoa_key ON counts_by_lsoa (lsoa_code, month, category_id) INCLUDE (count)
                """,
                """
                ALTER TABLE counts_by_lsoa DROP CONSTRAINT counts_by_lsoa_pkey,
                  ADD CONSTRAINT counts_by_lsoa_key PRIMARY KEY USING INDEX counts_by_lsoa_key
                """,
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        guard SQLFlavor(database.sql) == .postgres else { return }
        try await execute(
            [
                "ALTER TABLE counts_by_lsoa DROP CONSTRAINT counts_by_lsoa_key",
                "ALTER TABLE counts_by_lsoa ADD PRIMARY KEY (lsoa_code, month, category_id)",
            ], on: database)
    }
}
