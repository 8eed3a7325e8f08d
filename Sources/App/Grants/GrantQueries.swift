import Fluent
import Foundation
import SQLKit

/// The commissioning dashboard's figures, each one aggregate query (so the page stays fast
/// with tens of thousands of grants and returns): by fund, the grants, the amount awarded and
/// paid, returns overdue, and each output's achievement against plan; and the overdue
/// returns themselves.
struct GrantQueries: Sendable {
    struct FundTotals: Decodable, Sendable {
        var fundId: Int
        var grants: Int
        var awardedPence: Int
        var paidPence: Int
    }

    struct OutputTotal: Decodable, Sendable {
        var fundId: Int
        var name: String
        var planned: Double
        var achieved: Double
    }

    struct Overdue: Decodable, Sendable {
        var returnId: Int
        var awardId: Int
        var fundId: Int
        var organisation: String
        var title: String
        var periodLabel: String
        var dueOn: String
        var status: AwardRules.ReturnStatus
    }

    func fundTotals(on db: any Database) async throws -> [FundTotals] {
        struct Paid: Decodable { var fundId: Int; var pence: Int }
        let paid = try await db.sql.raw(
            """
            SELECT w.fund_id, CAST(SUM(p.amount_pence) AS BIGINT) AS pence FROM award_payments p
            JOIN awards w ON w.id = p.award_id GROUP BY w.fund_id
            """
        ).rows(Paid.self)
        let byFund = Dictionary(paid.map { ($0.fundId, $0.pence) }, uniquingKeysWith: +)
        struct Row: Decodable { var fundId: Int; var grants: Int; var awardedPence: Int }
        return try await db.sql.raw(
            """
            SELECT fund_id, COUNT(*) AS grants, CAST(SUM(amount_pence) AS BIGINT) AS awarded_pence FROM awards
            GROUP BY fund_id
            """
        ).rows(Row.self).map {
            FundTotals(
                fundId: $0.fundId, grants: $0.grants, awardedPence: $0.awardedPence, paidPence: byFund[$0.fundId] ?? 0)
        }
    }

    /// Fund id → applications submitted to it (drafts not counted).
    func applicationCounts(on db: any Database) async throws -> [Int: Int] {
        struct Row: Decodable { var fundId: Int; var n: Int }
        let rows = try await db.sql.raw(
            """
            SELECT r.fund_id, COUNT(*) AS n FROM applications a JOIN grant_rounds r ON r.id = a.round_id
            WHERE a.status <> 'draft' GROUP BY r.fund_id
            """
        ).rows(Row.self)
        return Dictionary(rows.map { ($0.fundId, $0.n) }, uniquingKeysWith: +)
    }

    /// Fund id → returns overdue on `today` (owed and past their due date).
    func overdueCounts(today: CalendarDay, on db: any Database) async throws -> [Int: Int] {
        struct Row: Decodable { var fundId: Int; var n: Int }
        let rows = try await db.sql.raw(
            """
            SELECT w.fund_id, COUNT(*) AS n FROM monitoring_returns m JOIN awards w ON w.id = m.award_id
            WHERE m.status IN ('due', 'queried') AND m.due_on < \(bind: today.description) GROUP BY w.fund_id
            """
        ).rows(Row.self)
        return Dictionary(rows.map { ($0.fundId, $0.n) }, uniquingKeysWith: +)
    }

    /// Each output by name (as the grants named it), planned against achieved in accepted
    /// returns (kept on each indicator when a return is accepted).
    func outputs(on db: any Database) async throws -> [OutputTotal] {
        try await db.sql.raw(
            """
            SELECT w.fund_id, i.name, CAST(SUM(i.target) AS DOUBLE PRECISION) AS planned,
              CAST(SUM(i.achieved) AS DOUBLE PRECISION) AS achieved
            FROM award_indicators i JOIN awards w ON w.id = i.award_id
            GROUP BY w.fund_id, i.name ORDER BY w.fund_id, planned DESC
            """
        ).rows(OutputTotal.self)
    }

    func overdue(today: CalendarDay, limit: Int = 200, on db: any Database) async throws -> [Overdue] {
        try await db.sql.raw(
            """
            SELECT m.id AS return_id, w.id AS award_id, w.fund_id, o.name AS organisation, a.title, m.period_label,
              m.due_on, m.status
            FROM monitoring_returns m JOIN awards w ON w.id = m.award_id JOIN applications a ON a.id = w.application_id
              JOIN organisations o ON o.id = a.organisation_id
            WHERE m.status IN ('due', 'queried') AND m.due_on < \(bind: today.description)
            ORDER BY m.due_on, m.id LIMIT \(bind: limit)
            """
        ).rows(Overdue.self)
    }

    /// An organisation's awards, for its grants list: (award id, application title, amount).
    func awards(ofOrganisation organisation: Int, on db: any Database) async throws -> [(
        id: Int, title: String, amountPence: Int
    )] {
        struct Row: Decodable { var id: Int; var title: String; var amountPence: Int }
        return try await db.sql.raw(
            """
            SELECT w.id, a.title, w.amount_pence FROM awards w JOIN applications a ON a.id = w.application_id
            WHERE a.organisation_id = \(bind: organisation) ORDER BY w.award_date DESC
            """
        ).rows(Row.self).map { ($0.id, $0.title, $0.amountPence) }
    }
}
