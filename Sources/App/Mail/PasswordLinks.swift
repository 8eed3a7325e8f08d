import Fluent
import Foundation
import SQLKit

/// Links that set a password: a reset asked for on the sign-in page (30 minutes) or the
/// welcome to a new account (72 hours). The link carries 32 random bytes; only their SHA-256
/// is stored. A link works once; a new reset link ends the account's earlier ones; setting
/// the password ends every session of the account.
struct PasswordLinks: Sendable {
    let audit: AuditLog
    var now: @Sendable () -> Date = { Date() }

    enum Purpose: String, Sendable {
        case reset
        case welcome

        var lifetime: TimeInterval { self == .reset ? 30 * 60 : 72 * 60 * 60 }
        /// How long the link lasts, in the words of the message and the page.
        var lifetimeText: String { self == .reset ? "30 minutes" : "3 days" }
    }

    /// A new link's token for `userID` (the caller sends it and forgets it).
    func create(userID: Int, purpose: Purpose, on db: any Database) async throws -> String {
        let token = SessionStore.randomToken()
        let t = now()
        if purpose == .reset {
            try await db.sql.raw(
                """
                UPDATE password_links SET used_at = \(bind: t.stored)
                WHERE user_id = \(bind: userID) AND purpose = 'reset' AND used_at IS NULL
                """
            ).run()
        }
        try await db.sql.raw(
            """
            INSERT INTO password_links (token_hash, user_id, purpose, created_at, expires_at)
            VALUES (\(bind: SessionStore.hash(token)), \(bind: userID), \(bind: purpose.rawValue), \(bind: t.stored),
              \(bind: t.addingTimeInterval(purpose.lifetime).stored))
            """
        ).run()
        return token
    }

    struct Holder: Decodable, Sendable {
        var userId: Int
        var email: String
        var purpose: String
    }

    /// The active account a live link belongs to, or nil (unknown, used, expired, disabled).
    func holder(token: String, on db: any Database) async throws -> Holder? {
        guard Self.isWellFormed(token) else { return nil }
        return try await db.sql.raw(
            """
            SELECT l.user_id, u.email, l.purpose FROM password_links l JOIN users u ON u.id = l.user_id
            WHERE l.token_hash = \(bind: SessionStore.hash(token)) AND l.used_at IS NULL
              AND l.expires_at > \(bind: now().stored) AND u.disabled_at IS NULL
            """
        ).row(Holder.self)
    }

    /// Tokens are 43 characters of base64url; anything else is not looked up.
    static func isWellFormed(_ token: String) -> Bool {
        token.count == 43 && token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// Uses the link: sets the password hash, ends the account's sessions and its other
    /// links, records it in the audit log (never the password). False when the link was used
    /// or expired in the meantime (two tabs, one submit each: only one wins).
    func use(token: String, newHash: String, on db: any Database) async throws -> Bool {
        let t = now().stored
        return try await db.transaction { tx in
            guard
                let user = try await tx.sql.raw(
                    """
                    UPDATE password_links SET used_at = \(bind: t)
                    WHERE token_hash = \(bind: SessionStore.hash(token)) AND used_at IS NULL AND expires_at > \(bind: t)
                    RETURNING user_id
                    """
                ).first(decodingColumn: "user_id", as: Int.self),
                try await tx.sql.raw("SELECT id FROM users WHERE id = \(bind: user) AND disabled_at IS NULL").first(
                    decodingColumn: "id", as: Int.self) != nil
            else { return false }
            try await tx.sql.raw("UPDATE users SET password_hash = \(bind: newHash) WHERE id = \(bind: user)").run()
            try await tx.sql.raw(
                "UPDATE sessions SET revoked_at = \(bind: t) WHERE user_id = \(bind: user) AND revoked_at IS NULL"
            ).run()
            try await tx.sql.raw(
                "UPDATE password_links SET used_at = \(bind: t) WHERE user_id = \(bind: user) AND used_at IS NULL"
            ).run()
            try await audit.record(
                "set password by e-mailed link", entity: "user", id: String(user), before: nil as String?,
                after: nil as String?, by: nil, on: tx)
            return true
        }
    }
}
