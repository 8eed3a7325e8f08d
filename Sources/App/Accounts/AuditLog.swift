import Fluent
import Foundation
import SQLKit

/// Writes one line of the audit log per change: who, when, what, before and after. Call it
/// in the same transaction as the change.
struct AuditLog: Sendable {
    var now: @Sendable () -> Date = { Date() }

    func record<B: Encodable, A: Encodable>(
        _ action: String, entity: String, id: String, before: B?, after: A?, by user: CurrentUser?, on db: any Database
    ) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase  // keyed as the tables' columns are
        let b = try before.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let a = try after.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try await db.sql.raw(
            """
            INSERT INTO audit_log (at, user_id, organisation_id, action, entity, entity_id, before, after)
            VALUES (\(bind: now().stored), \(bind: user?.id), \(bind: user?.organisationID),
              \(bind: action), \(bind: entity), \(bind: id), \(bind: b), \(bind: a))
            """
        ).run()
    }

    struct Entry: Decodable, Sendable {
        var id: Int
        var at: String
        var userName: String?
        var organisationName: String?
        var action: String
        var entity: String
        var entityId: String
        var before: String?
        var after: String?
    }

    func latest(limit: Int = 200, on db: any Database) async throws -> [Entry] {
        try await db.sql.raw(
            """
            SELECT a.id, a.at, u.name AS user_name, o.name AS organisation_name, a.action, a.entity, a.entity_id, a.before, a.after
            FROM audit_log a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN organisations o ON o.id = a.organisation_id
            ORDER BY a.id DESC LIMIT \(bind: limit)
            """
        ).rows(Entry.self)
    }
}
