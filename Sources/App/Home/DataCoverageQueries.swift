import CrimeData
import Fluent
import SQLKit

/// What data is loaded: read from the maintained slice table, never by scanning rows.
struct DataCoverageQueries: Sendable {
    struct SliceRow: Decodable, Sendable {
        var kind: String
        var forceId: String
        var forceName: String
        var month: Int
        var rowCount: Int
    }

    struct LastImport: Decodable, Sendable {
        var id: Int
        var origin: String
        var status: String
        var startedAt: String
        var finishedAt: String?
        var files: Int
        var filesRefused: Int
        var rowsRead: Int
        var inserted: Int
        var unchanged: Int
        var updated: Int
        var rejected: Int
        var message: String
    }

    func slices(on db: any Database) async throws -> [SliceRow] {
        try await db.sql.raw(
            """
            SELECT s.kind, s.force_id, f.name AS force_name, s.month, s.row_count
            FROM data_slices s JOIN forces f ON f.id = s.force_id
            WHERE s.row_count > 0 ORDER BY f.name, s.month
            """
        ).rows(SliceRow.self)
    }

    func lastImport(on db: any Database) async throws -> LastImport? {
        try await db.sql.raw(
            """
            SELECT id, origin, status, started_at, finished_at, files, files_refused, rows_read, inserted, unchanged,
              updated, rejected, message FROM imports ORDER BY id DESC LIMIT 1
            """
        ).row(LastImport.self)
    }

    func lsoaCount(on db: any Database) async throws -> Int {
        try await db.sql.raw("SELECT COUNT(*) AS n FROM lsoas").first(decodingColumn: "n", as: Int.self) ?? 0
    }
}
