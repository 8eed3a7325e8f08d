import Analytics
import CrimeData
import Foundation

/// The report's prose: the summary and the method, written from the evaluation.
extension EvaluationText {
    /// The report's opening paragraph: what changed where, displacement, and the net effect.
    static func summary(_ e: CampaignEvaluation) -> [String] {
        let by = Dictionary(grouping: e.areas, by: EvaluationText.verdict)
        func names(_ v: EvaluationText.Verdict) -> String {
            (by[v] ?? []).map { $0.area.shortName }.joined(separator: ", ")
        }
        let n = e.areas.count
        var s = [
            "From \(e.periods.during) against \(e.baseline.label) (\(e.baselinePeriod)), \(e.outcome.label) fell significantly, "
                + "relative to matched comparison areas, in \(by[.reduction]?.count ?? 0) of \(n) areas"
                + ((by[.reduction]?.isEmpty ?? true) ? "." : ": \(names(.reduction)).")
        ]
        if let none = by[.notSignificant], !none.isEmpty {
            s.append("No significant change (not significant) in \(none.count): \(names(.notSignificant)).")
        }
        if let up = by[.increase], !up.isEmpty {
            s.append("A significant increase in \(up.count): \(names(.increase)).")
        }
        if let ne = by[.notEstimable], !ne.isEmpty {
            s.append("Not estimable in \(ne.count): \(names(.notEstimable)), too few incidents.")
        }
        let displaced = e.areas.filter { [.displacement, .displacementExceedsEffect].contains($0.measures.reading) }
        let diffused = e.areas.filter { $0.measures.reading == .diffusion }
        if !displaced.isEmpty {
            s.append(
                "Displacement to the surrounding streets was found around \(displaced.map { $0.area.shortName }.joined(separator: ", "))."
            )
        } else if by[.reduction] != nil {
            s.append("No displacement to the surrounding streets was found around the areas that improved.")
        }
        if !diffused.isEmpty {
            s.append(
                "The benefits spread to the surrounding streets around \(diffused.map(\.area.name).joined(separator: ", "))."
            )
        }
        let prevented = (by[.reduction] ?? []).compactMap { $0.measures.totalNetEffect.value }.reduce(0, +)
        if by[.reduction] != nil {
            s.append(
                "Taking displacement into account, about \(Format.number(prevented, decimals: 0)) \(e.outcome.isWeighted ? "harm points" : "incidents") were prevented in those areas and their buffers (total net effect)."
            )
        }
        return s
    }

    /// The method section: effect, mechanism, moderators, implementation, economic cost
    /// and limits (EMMIE), in words a councillor can follow.
    static func method(_ e: CampaignEvaluation, _ d: ReportPage.Delivery) -> [ReportPage.Row] {
        let widths = Set(e.areas.map { Int($0.design.bufferMetres) }).sorted().map { "\($0) m" }.joined(separator: ", ")
        let topTypes = d.byType.sorted { $0.records > $1.records }.prefix(4).map {
            ActivityType.named($0.type)?.label.lowercased() ?? $0.type
        }
        let patrol = d.byType.first { $0.type == "patrol" }?.quantity ?? 0
        return [
            .init(
                label: "Effect",
                value:
                    "Each area's \(e.outcome.label) in the campaign months is compared with \(e.baseline.label) and with comparison areas: "
                    + "LSOAs outside every treated area and its buffer, chosen by greedy matching to the area's monthly counts over the "
                    + "24 months before (level, trend and season; Abadie et al. 2010). Relative effect size (Farrington et al. 2007) with a 95% "
                    + "interval; p-values adjusted across the \(e.areas.count) areas by Benjamini–Hochberg. A Poisson difference in differences "
                    + "with area and month effects and quasi-Poisson errors over the matching window and the campaign months, with a pre-trend "
                    + "check (Wooldridge 2023). Displacement: a buffer ring (\(widths)) outside the area and other treated areas, against its own "
                    + "comparison areas: WDQ (Bowers & Johnson 2003), total net effect (Guerette 2009) and WDD (Wheeler & Ratcliffe 2018). Counts "
                    + "below 10, or zero in any period, are reported as not estimable.", interval: "", p: ""),
            .init(
                label: "Mechanism",
                value:
                    "What partners did: mostly \(topTypes.joined(separator: ", ")). Visible patrols and ASB powers aim to raise the "
                    + "risk and effort of ASB in the hot spots; youth work and outreach to reduce the reasons for it. The data show what was done, "
                    + "not which of these worked.", interval: "", p: ""),
            .init(
                label: "Moderators",
                value: "Effects differ between areas (see each area). Dose: "
                    + EvaluationText.doseSentence(e.patrolDose, unit: "patrol hour a week"), interval: "", p: ""),
            .init(
                label: "Implementation",
                value: "\(d.actionsDone) of \(d.actions) plan actions done; "
                    + "\(Format.count(d.byType.reduce(0) { $0 + $1.records })) activity records from \(d.byOrganisation.count) partners.",
                interval: "", p: ""),
            .init(
                label: "Economic cost",
                value:
                    "SaferStreets records hours and counts, not spend: \(Format.number(patrol, decimals: 0)) patrol hours were "
                    + "recorded. Multiply by local unit costs to cost the campaign against the incidents prevented.",
                interval: "", p: ""),
            .init(
                label: "Limits",
                value:
                    "Police.uk locations are snapped to map points and ASB is what is reported, not all that happens. Comparison "
                    + "areas are matched on the past, not chosen at random, so an effect can still come from something else that changed at "
                    + "the same time in the treated areas only.", interval: "", p: ""),
        ]
    }
}

extension DisplacementReading {
    var label: String {
        switch self {
        case .noEffectToDisplace: "No effect to displace"
        case .noChange: "No displacement"
        case .displacement: "Displacement"
        case .displacementExceedsEffect: "Displacement larger than the effect"
        case .diffusion: "Diffusion of benefits"
        }
    }
}
