import Fluent
import Foundation
import SQLKit

/// Read-only links to a campaign report for partners without an account. The link holds
/// a random token shown once; only its SHA-256 is stored; revoking it stops it at once.
/// A link shows the report only (the aggregate figures, never an activity record) and
/// nothing else of the workspace.
struct ReportLinkStore: Sendable {
    let audit: AuditLog
    var now: @Sendable () -> Date = { Date() }

    static let tokenPrefix = "ssr_"

    struct Link: Codable, Sendable {
        var id: Int
        var campaignId: Int
        var label: String
        var createdAt: String
        var revokedAt: String?
    }

    /// Makes a link for the campaign; returns the token (the only time it is shown).
    func create(campaignID: Int, label: String, by user: CurrentUser, on db: any Database) async throws -> String {
        let label = label.trimmingCharacters(in: .whitespaces)
        guard !label.isEmpty, label.count <= 80 else {
            throw FieldErrors(errors: [
                FieldError(field: "label", message: "Say who the link is for (up to 80 characters)")
            ])
        }
        let token = Self.tokenPrefix + SessionStore.randomToken()
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO report_links (campaign_id, token_hash, label, created_at, created_by)
                VALUES (\(bind: campaignID), \(bind: SessionStore.hash(token)), \(bind: label), \(bind: now().stored), \(bind: user.id))
                RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "report_link", id: String(id), before: nil as String?,
                after: ["campaign": String(campaignID), "label": label], by: user, on: tx)
        }
        return token
    }

    /// The campaign's links that still work, newest first.
    func active(campaignID: Int, on db: any Database) async throws -> [Link] {
        try await db.sql.raw(
            """
            SELECT id, campaign_id, label, created_at, revoked_at FROM report_links
            WHERE campaign_id = \(bind: campaignID) AND revoked_at IS NULL ORDER BY id DESC
            """
        ).rows(Link.self)
    }

    /// Revokes one of the campaign's links; false when there is no such live link.
    func revoke(_ id: Int, campaignID: Int, by user: CurrentUser, on db: any Database) async throws -> Bool {
        try await db.transaction { tx in
            guard
                let link = try await tx.sql.raw(
                    """
                    SELECT id, campaign_id, label, created_at, revoked_at FROM report_links
                    WHERE id = \(bind: id) AND campaign_id = \(bind: campaignID) AND revoked_at IS NULL
                    """
                ).row(Link.self)
            else { return false }
            try await tx.sql.raw("UPDATE report_links SET revoked_at = \(bind: now().stored) WHERE id = \(bind: id)")
                .run()
            try await audit.record(
                "revoke", entity: "report_link", id: String(id), before: ["label": link.label],
                after: nil as String?, by: user, on: tx)
            return true
        }
    }

    /// The campaign id a live token opens, or nil.
    func campaignID(token: String, on db: any Database) async throws -> Int? {
        guard token.hasPrefix(Self.tokenPrefix), token.count < 200 else { return nil }
        return try await db.sql.raw(
            """
            SELECT campaign_id FROM report_links WHERE token_hash = \(bind: SessionStore.hash(token)) AND revoked_at IS NULL
            """
        ).first(decodingColumn: "campaign_id", as: Int.self)
    }
}
