import Fluent
import Foundation
import SQLKit

/// What the DA/SV coordinator and the OPCC's victims lead read about needs and provision:
/// referrals by month, crime type and local authority (erased cases' kept counts included),
/// assessed needs (each case's latest assessment), and the onward referrals each kind of
/// specialist service received and what became of them, with the money commissioned for it.
/// Counts only: nothing here names or reaches a person.
extension VictimStore {
    /// Referrals (not duplicates) received per month `YYYY-MM`, from `from` on.
    func referralsByMonth(from: String, on db: any Database) async throws -> [String: Int] {
        struct Row: Decodable { var month: String; var n: Int }
        var out: [String: Int] = [:]
        for r in try await db.sql.raw(
            """
            SELECT SUBSTR(received_at, 1, 7) AS month, COUNT(*) AS n FROM victim_cases
            WHERE duplicate_of IS NULL AND received_at >= \(bind: from) GROUP BY SUBSTR(received_at, 1, 7)
            """
        ).rows(Row.self) {
            out[r.month, default: 0] += r.n
        }
        for r in try await db.sql.raw(
            """
            SELECT month, CAST(SUM(cases) AS BIGINT) AS n FROM victim_erased_counts
            WHERE month >= \(bind: String(from.prefix(7))) GROUP BY month
            """
        ).rows(Row.self) {
            out[r.month, default: 0] += r.n
        }
        return out
    }

    /// Referrals since `from` by a column of the case (`crime_type` or `local_authority`),
    /// erased cases' kept counts included.
    func referrals(by column: ReferralSplit, from: String, on db: any Database) async throws -> [String: Int] {
        struct Row: Decodable { var key: String; var n: Int }
        var out: [String: Int] = [:]
        for r in try await db.sql.raw(
            """
            SELECT \(unsafeRaw: column.rawValue) AS key, COUNT(*) AS n FROM victim_cases
            WHERE duplicate_of IS NULL AND received_at >= \(bind: from) GROUP BY \(unsafeRaw: column.rawValue)
            """
        ).rows(Row.self) {
            out[r.key, default: 0] += r.n
        }
        for r in try await db.sql.raw(
            """
            SELECT \(unsafeRaw: column.rawValue) AS key, CAST(SUM(cases) AS BIGINT) AS n FROM victim_erased_counts
            WHERE month >= \(bind: String(from.prefix(7))) GROUP BY \(unsafeRaw: column.rawValue)
            """
        ).rows(Row.self) {
            out[r.key, default: 0] += r.n
        }
        return out
    }

    /// The columns referrals may be split by (a closed list: they are written into the SQL).
    enum ReferralSplit: String, Sendable {
        case crimeType = "crime_type"
        case localAuthority = "local_authority"
    }

    /// The latest assessment's needs of each case received since `from`: per need and level,
    /// how many cases; and how many cases were assessed at all.
    func assessedNeeds(from: String, on db: any Database) async throws -> (
        levels: [Victims.Need: [Victims.NeedLevel: Int]], assessed: Int
    ) {
        let rows = try await db.sql.raw(
            """
            SELECT a.needs FROM victim_assessments a JOIN victim_cases c ON c.id = a.case_id
            WHERE c.received_at >= \(bind: from) AND a.version = (
              SELECT MAX(b.version) FROM victim_assessments b WHERE b.case_id = a.case_id)
            """
        ).all()
        var levels: [Victims.Need: [Victims.NeedLevel: Int]] = [:]
        for row in rows {
            for (need, level) in Self.parseNeeds(try row.decode(column: "needs", as: String.self)) {
                levels[need, default: [:]][level, default: 0] += 1
            }
        }
        return (levels, rows.count)
    }

    /// Onward referrals since `from`, per kind of support: how many, what became of them, how
    /// many are waiting, and the days each decided one waited.
    struct OnwardTally: Sendable {
        var referred = 0
        var accepted = 0
        var noCapacity = 0
        var otherDecline = 0
        var pending = 0
        var waits: [Double] = []
    }

    func onwardTallies(from: String, on db: any Database) async throws -> [Victims.Specialist: OnwardTally] {
        let rows = try await db.sql.raw(
            """
            SELECT service, status, decline_reason, referred_at, decided_at FROM victim_onward_referrals
            WHERE referred_at >= \(bind: from)
            """
        ).all()
        var out: [Victims.Specialist: OnwardTally] = [:]
        for r in rows {
            let service = Victims.Specialist(rawValue: try r.decode(column: "service", as: String.self)) ?? .other
            var t = out[service] ?? .init()
            t.referred += 1
            switch try r.decode(column: "status", as: String.self) {
            case "accepted": t.accepted += 1
            case "declined":
                if try r.decode(column: "decline_reason", as: String.self) == Victims.Decline.noCapacity.rawValue {
                    t.noCapacity += 1
                } else {
                    t.otherDecline += 1
                }
            default: t.pending += 1
            }
            if let decided = try r.decode(column: "decided_at", as: String?.self).flatMap(Date.init(stored:)),
                let referred = Date(stored: try r.decode(column: "referred_at", as: String.self))
            {
                t.waits.append(decided.timeIntervalSince(referred) / 86_400)
            }
            out[service] = t
        }
        return out
    }

    /// The organisations commissioned (a grant from a commissioned fund, not an open call)
    /// that have received referrals of each kind, with the money awarded to them in grants
    /// running on `day`.
    struct Provider: Sendable {
        var name: String
        var pence: Int
    }

    func providers(on day: CalendarDay, on db: any Database) async throws -> [Victims.Specialist: [Provider]] {
        let rows = try await db.sql.raw(
            """
            SELECT DISTINCT r.service, o.id, o.name,
              (SELECT CAST(COALESCE(SUM(w.amount_pence), 0) AS BIGINT) FROM awards w
                JOIN applications a ON a.id = w.application_id JOIN funds f ON f.id = w.fund_id
                WHERE a.organisation_id = o.id AND f.open_call = 0 AND w.starts_on <= \(bind: day.description)
                  AND w.ends_on >= \(bind: day.description)) AS pence
            FROM victim_onward_referrals r JOIN organisations o ON o.id = r.to_organisation_id
            ORDER BY o.name
            """
        ).all()
        var out: [Victims.Specialist: [Provider]] = [:]
        for r in rows {
            let service = Victims.Specialist(rawValue: try r.decode(column: "service", as: String.self)) ?? .other
            let pence = try r.decode(column: "pence", as: Int.self)
            guard pence > 0 else { continue }
            out[service, default: []].append(.init(name: try r.decode(column: "name", as: String.self), pence: pence))
        }
        return out
    }

    /// Local authority codes to names.
    func localAuthorityNames(on db: any Database) async throws -> [String: String] {
        struct Row: Decodable { var ladCode: String; var ladName: String }
        return Dictionary(
            try await db.sql.raw("SELECT DISTINCT lad_code, lad_name FROM lsoas").rows(Row.self).map {
                ($0.ladCode, $0.ladName)
            }, uniquingKeysWith: { a, _ in a })
    }
}
