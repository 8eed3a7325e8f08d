import Fluent

/// One import run (CLI or web job): its status, progress and totals.
struct CreateImports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE imports (id \(f.serialKey), origin TEXT NOT NULL, status TEXT NOT NULL,
                  started_at TEXT NOT NULL, finished_at TEXT, bytes_total \(f.bigint) NOT NULL DEFAULT 0,
                  bytes_done \(f.bigint) NOT NULL DEFAULT 0, files INTEGER NOT NULL DEFAULT 0,
                  files_refused INTEGER NOT NULL DEFAULT 0, rows_read \(f.bigint) NOT NULL DEFAULT 0,
                  inserted \(f.bigint) NOT NULL DEFAULT 0, unchanged \(f.bigint) NOT NULL DEFAULT 0,
                  updated \(f.bigint) NOT NULL DEFAULT 0, rejected \(f.bigint) NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '')
                """,
                """
                CREATE TABLE import_files (id \(f.serialKey), import_id \(f.bigint) NOT NULL REFERENCES imports (id),
                  name TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, rows_read \(f.bigint) NOT NULL DEFAULT 0,
                  inserted \(f.bigint) NOT NULL DEFAULT 0, unchanged \(f.bigint) NOT NULL DEFAULT 0,
                  updated \(f.bigint) NOT NULL DEFAULT 0, rejected \(f.bigint) NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '')
                """,
                """
                CREATE TABLE import_rejects (id \(f.serialKey), import_id \(f.bigint) NOT NULL REFERENCES imports (id),
                  file TEXT NOT NULL, line \(f.bigint) NOT NULL, reason TEXT NOT NULL)
                """,
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE import_rejects", "DROP TABLE import_files", "DROP TABLE imports"], on: database)
    }
}
