import CrimeData
import Crypto
import Fluent
import Foundation
import SQLKit

/// Server-side sessions in the database. The cookie carries 32 random bytes; only their
/// SHA-256 is stored. Sessions end after `idleTimeout` without a request, at
/// `absoluteTimeout` after sign-in, or at sign-out.
struct SessionStore: Sendable {
    var idleTimeout: TimeInterval = 30 * 60
    var absoluteTimeout: TimeInterval = 12 * 60 * 60
    /// `last_seen_at` is written at most this often, so reading a page is not a write.
    var touchInterval: TimeInterval = 60
    var now: @Sendable () -> Date = { Date() }

    static func randomToken() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        ByteParsing.hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// Starts a new session for a user (always a new id: no fixation) and returns the cookie
    /// value.
    func create(userID: Int, on db: any Database) async throws -> String {
        let token = Self.randomToken()
        let t = now()
        try await db.sql.raw(
            """
            INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
            VALUES (\(bind: Self.hash(token)), \(bind: userID), \(bind: Self.randomToken()), \(bind: t.stored),
              \(bind: t.stored), \(bind: t.addingTimeInterval(absoluteTimeout).stored))
            """
        ).run()
        return token
    }

    private struct Row: Decodable {
        var tokenHash: String
        var csrfToken: String
        var lastSeenAt: String
        var expiresAt: String
        var revokedAt: String?
        var userId: Int
        var name: String
        var email: String
        var role: String
        var disabledAt: String?
        var organisationId: Int
        var organisationName: String
        var organisationKind: String
    }

    /// The user of a live session, or nil (unknown, expired, idle too long, revoked, or the
    /// user disabled).
    func user(token: String, on db: any Database) async throws -> CurrentUser? {
        let hash = Self.hash(token)
        guard
            let row = try await db.sql.raw(
                """
                SELECT s.token_hash, s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at, u.id AS user_id, u.name, u.email,
                  u.role, u.disabled_at, o.id AS organisation_id, o.name AS organisation_name,
                  o.kind AS organisation_kind
                FROM sessions s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.organisation_id
                WHERE s.token_hash = \(bind: hash)
                """
            ).row(Row.self)
        else { return nil }
        let t = now()
        guard row.revokedAt == nil, row.disabledAt == nil, let role = Role(rawValue: row.role),
            let expires = Date(stored: row.expiresAt), let seen = Date(stored: row.lastSeenAt),
            t < expires, t.timeIntervalSince(seen) < idleTimeout
        else { return nil }
        if t.timeIntervalSince(seen) >= touchInterval {
            // Best effort: while an import holds SQLite's one writer the touch may time out;
            // the page must still be served (the next request touches it again).
            try? await db.sql.raw(
                "UPDATE sessions SET last_seen_at = \(bind: t.stored) WHERE token_hash = \(bind: hash)"
            ).run()
        }
        return CurrentUser(
            id: row.userId, name: row.name, email: row.email, role: role, organisationID: row.organisationId,
            organisationName: row.organisationName, csrfToken: row.csrfToken, sessionHash: hash,
            organisationKind: OrganisationKind(rawValue: row.organisationKind))
    }

    func revoke(hash: String, on db: any Database) async throws {
        try await db.sql.raw("UPDATE sessions SET revoked_at = \(bind: now().stored) WHERE token_hash = \(bind: hash)")
            .run()
    }
}
