import Fluent

/// The ONS 2011 LSOA reference (loaded from the bundled file on first migrate).
struct CreateLSOAs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE lsoas (code TEXT PRIMARY KEY, name TEXT NOT NULL, msoa_code TEXT NOT NULL,
                  msoa_name TEXT NOT NULL, lad_code TEXT NOT NULL, lad_name TEXT NOT NULL, police_force TEXT NOT NULL,
                  easting \(f.double) NOT NULL, northing \(f.double) NOT NULL, population INTEGER NOT NULL,
                  households INTEGER NOT NULL, hectares \(f.double) NOT NULL)
                """,
                "CREATE INDEX lsoas_lad_code ON lsoas (lad_code)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE lsoas"], on: database)
    }
}
