import Fluent
import Foundation
import SQLKit

/// What the OPCC has published of the plan: each version of the scorecard and each
/// quarter's statement of the national crime and policing measures, frozen as published
/// (later figures do not change a published version); withdrawing one keeps it in the
/// record, off the open pages. And the quarterly statements' drafts.
struct PlanPublicationStore: Sendable {
    let audit: AuditLog

    enum Kind: String, Codable, Sendable {
        case scorecard, national
    }

    struct Publication: Codable, Sendable {
        var id: Int
        var kind: Kind
        var period: String
        var title: String
        var publishedAt: String
        var withdrawnAt: String?
    }

    @discardableResult
    func publish(
        _ kind: Kind, period: String, title: String, content: String, by user: CurrentUser?, on db: any Database
    ) async throws -> Int {
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO plan_publications (kind, period, title, content, published_at, published_by)
                VALUES (\(bind: kind.rawValue), \(bind: period), \(bind: title), \(bind: content),
                  \(bind: Date().stored), \(bind: user?.id)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "publish", entity: "plan-publication", id: String(id), before: String?.none,
                after: ["kind": kind.rawValue, "period": period, "title": title], by: user, on: tx)
            return id
        }
    }

    /// Published versions of one kind, newest first (withdrawn ones included, marked).
    func list(kind: Kind, on db: any Database) async throws -> [Publication] {
        try await db.sql.raw(
            """
            SELECT id, kind, period, title, published_at, withdrawn_at FROM plan_publications
            WHERE kind = \(bind: kind.rawValue) ORDER BY id DESC
            """
        ).rows(Publication.self)
    }

    /// The newest publication still on the open pages, with its content; for one period if given.
    func latest(kind: Kind, period: String? = nil, on db: any Database) async throws -> (Publication, String)? {
        struct Row: Decodable {
            var id: Int; var kind: Kind; var period: String; var title: String; var publishedAt: String
            var withdrawnAt: String?; var content: String
        }
        let periodFilter: SQLQueryString = period.map { "AND period = \(bind: $0)" } ?? ""
        guard
            let r = try await db.sql.raw(
                """
                SELECT id, kind, period, title, published_at, withdrawn_at, content FROM plan_publications
                WHERE kind = \(bind: kind.rawValue) AND withdrawn_at IS NULL \(periodFilter) ORDER BY id DESC LIMIT 1
                """
            ).row(Row.self)
        else { return nil }
        return (
            Publication(
                id: r.id, kind: r.kind, period: r.period, title: r.title, publishedAt: r.publishedAt,
                withdrawnAt: r.withdrawnAt), r.content
        )
    }

    /// Takes a publication off the open pages (it stays in the record). False if there is none.
    func withdraw(id: Int, by user: CurrentUser?, on db: any Database) async throws -> Bool {
        try await db.transaction { tx in
            guard
                try await tx.sql.raw(
                    "SELECT id FROM plan_publications WHERE id = \(bind: id) AND withdrawn_at IS NULL"
                ).first() != nil
            else { return false }
            try await tx.sql.raw(
                "UPDATE plan_publications SET withdrawn_at = \(bind: Date().stored) WHERE id = \(bind: id)"
            ).run()
            try await audit.record(
                "withdraw", entity: "plan-publication", id: String(id), before: String?.none, after: String?.none,
                by: user, on: tx)
            return true
        }
    }

    // MARK: The quarterly statement's draft

    /// The draft's fields for a quarter (YYYYQ as 20263), or nil before it is saved.
    func draft(quarter: Int, on db: any Database) async throws -> (fields: String, updatedAt: String)? {
        struct Row: Decodable { var fields: String; var updatedAt: String }
        return try await db.sql.raw(
            "SELECT fields, updated_at FROM national_statements WHERE quarter = \(bind: quarter)"
        ).row(Row.self).map { ($0.fields, $0.updatedAt) }
    }

    func saveDraft(quarter: Int, fields: String, by user: CurrentUser?, on db: any Database) async throws {
        try await db.transaction { tx in
            let before = try await draft(quarter: quarter, on: tx)
            if before == nil {
                try await tx.sql.raw(
                    """
                    INSERT INTO national_statements (quarter, fields, updated_at, updated_by)
                    VALUES (\(bind: quarter), \(bind: fields), \(bind: Date().stored), \(bind: user?.id))
                    """
                ).run()
            } else {
                try await tx.sql.raw(
                    """
                    UPDATE national_statements SET fields = \(bind: fields), updated_at = \(bind: Date().stored),
                      updated_by = \(bind: user?.id) WHERE quarter = \(bind: quarter)
                    """
                ).run()
            }
            try await audit.record(
                "save", entity: "national-statement", id: String(quarter), before: before?.fields, after: fields,
                by: user, on: tx)
        }
    }
}
