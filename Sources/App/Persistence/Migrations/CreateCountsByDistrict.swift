import Fluent

/// Maintained aggregate: incidents by (local authority district, month, category), the
/// LSOA counts summed by the district each LSOA lies in, kept by the importer in the same
/// transaction as the rows. A ranking of local authorities, above all the national one
/// (331 districts), reads this instead of every LSOA's counts: 6.9 million rows for 44
/// forces over 36 months.
///
/// Filled from `counts_by_lsoa` here, so a database imported before it existed is ranked
/// the same way; that reads the whole LSOA table once (announced when it is large).
struct CreateCountsByDistrict: AsyncMigration, RewritesTables {
    func rewrittenTables(flavor: SQLFlavor) -> [String] { ["counts_by_lsoa"] }

    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE counts_by_district (lad_code TEXT NOT NULL, month INTEGER NOT NULL,
                  category_id INTEGER NOT NULL, count \(f.bigint) NOT NULL,
                  PRIMARY KEY (lad_code, month, category_id))\(f == .sqlite ? " WITHOUT ROWID" : "")
                """,
                """
                INSERT INTO counts_by_district (lad_code, month, category_id, count)
                SELECT l.lad_code, c.month, c.category_id, SUM(c.count) FROM counts_by_lsoa c
                JOIN lsoas l ON l.code = c.lsoa_code GROUP BY l.lad_code, c.month, c.category_id
                """,
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE counts_by_district"], on: database)
    }
}
