import Fluent

/// Maintained aggregate: incidents by (LSOA, calendar year, category), the monthly LSOA
/// counts summed by year, kept by the importer in the same transaction as the rows. A
/// ranking over whole calendar years reads one row per LSOA, year and category instead of
/// twelve: a force's 36-month ranking, with its previous 36 months and the 36 months a year
/// earlier, read 277,767 monthly rows for West Yorkshire (BENCHMARKS.md, issue 19). Months
/// of a period outside its whole years are still read month by month
/// (``AnalysisQueries/placeCounts(_:on:)``).
///
/// Keyed by LSOA, then category, then year, so a ranking's sums by LSOA and category come
/// out of the key in order, with no sort. On PostgreSQL the key does not carry `count` and
/// each page keeps half its room free, so the importer's updates of existing keys are HOT
/// (no new index entry): with `count` in the key the national import took 382.5 s instead of
/// 311.7 s, for 13 ms more per ranking reading the table's pages (BENCHMARKS.md, issue 19).
///
/// Filled from `counts_by_lsoa` here, so a database imported before it existed is ranked
/// the same way; that reads the whole LSOA table once (announced when it is large).
struct CreateCountsByLSOAYear: AsyncMigration, RewritesTables {
    func rewrittenTables(flavor: SQLFlavor) -> [String] { ["counts_by_lsoa"] }

    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE counts_by_lsoa_year (lsoa_code TEXT NOT NULL, category_id INTEGER NOT NULL,
                  year INTEGER NOT NULL, count \(f.bigint) NOT NULL,
                  PRIMARY KEY (lsoa_code, category_id, year))\(f == .sqlite ? " WITHOUT ROWID" : " WITH (fillfactor = 50)")
                """,
                """
                INSERT INTO counts_by_lsoa_year (lsoa_code, category_id, year, count)
                SELECT lsoa_code, category_id, month / 100, SUM(count) FROM counts_by_lsoa
                GROUP BY lsoa_code, category_id, month / 100
                """,
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE counts_by_lsoa_year"], on: database)
    }
}
