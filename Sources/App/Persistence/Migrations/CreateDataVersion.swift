import Fluent

/// One row holding ``DataVersion``: moved on by every file's import, in its transaction.
struct CreateDataVersion: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                "CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version \(f.bigint) NOT NULL)",
                "INSERT INTO data_version (id, version) VALUES (1, 1)",
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE data_version"], on: database)
    }
}
