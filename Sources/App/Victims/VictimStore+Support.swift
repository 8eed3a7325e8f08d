import Fluent
import Foundation
import SQLKit

/// Needs assessments (versioned: each re-assessment is kept) and closing a case with its
/// outcomes, only on a case the user's organisation holds.
extension VictimStore {
    struct Assessment: Sendable {
        var version: Int
        var assessedAt: String
        var needs: [Victims.Need: Victims.NeedLevel]
        var risk: Victims.Risk
        var plan: String
        var userName: String
    }

    /// Every assessment of the case, the latest first (the plan opened: the case was read,
    /// and logged, to get here).
    func assessments(ofCase id: Int, on db: any Database) async throws -> [Assessment] {
        let cipher = try requireCipher()
        struct Row: Decodable {
            var version: Int; var assessedAt: String; var needs: String; var risk: String; var planSealed: String
            var userName: String?
        }
        return try await db.sql.raw(
            """
            SELECT a.version, a.assessed_at, a.needs, a.risk, a.plan_sealed, u.name AS user_name
            FROM victim_assessments a LEFT JOIN users u ON u.id = a.user_id WHERE a.case_id = \(bind: id)
            ORDER BY a.version DESC
            """
        ).rows(Row.self).map { r in
            Assessment(
                version: r.version, assessedAt: r.assessedAt, needs: Self.parseNeeds(r.needs),
                risk: Victims.Risk(rawValue: r.risk) ?? .notAssessed,
                plan: r.planSealed.isEmpty ? "" : try cipher.open(r.planSealed, field: "support_plan"),
                userName: r.userName ?? "")
        }
    }

    /// Needs as stored: `emotional=high,housing=some` (areas with no need left out).
    static func storedNeeds(_ needs: [Victims.Need: Victims.NeedLevel]) -> String {
        needs.filter { $0.value != .none }.map { "\($0.key.rawValue)=\($0.value.rawValue)" }.sorted()
            .joined(separator: ",")
    }

    static func parseNeeds(_ text: String) -> [Victims.Need: Victims.NeedLevel] {
        var out: [Victims.Need: Victims.NeedLevel] = [:]
        for pair in text.split(separator: ",") {
            let p = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if p.count == 2, let need = Victims.Need(rawValue: p[0]), let level = Victims.NeedLevel(rawValue: p[1]) {
                out[need] = level
            }
        }
        return out
    }

    /// Adds the next version of the case's assessment; false if the organisation holds no
    /// such open case.
    func assess(
        _ id: Int, needs: [Victims.Need: Victims.NeedLevel], risk: Victims.Risk, plan: String, viewer: CurrentUser,
        on db: any Database
    ) async throws -> Bool {
        let cipher = try requireCipher()
        guard try await holds(id, viewer: viewer, on: db) else { return false }
        let sealed = plan.isEmpty ? "" : try cipher.seal(plan, field: "support_plan")
        return try await db.transaction { tx -> Bool in
            struct Row: Decodable { var status: String; var latest: Int? }
            guard
                let c = try await tx.sql.raw(
                    """
                    SELECT status, (SELECT MAX(version) FROM victim_assessments WHERE case_id = \(bind: id)) AS latest
                    FROM victim_cases WHERE id = \(bind: id)
                    """
                ).row(Row.self), c.status == "open"
            else { return false }
            let version = (c.latest ?? 0) + 1
            try await tx.sql.raw(
                """
                INSERT INTO victim_assessments (case_id, version, assessed_at, needs, risk, plan_sealed, user_id)
                VALUES (\(bind: id), \(bind: version), \(bind: now().stored), \(bind: Self.storedNeeds(needs)),
                  \(bind: risk.rawValue), \(bind: sealed), \(bind: viewer.id))
                """
            ).run()
            try await tx.sql.raw("UPDATE victim_cases SET updated_at = \(bind: now().stored) WHERE id = \(bind: id)")
                .run()
            try await audit.record(
                "assess", entity: "victim_cases", id: String(id), before: nil as String?,
                after: ["version": String(version), "needs": Self.storedNeeds(needs), "risk": risk.rawValue],
                by: viewer, on: tx)
            return true
        }
    }

    /// Closes an open case with its reason, the outcomes the victim reported and their answer
    /// to the closing question (1–5, or none); false if the organisation holds no such open case.
    func close(
        _ id: Int, reason: Victims.Closure, outcomes: Set<Victims.Outcome>, feedback: Int?, viewer: CurrentUser,
        on db: any Database
    ) async throws -> Bool {
        guard try await holds(id, viewer: viewer, on: db) else { return false }
        let stored = outcomes.map(\.rawValue).sorted().joined(separator: ",")
        return try await db.transaction { tx -> Bool in
            struct Row: Decodable { var status: String }
            guard
                try await tx.sql.raw("SELECT status FROM victim_cases WHERE id = \(bind: id)").row(Row.self)?.status
                    == "open"
            else { return false }
            try await tx.sql.raw(
                """
                UPDATE victim_cases SET status = 'closed', closed_at = \(bind: now().stored),
                  closure_reason = \(bind: reason.rawValue), outcomes = \(bind: stored), feedback = \(bind: feedback),
                  updated_at = \(bind: now().stored)
                WHERE id = \(bind: id)
                """
            ).run()
            try await audit.record(
                "close", entity: "victim_cases", id: String(id), before: nil as String?,
                after: ["reason": reason.rawValue, "outcomes": stored], by: viewer, on: tx)
            return true
        }
    }
}
