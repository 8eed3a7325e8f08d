import Analytics
import CrimeData
import Foundation
import Vapor

/// Every figure of a campaign report, one figure a row: `section, area, measure, period,
/// value, lower95, upper95, p, note`: as a CSV table (RFC 4180) and as the JSON API's list.
enum EvaluationExport {
    static let header = ["section", "area", "measure", "period", "value", "lower95", "upper95", "p", "note"]

    struct Figure: Content, Equatable {
        var section: String
        var area: String
        var measure: String
        var period: String
        var value: Double?
        var lower95: Double?
        var upper95: Double?
        var p: Double?
        var note: String
    }

    static func csv(_ e: CampaignEvaluation) -> String {
        func n(_ v: Double?) -> String { v.map { HotspotExport.number($0) } ?? "" }
        return figures(e).reduce(CSVWriter.record(header)) { out, f in
            out
                + CSVWriter.record([
                    f.section, f.area, f.measure, f.period, n(f.value), n(f.lower95), n(f.upper95), n(f.p), f.note,
                ])
        }
    }

    static func figures(_ e: CampaignEvaluation) -> [Figure] {
        var out: [Figure] = []
        func row(
            _ section: String, _ area: String, _ measure: String, _ period: String = "", _ v: Double? = nil,
            lo: Double? = nil, hi: Double? = nil, p: Double? = nil, note: String = ""
        ) {
            // JSON has no infinities or NaN: a figure that is not finite is left empty.
            func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
            out.append(
                Figure(
                    section: section, area: area, measure: measure, period: period, value: finite(v),
                    lower95: finite(lo), upper95: finite(hi), p: finite(p), note: note))
        }
        func estimate(
            _ section: String, _ area: String, _ measure: String, _ period: String, _ x: Estimate<RatioEstimate>?
        ) {
            switch x {
            case .value(let r): row(section, area, measure, period, r.ratio, lo: r.lower95, hi: r.upper95, p: r.p)
            case .notEstimable(let reason): row(section, area, measure, period, note: "not estimable: \(reason)")
            case nil: row(section, area, measure, period, note: "no police data for this period yet")
            }
        }
        func plain(_ section: String, _ area: String, _ measure: String, _ x: Estimate<Double>) {
            switch x {
            case .value(let v): row(section, area, measure, "", v)
            case .notEstimable(let reason): row(section, area, measure, note: "not estimable: \(reason)")
            }
        }
        let p = e.periods
        let base = e.baselinePeriod.description, during = p.during.description
        row("design", "", "outcome", note: e.outcome.label)
        row("design", "", "baseline", base, note: e.baseline.label)
        row("design", "", "during", during)
        row("design", "", "after", p.after.description, note: p.afterCovered ? "" : "not yet covered by police data")
        row("design", "", "matching window", p.window.description)
        row("design", "", "police data through", ByteParsing.monthString(p.dataThrough))
        for a in e.areas {
            let name = a.area.name, m = a.measures, c = m.counts
            row(
                "design", name, "buffer width (m)", "", a.design.bufferMetres,
                note: a.hasBuffer ? "" : "no boundary: no buffer")
            row(
                "design", name, "comparison LSOAs", "", Double(a.comparison.count),
                note: (a.design.comparison.isEmpty ? "automatic: " : "chosen: ") + a.comparison.joined(separator: " "))
            row(
                "design", name, "buffer comparison LSOAs", "", Double(a.bufferComparison.count),
                note: a.bufferComparison.joined(separator: " "))
            for (label, match) in [("comparison match", a.match), ("buffer comparison match", a.bufferMatch)] {
                row("design", name, "\(label): level ratio", p.window.description, match.levelRatio, note: match.grade)
                row("design", name, "\(label): correlation", p.window.description, match.correlation)
                row("design", name, "\(label): area trend per year (%)", p.window.description, match.treatedTrend)
                row(
                    "design", name, "\(label): comparison trend per year (%)", p.window.description,
                    match.comparisonTrend)
            }
            for (label, before, after) in [
                ("area", c.treatedBefore, c.treatedAfter), ("buffer", c.bufferBefore, c.bufferAfter),
                ("comparison", c.controlBefore, c.controlAfter),
                ("buffer comparison", c.bufferControlBefore, c.bufferControlAfter),
            ] {
                row("counts", name, label, base, before.value)
                row("counts", name, label, during, after.value)
            }
            row("effect", name, "verdict", during, note: EvaluationText.verdict(a).label)
            row("effect", name, "gross change", during, m.grossChange)
            plain("effect", name, "gross change (%)", m.grossPercent)
            plain("effect", name, "net effect (incidents prevented)", m.netEffect)
            estimate("effect", name, "relative effect size (RES)", during, m.res)
            if let adjusted = a.adjustedP {
                row("effect", name, "RES p after Benjamini–Hochberg correction", during, p: adjusted)
            }
            estimate(
                "effect", name,
                "RES against \(e.baseline == .previous ? "the same months a year earlier" : "the months just before")",
                during, a.seasonalCheck)
            estimate("effect", name, "RES after the campaign", p.after.description, a.persistence)
            switch a.did {
            case .value(let d):
                row(
                    "effect", name, "DiD incidence rate ratio (Poisson)", during, d.rateRatio.ratio,
                    lo: d.rateRatio.lower95,
                    hi: d.rateRatio.upper95, p: d.rateRatio.p,
                    note: "dispersion \(Format.number(d.dispersion, decimals: 2)); \(d.months) months")
                estimate(
                    "effect", name, "DiD pre-trend ratio per month", p.window.description,
                    d.preTrend.map(\.monthlyRatio))
            case .notEstimable(let reason):
                row("effect", name, "DiD incidence rate ratio (Poisson)", during, note: "not estimable: \(reason)")
            }
            plain("displacement", name, "success measure", m.successMeasure)
            plain("displacement", name, "buffer measure", m.bufferMeasure)
            plain("displacement", name, "weighted displacement quotient (WDQ)", m.wdq)
            plain("displacement", name, "total net effect (TNE)", m.totalNetEffect)
            switch m.wdd {
            case .value(let d):
                row(
                    "displacement", name, "weighted displacement difference (WDD)", during, d.difference, p: d.p,
                    note: "z \(Format.number(d.z, decimals: 2)); variance \(HotspotExport.number(d.variance))")
            case .notEstimable(let reason):
                row("displacement", name, "weighted displacement difference (WDD)", note: "not estimable: \(reason)")
            }
            estimate("displacement", name, "buffer RES against its comparison", during, m.bufferRES)
            row("displacement", name, "reading", during, note: a.measures.reading.rawValue)
            row("delivery", name, "patrol hours", during, a.patrolHours)
            row("delivery", name, "ASB powers used", during, a.powersUsed)
            for (k, month) in p.seriesMonths.enumerated() {
                let ms = ByteParsing.monthString(month)
                row("monthly", name, "area", ms, a.treated[k].value)
                row("monthly", name, "buffer", ms, a.buffer[k].value)
                row("monthly", name, "comparison", ms, a.control[k].value)
                row("monthly", name, "buffer comparison", ms, a.bufferControl[k].value)
            }
        }
        for (label, fit) in [("patrol hours a week", e.patrolDose), ("ASB powers used a week", e.powersDose)] {
            switch fit {
            case .value(let d):
                row(
                    "dose", "", "RES ratio per extra \(label)", during, d.perUnit.ratio, lo: d.perUnit.lower95,
                    hi: d.perUnit.upper95, p: d.perUnit.p,
                    note: "\(d.areas) areas; dispersion \(Format.number(d.dispersion, decimals: 2))")
            case .notEstimable(let reason):
                row("dose", "", "RES ratio per extra \(label)", during, note: "not estimable: \(reason)")
            }
        }
        return out
    }
}
