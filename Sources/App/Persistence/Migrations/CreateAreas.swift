import Fluent

/// Named areas. A boundary area (`radius` or `polygon`) has a WGS84 GeoJSON MultiPolygon
/// and collects incidents by point in polygon; its counts live in `area_counts`,
/// recomputed when the data has changed since `counts_version` (the id of the last
/// import). An LSOA-set area (`lsoas`, `msoa`, `local-authority`) has no outline and
/// collects incidents by their police.uk LSOA code. `area_lsoas` lists the LSOAs whose
/// population an area's rates use: for a boundary area, those whose centroids fall inside.
struct CreateAreas: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE areas (id \(f.serialKey), slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT NOT NULL,
                  force_id TEXT, description TEXT NOT NULL DEFAULT '', geometry TEXT,
                  centre_easting \(f.double) NOT NULL, centre_northing \(f.double) NOT NULL, radius \(f.double),
                  min_easting \(f.double) NOT NULL, min_northing \(f.double) NOT NULL,
                  max_easting \(f.double) NOT NULL, max_northing \(f.double) NOT NULL,
                  population INTEGER NOT NULL, lsoa_count INTEGER NOT NULL, created_at TEXT NOT NULL,
                  counts_version \(f.bigint) NOT NULL DEFAULT -1)
                """,
                """
                CREATE TABLE area_lsoas (area_id \(f.bigint) NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
                  lsoa_code TEXT NOT NULL, PRIMARY KEY (area_id, lsoa_code))
                """,
                """
                CREATE TABLE area_counts (area_id \(f.bigint) NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
                  month INTEGER NOT NULL, category_id INTEGER NOT NULL, count \(f.bigint) NOT NULL,
                  PRIMARY KEY (area_id, month, category_id))
                """,
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE area_counts", "DROP TABLE area_lsoas", "DROP TABLE areas"], on: database)
    }
}
