import Fluent

/// Maintained aggregate: incidents by (LSOA, month, category), updated in the same
/// transaction as the rows. `lsoa_code` is '' for crimes police.uk gives no location.
struct CreateCountsByLSOA: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE counts_by_lsoa (lsoa_code TEXT NOT NULL, month INTEGER NOT NULL,
                  category_id INTEGER NOT NULL, count \(f.bigint) NOT NULL, PRIMARY KEY (lsoa_code, month, category_id))
                """
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE counts_by_lsoa"], on: database)
    }
}
