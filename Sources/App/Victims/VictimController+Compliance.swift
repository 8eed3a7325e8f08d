import CrimeData
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

    @Sendable func compliance(req: Request) async throws -> Response {
        let split = try split(req)
        let report = try await VictimCompliance.build(split: split, now: now(), store: store, on: req.db)
        let rows = complianceRows(report)
        let page = CompliancePage(
            splits: VictimCompliance.Split.allCases.map {
                .init(
                    label: $0.label, count: "", href: SiteURL.victimCompliance.with(query: "by=\($0.rawValue)"),
                    current: $0 == split)
            },
            rows: rows.map {
                .init(
                    quarter: $0.quarter, right: $0.right, group: $0.group, judged: $0.judged, met: $0.met,
                    missed: $0.missed, overdue: $0.overdue, share: $0.share)
            }, hasRows: !rows.isEmpty, suppression: suppression.note,
            csvHref: SiteURL.victimComplianceCSV.with(query: "by=\(split.rawValue)"))
        return try await req.render("victims/compliance", page)
    }

    @Sendable func complianceCSV(req: Request) async throws -> Response {
        let split = try split(req)
        let report = try await VictimCompliance.build(split: split, now: now(), store: store, on: req.db)
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
}
