import Fluent
import SQLKit

/// The record of past imports (the `imports` table), newest first.
struct ImportHistoryQueries: Sendable {
    struct Entry: Sendable {
        var startedAt: String
        var origin: String
        var status: String
        var message: String
    }

    func recent(limit: Int = 10, on db: any Database) async throws -> [Entry] {
        struct Row: Decodable { var startedAt: String; var origin: String; var status: String; var message: String }
        return try await db.sql.raw(
            "SELECT started_at, origin, status, message FROM imports ORDER BY id DESC LIMIT \(bind: limit)"
        )
        .rows(Row.self).map {
            Entry(startedAt: $0.startedAt, origin: $0.origin, status: $0.status, message: $0.message)
        }
    }
}
