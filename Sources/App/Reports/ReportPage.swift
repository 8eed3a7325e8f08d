import Analytics
import CrimeData
import Foundation

/// The campaign report as the template sees it: plain English first, the numbers beside
/// it, the method at the end.
struct ReportPage: Encodable {
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    struct Row: Encodable { var label: String; var value: String; var interval: String; var p: String }
    struct Line: Encodable { var label: String; var records: String; var amount: String }
    struct SummaryRow: Encodable {
        var name: String
        var anchor: String
        var verdict: String
        var verdictClass: String
        var change: String
        var displacement: String
        var patrolHours: String
    }
    struct AreaSection: Encodable {
        var name: String
        var anchor: String
        var verdict: String
        var verdictClass: String
        var headline: String
        var displacement: String
        var match: String
        var comparisonCount: Int
        var designHref: String?
        var chartSVG: String
        var mapSVG: String
        var effects: [Row]
        var displacementRows: [Row]
        var delivered: [Line]
        var hasDelivered: Bool
    }
    struct Link: Encodable { var id: Int; var label: String; var created: String }

    var title: String
    var campaignName: String
    var campaignSlug: String
    var dates: String
    var shared: Bool
    var csrf: String
    var outcomes: [Option]
    var baselines: [Option]
    var query: String
    var csvHref: String
    var returnHref: String
    var pdfHref: String
    var summary: [String]
    var summaryRows: [SummaryRow]
    var totals: [Line]
    var partners: [Line]
    var mapSVG: String
    var dose: [String]
    var areas: [AreaSection]
    var periods: [Row]
    var method: [Row]
    var canShare: Bool
    var links: [Link]
    var hasLinks: Bool
    var newLink: String?
    var generated: String
    /// Whether the result is on the public campaign page (`/open/campaigns/{slug}`).
    var published = false
}

extension ReportPage.Line {
    /// A delivered activity: its label, records and amount in its unit ("136.5 hours").
    init(type slug: String, records: Int, quantity: Double) {
        let type = ActivityType.named(slug)
        self.init(
            label: type?.label ?? slug, records: Format.count(records),
            amount:
                "\(Format.number(quantity, decimals: quantity == quantity.rounded() ? 0 : 1)) \(type?.quantityUnit ?? "")"
        )
    }
}

extension ReportPage {
    static let verdictClass: [EvaluationText.Verdict: String] = [
        .reduction: "tag--done", .increase: "tag--blocked", .notSignificant: "tag--not-started",
        .notEstimable: "tag--not-started",
    ]
    static let verdictFill: [EvaluationText.Verdict: String] = [
        .reduction: "#92c5de", .increase: "#f4a582", .notSignificant: "#dee0e2", .notEstimable: "#ffffff",
    ]

    struct Delivery {
        /// Activity totals by area id and type: records and amount.
        var byArea: [Int: [(type: String, records: Int, quantity: Double)]]
        var byType: [(type: String, records: Int, quantity: Double)]
        var byOrganisation: [(name: String, records: Int)]
        var actionsDone: Int
        var actions: Int
    }

    static func interval(_ r: RatioEstimate) -> String {
        "\(Format.number(r.lower95, decimals: 2)) to \(Format.number(r.upper95, decimals: 2))"
    }

    static func rows(_ a: AreaEvaluation, _ e: CampaignEvaluation) -> (effects: [Row], displacement: [Row]) {
        let m = a.measures, c = m.counts, weighted = e.outcome.isWeighted
        func num(_ v: Double) -> String { EvaluationText.number(v, weighted: weighted) }
        func est(_ label: String, _ x: Estimate<RatioEstimate>?, missing: String = "No police data yet") -> Row {
            switch x {
            case .value(let r):
                Row(
                    label: label, value: Format.number(r.ratio, decimals: 2), interval: interval(r),
                    p: EvaluationText.pValue(r.p))
            case .notEstimable(let reason): Row(label: label, value: "Not estimable", interval: reason, p: "")
            case nil: Row(label: label, value: missing, interval: "", p: "")
            }
        }
        func plain(_ label: String, _ x: Estimate<Double>, decimals: Int = 2) -> Row {
            switch x {
            case .value(let v): Row(label: label, value: Format.number(v, decimals: decimals), interval: "", p: "")
            case .notEstimable(let reason): Row(label: label, value: "Not estimable", interval: reason, p: "")
            }
        }
        var effects = [
            Row(
                label: "\(e.outcome.label.capitalizedFirst) in the area, \(e.baselinePeriod) → \(e.periods.during)",
                value: "\(num(c.treatedBefore.value)) → \(num(c.treatedAfter.value))",
                interval: m.grossPercent.value.map { "gross change \(EvaluationText.signed($0))" } ?? "", p: ""),
            Row(
                label: "Comparison areas (\(a.comparison.count) LSOAs), same periods",
                value: "\(num(c.controlBefore.value)) → \(num(c.controlAfter.value))", interval: "", p: ""),
            plain("Net effect: incidents prevented against the comparison's trend", m.netEffect, decimals: 0),
            est("Relative effect size (RES; above 1 = reduction)", m.res),
        ]
        if let adjusted = a.adjustedP {
            effects.append(
                Row(
                    label: "RES p-value allowing for \(e.areas.count) areas (Benjamini–Hochberg)", value: "",
                    interval: "", p: EvaluationText.pValue(adjusted)))
        }
        switch a.did {
        case .value(let d):
            effects.append(
                Row(
                    label: "Difference in differences, Poisson rate ratio (below 1 = reduction)",
                    value: Format.number(d.rateRatio.ratio, decimals: 2), interval: interval(d.rateRatio),
                    p: EvaluationText.pValue(d.rateRatio.p)))
            switch d.preTrend {
            case .value(let t):
                effects.append(
                    Row(
                        label: "Pre-trend check: change in the area relative to the comparison each month before",
                        value: EvaluationText.signed((t.monthlyRatio.ratio - 1) * 100),
                        interval: interval(t.monthlyRatio),
                        p: EvaluationText.pValue(t.monthlyRatio.p)
                            + (t.diverges ? " (trends diverge: treat the estimate with care)" : " (parallel)")))
            case .notEstimable(let reason):
                effects.append(Row(label: "Pre-trend check", value: "Not estimable", interval: reason, p: ""))
            }
        case .notEstimable(let reason):
            effects.append(
                Row(label: "Difference in differences (Poisson)", value: "Not estimable", interval: reason, p: ""))
        }
        effects.append(
            est(
                "Seasonal check: RES against \(e.baseline == .previous ? "the same months a year earlier" : "the months just before")",
                a.seasonalCheck))
        effects.append(est("After the campaign: RES for \(e.periods.after)", a.persistence))
        var displacement: [Row] = []
        if a.hasBuffer {
            displacement = [
                Row(
                    label: "Buffer (\(Int(a.design.bufferMetres)) m ring), \(e.baselinePeriod) → \(e.periods.during)",
                    value: "\(num(c.bufferBefore.value)) → \(num(c.bufferAfter.value))", interval: "", p: ""),
                Row(
                    label: "Buffer comparison (\(a.bufferComparison.count) LSOAs)",
                    value: "\(num(c.bufferControlBefore.value)) → \(num(c.bufferControlAfter.value))", interval: "",
                    p: ""),
                est("Buffer against its comparison (RES; below 1 = worse)", m.bufferRES),
                plain("Weighted displacement quotient (WDQ)", m.wdq),
                Row(
                    label: "Success measure / buffer measure (Bowers & Johnson)",
                    value: [m.successMeasure.value, m.bufferMeasure.value].map {
                        $0.map { Format.number($0, decimals: 3) } ?? "–"
                    }.joined(separator: " / "),
                    interval: "", p: ""),
                plain("Total net effect (TNE): prevented in area and buffer", m.totalNetEffect, decimals: 0),
            ]
            switch m.wdd {
            case .value(let d):
                displacement.append(
                    Row(
                        label: "Weighted displacement difference (WDD; below 0 = fewer overall)",
                        value: Format.number(d.difference, decimals: weighted ? 1 : 0),
                        interval: "z \(Format.number(d.z, decimals: 2))", p: EvaluationText.pValue(d.p)))
            case .notEstimable(let reason):
                displacement.append(
                    Row(label: "Weighted displacement difference", value: "Not estimable", interval: reason, p: ""))
            }
        }
        return (effects, displacement)
    }

    static func chart(_ a: AreaEvaluation, _ e: CampaignEvaluation, id: String) -> String {
        let months = e.periods.seriesMonths
        let window = e.periods.window.months.compactMap { months.firstIndex(of: $0) }
        func scaled(_ s: [WeightedCount], to reference: [WeightedCount]) -> [Double] {
            let a = window.reduce(0) { $0 + s[$1].value }, b = window.reduce(0) { $0 + reference[$1].value }
            return s.map { a > 0 ? $0.value * b / a : 0 }
        }
        var series = [
            SVGLineChart.Series(label: a.area.shortName, values: a.treated.map(\.value), colour: "#1d70b8"),
            SVGLineChart.Series(
                label: "Comparison (scaled)", values: scaled(a.control, to: a.treated), colour: "#505a5f", dashed: true),
        ]
        if a.hasBuffer {
            series.append(SVGLineChart.Series(label: "Buffer", values: a.buffer.map(\.value), colour: "#d4351c"))
        }
        let chart = SVGLineChart(
            months: months, series: series,
            bands: [
                .init(period: e.baselinePeriod, label: "Before", fill: "#dee0e2"),
                .init(period: e.periods.during, label: "Campaign", fill: "#ffdd00"),
            ]
                + (e.periods.afterCovered ? [.init(period: e.periods.after, label: "After", fill: "#bbd4ea")] : []))
        return chart.render(
            title:
                "\(e.outcome.label.capitalizedFirst) each month in \(a.area.name), its comparison areas and its buffer",
            id: id)
    }

    static func map(_ a: AreaEvaluation, others: [AreaEvaluation], id: String) -> String {
        guard let shape = a.area.shape else { return "" }
        let verdict = EvaluationText.verdict(a)
        var outlines: [SVGMap.Outline] = []
        var extent = shape.bounds.expanded(by: a.design.bufferMetres + 150)
        if let ring = bufferRing(a) {
            outlines.append(
                .init(
                    shape: ring, label: "", href: nil, fill: "#fbd5b5",
                    title: "Buffer: \(Int(a.design.bufferMetres)) m around the area"))
            extent = ring.bounds.expanded(by: 150)
        }
        for o in others where o.area.id != a.area.id {
            if let s = o.area.shape, s.bounds.intersects(extent) {
                outlines.append(
                    .init(
                        shape: s, label: "", href: nil, fill: "#ffffff",
                        title: "\(o.area.name) (treated: not in this buffer)"))
            }
        }
        outlines.append(
            .init(
                shape: shape, label: a.area.name, href: nil, fill: verdictFill[verdict],
                title: "\(a.area.name): \(verdict.label)"))
        let map = SVGMap(
            extent: extent, maxWidth: 420, maxMapHeight: 300, outlines: outlines,
            legend: [
                .init(fill: verdictFill[verdict] ?? "#ffffff", text: "Area: \(verdict.label.lowercased())"),
                .init(fill: "#fbd5b5", text: "Buffer"),
            ],
            legendTitle: "")
        return map.render(
            title: "Map of \(a.area.name) and its buffer",
            description: "\(a.area.name) with a \(Int(a.design.bufferMetres)) m buffer ring", id: id)
    }

    /// The buffer of a radius area drawn as a ring; other shapes have no drawn ring.
    static func bufferRing(_ a: AreaEvaluation) -> AreaShape? {
        guard a.area.kind == .radius, let r = a.area.radius else { return nil }
        let outer = AreaShape.circle(centre: a.area.centre, radius: r + a.design.bufferMetres).polygons[0][0]
        let inner = AreaShape.circle(centre: a.area.centre, radius: r).polygons[0][0]
        return try? AreaShape(polygons: [[outer, inner]])
    }

    static func overviewMap(_ e: CampaignEvaluation) -> String {
        let shapes = e.areas.compactMap { a in a.area.shape.map { (a, $0) } }
        guard let first = shapes.first else { return "" }
        let extent = shapes.dropFirst().reduce(first.1.bounds) { $0.union($1.1.bounds) }
        var outlines: [SVGMap.Outline] = shapes.compactMap { a, _ in
            bufferRing(a).map {
                .init(shape: $0, label: "", href: nil, fill: "#fbd5b5", title: "Buffer of \(a.area.name)")
            }
        }
        outlines += shapes.map { a, s in
            let v = EvaluationText.verdict(a)
            return .init(
                shape: s, label: a.area.shortName, href: "#\(a.area.slug)",
                fill: verdictFill[v], title: "\(a.area.name): \(v.label)")
        }
        let map = SVGMap(
            extent: extent.expanded(by: max(extent.width, extent.height) * 0.06), outlines: outlines,
            legend: [EvaluationText.Verdict.reduction, .increase, .notSignificant].map {
                .init(fill: verdictFill[$0] ?? "#ffffff", text: $0.label)
            }
                + [.init(fill: "#fbd5b5", text: "Buffer")],
            legendTitle: "Effect in each area")
        return map.render(
            title: "Map of the campaign's areas and their effects",
            description: e.areas.map { "\($0.area.name): \(EvaluationText.verdict($0).label)" }.joined(separator: "; "),
            id: "overview-map")
    }
}
