import Fluent

/// Police forces, keyed by the police.uk id (`norfolk`, `west-yorkshire`).
struct CreateForces: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await execute(["CREATE TABLE forces (id TEXT PRIMARY KEY, name TEXT NOT NULL)"], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE forces"], on: database)
    }
}
