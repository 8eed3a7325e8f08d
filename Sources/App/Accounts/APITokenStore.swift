import Crypto
import Fluent
import Foundation
import SQLKit

/// Per-organisation API tokens for partners' own systems. A token acts for its organisation
/// with a partner user's reach (OPCC staff's for the OPCC's own tokens), only on the routes
/// marked `.api`. Sent as `Authorization: Bearer <token>`; shown once when made; only its
/// SHA-256 is stored; revoked tokens stop at once.
struct APITokenStore: Sendable {
    let audit: AuditLog
    var now: @Sendable () -> Date = { Date() }
    /// `last_used_at` is written at most this often.
    var touchInterval: TimeInterval = 60

    static let tokenPrefix = "sst_"

    struct Token: Codable, Sendable {
        var id: Int
        var name: String
        var prefix: String
        var createdAt: String
        var lastUsedAt: String?
        var revokedAt: String?
    }

    /// Makes a token for the user's organisation; returns it (the only time it is shown).
    func create(name: String, by user: CurrentUser, on db: any Database) async throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 80 else {
            throw FieldErrors(errors: [
                FieldError(
                    field: "name", message: "Name the token after the system that will use it (up to 80 characters)")
            ])
        }
        let token = Self.tokenPrefix + SessionStore.randomToken()
        let prefix = String(token.prefix(10))
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO api_tokens (organisation_id, name, token_hash, prefix, created_by, created_at)
                VALUES (\(bind: user.organisationID), \(bind: name), \(bind: SessionStore.hash(token)), \(bind: prefix), \(bind: user.id),
                  \(bind: now().stored)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "api_token", id: String(id), before: nil as String?,
                after: ["name": name, "prefix": prefix], by: user, on: tx)
        }
        return token
    }

    func list(organisationID: Int, on db: any Database) async throws -> [Token] {
        try await db.sql.raw(
            """
            SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens
            WHERE organisation_id = \(bind: organisationID) ORDER BY id DESC
            """
        ).rows(Token.self)
    }

    /// Revokes one of the user's organisation's tokens; false when there is no such token.
    func revoke(_ id: Int, by user: CurrentUser, on db: any Database) async throws -> Bool {
        try await db.transaction { tx in
            guard
                let token = try await tx.sql.raw(
                    """
                    SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens
                    WHERE id = \(bind: id) AND organisation_id = \(bind: user.organisationID) AND revoked_at IS NULL
                    """
                ).row(Token.self)
            else { return false }
            try await tx.sql.raw("UPDATE api_tokens SET revoked_at = \(bind: now().stored) WHERE id = \(bind: id)")
                .run()
            try await audit.record(
                "revoke", entity: "api_token", id: String(id), before: ["name": token.name, "prefix": token.prefix],
                after: nil as String?, by: user, on: tx)
            return true
        }
    }

    /// The client behind a bearer token, or nil (unknown or revoked).
    func client(token: String, on db: any Database) async throws -> CurrentUser? {
        struct Row: Decodable {
            var id: Int
            var name: String
            var lastUsedAt: String?
            var revokedAt: String?
            var createdBy: Int?
            var organisationId: Int
            var organisationName: String
            var kind: String
        }
        guard token.hasPrefix(Self.tokenPrefix),
            let row = try await db.sql.raw(
                """
                SELECT t.id, t.name, t.last_used_at, t.revoked_at, t.created_by, o.id AS organisation_id, o.name AS organisation_name, o.kind
                FROM api_tokens t JOIN organisations o ON o.id = t.organisation_id WHERE t.token_hash = \(bind: SessionStore.hash(token))
                """
            ).row(Row.self), row.revokedAt == nil
        else { return nil }
        let t = now()
        if row.lastUsedAt.flatMap(Date.init(stored:)).map({ t.timeIntervalSince($0) >= touchInterval }) ?? true {
            try await db.sql.raw("UPDATE api_tokens SET last_used_at = \(bind: t.stored) WHERE id = \(bind: row.id)")
                .run()
        }
        return CurrentUser(
            id: row.createdBy ?? 0, name: "API token “\(row.name)”", email: "",
            role: row.kind == OrganisationKind.opcc.rawValue ? .opccStaff : .partnerUser,
            organisationID: row.organisationId, organisationName: row.organisationName, csrfToken: "",
            sessionHash: "", apiTokenID: row.id, organisationKind: OrganisationKind(rawValue: row.kind))
    }
}
