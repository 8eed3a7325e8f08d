import Analytics
import CrimeData
import Foundation

/// The plain-English readings of an evaluation, shared by the report page, its CSV and
/// the command line, so they always say the same thing.
enum EvaluationText {
    enum Verdict: String, CaseIterable {
        case reduction, increase, notSignificant = "not-significant", notEstimable = "not-estimable"

        var label: String {
            switch self {
            case .reduction: "Significant reduction"
            case .increase: "Significant increase"
            case .notSignificant: "Not significant"
            case .notEstimable: "Not estimable"
            }
        }
    }

    /// Significant means the RES interval excludes 1 and the p-value stays below 0.05 after
    /// the Benjamini–Hochberg correction across the campaign's areas.
    static func verdict(_ a: AreaEvaluation) -> Verdict {
        guard let res = a.measures.res.value else { return .notEstimable }
        guard (a.adjustedP ?? res.p) < 0.05 else { return .notSignificant }
        if res.lower95 > 1 { return .reduction }
        if res.upper95 < 1 { return .increase }
        return .notSignificant
    }

    /// Change relative to the comparison area, in per cent (negative = fewer): 1/RES − 1.
    static func relativeChange(_ r: RatioEstimate) -> (change: Double, lower: Double, upper: Double) {
        ((1 / r.ratio - 1) * 100, (1 / r.upper95 - 1) * 100, (1 / r.lower95 - 1) * 100)
    }

    static func percent(_ v: Double) -> String {
        let r = (abs(v) * 10).rounded() / 10
        let text = r >= 10 ? String(Int(r.rounded())) : Format.number(r, decimals: 1)
        return "\(text)%"
    }

    static func signed(_ v: Double) -> String { (v < 0 ? "−" : v > 0 ? "+" : "") + percent(v) }

    static func number(_ v: Double, weighted: Bool) -> String {
        weighted ? Format.number(v, decimals: 1) : Format.count(Int(v.rounded()))
    }

    static func pValue(_ p: Double) -> String {
        p < 0.001 ? "p < 0.001" : "p = \(Format.number(p, decimals: 3))"
    }

    /// The headline sentence for an area.
    static func headline(_ a: AreaEvaluation, _ e: CampaignEvaluation) -> String {
        let what = e.outcome.label
        let place = a.area.name
        switch (verdict(a), a.measures.res) {
        case (_, .notEstimable(let reason)):
            return "Not estimable for \(place): \(reason)."
        case (.reduction, .value(let r)):
            let c = relativeChange(r)
            return "\(what.capitalizedFirst) in \(place) fell by \(percent(c.change)) relative to its comparison areas "
                + "(95% confidence interval \(percent(-c.upper)) to \(percent(-c.lower)) fewer). This is unlikely to be chance."
        case (.increase, .value(let r)):
            let c = relativeChange(r)
            return "\(what.capitalizedFirst) in \(place) rose by \(percent(c.change)) relative to its comparison areas "
                + "(95% confidence interval \(signed(c.lower)) to \(signed(c.upper)))."
        case (_, .value(let r)):
            let c = relativeChange(r)
            return
                "No significant change in \(place): \(what) changed by \(signed(c.change)) relative to its comparison areas, "
                + "within what chance alone produces (95% confidence interval \(signed(c.lower)) to \(signed(c.upper)); not significant)."
        }
    }

    /// The displacement sentence for an area.
    static func displacement(_ a: AreaEvaluation) -> String {
        guard a.hasBuffer else {
            return "The area has no boundary, so no buffer could be drawn and displacement was not measured."
        }
        var s = a.measures.reading.sentence
        if let q = a.measures.wdq.value, a.measures.reading != .noEffectToDisplace {
            s += " WDQ \(Format.number(q, decimals: 2))."
        }
        return s
    }

    static func matchSentence(_ m: ComparisonSelection.Match) -> String {
        var parts: [String] = []
        if let r = m.correlation { parts.append("correlation \(Format.number(r, decimals: 2))") }
        if let t = m.treatedTrend, let c = m.comparisonTrend {
            parts.append("trend \(signed(t)) a year in the area, \(signed(c)) in the comparison")
        }
        parts.append("comparison level \(Format.number(m.levelRatio, decimals: 2))× the area's")
        return "\(m.grade.capitalizedFirst) match: " + parts.joined(separator: "; ") + "."
    }

    static func doseSentence(_ d: Estimate<DoseResponse>, unit: String) -> String {
        switch d {
        case .notEstimable(let reason): return "Not estimable: \(reason)."
        case .value(let fit):
            let per = (fit.perUnit.ratio - 1) * 100
            let lo = (fit.perUnit.lower95 - 1) * 100, hi = (fit.perUnit.upper95 - 1) * 100
            let sig = fit.perUnit.isSignificant ? "a significant association" : "not significant"
            return
                "Each extra \(unit) went with a relative effect size \(signed(per)) larger (95% CI \(signed(lo)) to \(signed(hi)); "
                + "\(pValue(fit.perUnit.p)); \(sig); \(fit.areas) areas)."
        }
    }
}
