import Fluent

/// Maintained aggregate: incidents by (force, month, category).
struct CreateCountsByForce: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE counts_by_force (force_id TEXT NOT NULL, month INTEGER NOT NULL,
                  category_id INTEGER NOT NULL, count \(f.bigint) NOT NULL, PRIMARY KEY (force_id, month, category_id))
                """
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE counts_by_force"], on: database)
    }
}
