import Fluent

/// Imports started from the web, as a queue every instance works: a job is claimed with a
/// lease that its instance renews while it imports, so a job whose instance died is taken up
/// again (or failed, saying why) rather than left "running".
struct CreateImportJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await execute(
            [
                """
                CREATE TABLE import_jobs (id TEXT PRIMARY KEY, file_name TEXT NOT NULL, stored_path TEXT NOT NULL,
                  started_by TEXT NOT NULL, origin TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL,
                  started_at TEXT, finished_at TEXT, lease_owner TEXT, lease_until TEXT,
                  attempts INTEGER NOT NULL DEFAULT 0, bytes_done BIGINT NOT NULL DEFAULT 0,
                  bytes_total BIGINT NOT NULL DEFAULT 0, rows_read BIGINT NOT NULL DEFAULT 0,
                  summary TEXT NOT NULL DEFAULT '', rejects TEXT NOT NULL DEFAULT '')
                """,
                "CREATE INDEX import_jobs_open ON import_jobs (created_at) WHERE state IN ('queued', 'running')",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE import_jobs"], on: database)
    }
}
