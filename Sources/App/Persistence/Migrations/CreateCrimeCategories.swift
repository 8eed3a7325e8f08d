import Fluent

/// Crime types as they appear in police.uk CSVs, with the API slug.
struct CreateCrimeCategories: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await execute(
            [
                "CREATE TABLE crime_categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, slug TEXT NOT NULL)"
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE crime_categories"], on: database)
    }
}
