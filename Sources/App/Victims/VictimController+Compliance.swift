import CrimeData
import Fluent
import Foundation
import Vapor

/// The compliance report for the Commissioner's office: per right and quarter, the share of
/// clocks met on time with the numbers behind it, split by crime type, enhanced rights or
/// organisation. Aggregates only; a row with a count from 1 to the threshold shows its total
/// alone (if that is large enough), so no count can be worked back.
extension VictimController {
    struct ComplianceRow: Sendable {
        var quarter: String
        var right: String
        var group: String
        var judged: String
        var met: String
        var missed: String
        var overdue: String
        var share: String
    }

    func complianceRows(_ report: VictimCompliance) -> [ComplianceRow] {
        report.tallies.sorted { $0.key > $1.key }.map { key, t in
            let hidden = [t.met, t.missed, t.overdue].contains { suppression.hides($0) }
            let total = suppression.text(t.judged)
            guard !hidden else {
                return ComplianceRow(
                    quarter: key.quarter, right: key.right, group: key.group, judged: total, met: "", missed: "",
                    overdue: "", share: "")
            }
            let share = t.judged > 0 ? "\(Int((Double(t.met) / Double(t.judged) * 100).rounded()))%" : ""
            return ComplianceRow(
                quarter: key.quarter, right: key.right, group: key.group, judged: total, met: Format.count(t.met),
                missed: Format.count(t.missed), overdue: Format.count(t.overdue), share: share)
        }
    }

    func split(_ req: Request) throws -> VictimCompliance.Split {
        let text = req.query[String.self, at: "by"] ?? "all"
        guard let split = VictimCompliance.Split(rawValue: text) else {
            throw Abort(
                .badRequest,
                reason: "by: one of \(VictimCompliance.Split.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return split
    }

    /// The quarter asked for (`quarter=2026-Q3`), or nil for every quarter.
    func quarter(_ req: Request) throws -> VictimCompliance.Quarter? {
        let text = req.query[String.self, at: "quarter"] ?? "all"
        if text == "all" || text.isEmpty { return nil }
        guard let q = VictimCompliance.Quarter(text) else {
            throw Abort(.badRequest, reason: "quarter: a quarter as 2026-Q3, or all")
        }
        return q
    }

    /// The quarters since the first referral, newest first (at most 40).
    func quarters(on db: any Database) async throws -> [VictimCompliance.Quarter] {
        struct Row: Decodable { var first: String? }
        let first = try await db.sql.raw("SELECT MIN(received_at) AS first FROM victim_cases").row(Row.self)?.first
        let now = VictimCompliance.Quarter(CalendarDay(now()))
        guard let first, let day = Date(stored: first).map(CalendarDay.init) else { return [now] }
        var out: [VictimCompliance.Quarter] = []
        var q = VictimCompliance.Quarter(day)
        while (q.year, q.number) <= (now.year, now.number) {
            out.append(q)
            q = q.next
        }
        return Array(out.reversed().prefix(40))
    }

    @Sendable func compliance(req: Request) async throws -> Response {
        let split = try split(req)
        let quarter = try quarter(req)
        let report = try await VictimCompliance.build(
            split: split, quarter: quarter, now: now(), store: store, on: req.db)
        let rows = complianceRows(report)
        let quarterQuery = quarter.map { "&quarter=\($0.slug)" } ?? ""
        var page = CompliancePage(
            splits: VictimCompliance.Split.allCases.map {
                .init(
                    label: $0.label, count: "",
                    href: SiteURL.victimCompliance.with(query: "by=\($0.rawValue)\(quarterQuery)"),
                    current: $0 == split)
            },
            rows: rows.map {
                .init(
                    quarter: $0.quarter, right: $0.right, group: $0.group, judged: $0.judged, met: $0.met,
                    missed: $0.missed, overdue: $0.overdue, share: $0.share)
            }, hasRows: !rows.isEmpty, suppression: suppression.note,
            csvHref: SiteURL.victimComplianceCSV.with(query: "by=\(split.rawValue)\(quarterQuery)"))
        page.quarters =
            [
                .init(
                    label: "All quarters", count: "",
                    href: SiteURL.victimCompliance.with(query: "by=\(split.rawValue)&quarter=all"),
                    current: quarter == nil)
            ]
            + (try await quarters(on: req.db)).map { q in
                .init(
                    label: q.name, count: "",
                    href: SiteURL.victimCompliance.with(query: "by=\(split.rawValue)&quarter=\(q.slug)"),
                    current: q == quarter)
            }
        return try await req.render("victims/compliance", page)
    }

    @Sendable func complianceCSV(req: Request) async throws -> Response {
        let split = try split(req)
        let report = try await VictimCompliance.build(
            split: split, quarter: try quarter(req), now: now(), store: store, on: req.db)
        var out = CSVWriter.record(["quarter", "right", "group", "judged", "met", "missed", "overdue", "share_met"])
        for r in complianceRows(report) {
            out += CSVWriter.record([
                r.quarter, r.right, r.group,
                r.judged.hasPrefix("fewer") ? "" : r.judged.replacingOccurrences(of: ",", with: ""),
                r.met.replacingOccurrences(of: ",", with: ""), r.missed.replacingOccurrences(of: ",", with: ""),
                r.overdue.replacingOccurrences(of: ",", with: ""), r.share.replacingOccurrences(of: "%", with: ""),
            ])
        }
        return download(out, type: "text/csv; charset=utf-8", name: "victims-code-compliance-\(split.rawValue).csv")
    }
}

struct CompliancePage: Encodable {
    struct Row: Encodable {
        var quarter: String
        var right: String
        var group: String
        var judged: String
        var met: String
        var missed: String
        var overdue: String
        var share: String
    }
    var title = "Victims' Code compliance"
    var splits: [VictimsPage.Count]
    var rows: [Row]
    var hasRows: Bool
    var suppression: String
    var csvHref: String
    var quarters: [VictimsPage.Count] = []
}
