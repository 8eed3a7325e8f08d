import Foundation

/// A count, or a harm-weighted sum of counts, with its Poisson variance. For a plain count
/// n the variance is n; for a weighted sum Σ wᵢ nᵢ of independent Poisson counts it is
/// Σ wᵢ² nᵢ (the variance of a compound Poisson sum), so every test below works on
/// harm-weighted outcomes too.
public struct WeightedCount: Sendable, Hashable, Codable {
    public var value: Double
    public var variance: Double

    /// Counts and variances are non-negative; a negative or NaN one (a damaged stored sum)
    /// is taken as 0 rather than stopping the server.
    public init(value: Double, variance: Double) {
        self.value = value >= 0 ? value : 0
        self.variance = variance >= 0 ? variance : 0
    }

    public init(_ count: Int) { self.init(value: Double(count), variance: Double(count)) }

    public static let zero = WeightedCount(value: 0, variance: 0)

    public static func + (a: WeightedCount, b: WeightedCount) -> WeightedCount {
        WeightedCount(value: a.value + b.value, variance: a.variance + b.variance)
    }
}

/// A statistic that may not be estimable from the counts at hand: a zero denominator, a
/// zero count inside a logarithm, or too few incidents for the number to mean anything.
/// Reports print the reason instead of infinity or a misleading ratio.
public enum Estimate<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    case value(Value)
    case notEstimable(String)

    public var value: Value? {
        if case .value(let v) = self { return v }
        return nil
    }

    public var reason: String? {
        if case .notEstimable(let r) = self { return r }
        return nil
    }
}

/// An estimate on the ratio scale with its 95% confidence interval and two-sided p-value
/// against "no effect" (ratio 1).
public struct RatioEstimate: Sendable, Hashable, Codable {
    public var ratio: Double
    public var lower95: Double
    public var upper95: Double
    public var p: Double

    /// From a log-scale estimate and its standard error, with a normal interval.
    public init(log estimate: Double, standardError se: Double) {
        let z = 1.959963984540054
        ratio = exp(estimate)
        lower95 = exp(estimate - z * se)
        upper95 = exp(estimate + z * se)
        p = Normal.twoSidedP(estimate / se)
    }

    public var isSignificant: Bool { p < 0.05 }
}

/// The counts of a place-based evaluation, with the letters of the literature: R the
/// treated (response) area, D the buffer (displacement) area around it, C the control
/// (comparison) area for R, and C′ a second, separate control for D; b before and a
/// after (or during) the intervention. Periods are of equal length.
public struct EvaluationCounts: Sendable, Hashable, Codable {
    public var treatedBefore: WeightedCount, treatedAfter: WeightedCount
    public var bufferBefore: WeightedCount, bufferAfter: WeightedCount
    public var controlBefore: WeightedCount, controlAfter: WeightedCount
    public var bufferControlBefore: WeightedCount, bufferControlAfter: WeightedCount

    public init(
        treatedBefore: WeightedCount, treatedAfter: WeightedCount, bufferBefore: WeightedCount,
        bufferAfter: WeightedCount,
        controlBefore: WeightedCount, controlAfter: WeightedCount, bufferControlBefore: WeightedCount,
        bufferControlAfter: WeightedCount
    ) {
        self.treatedBefore = treatedBefore
        self.treatedAfter = treatedAfter
        self.bufferBefore = bufferBefore
        self.bufferAfter = bufferAfter
        self.controlBefore = controlBefore
        self.controlAfter = controlAfter
        self.bufferControlBefore = bufferControlBefore
        self.bufferControlAfter = bufferControlAfter
    }

    /// Plain counts, in the order R_b, R_a, D_b, D_a, C_b, C_a, C′_b, C′_a.
    public init(_ rb: Int, _ ra: Int, _ db: Int, _ da: Int, _ cb: Int, _ ca: Int, _ cpb: Int, _ cpa: Int) {
        self.init(
            treatedBefore: WeightedCount(rb), treatedAfter: WeightedCount(ra), bufferBefore: WeightedCount(db),
            bufferAfter: WeightedCount(da), controlBefore: WeightedCount(cb), controlAfter: WeightedCount(ca),
            bufferControlBefore: WeightedCount(cpb), bufferControlAfter: WeightedCount(cpa))
    }
}

/// What the buffer did while the treated area changed, in Bowers & Johnson's terms.
public enum DisplacementReading: String, Sendable, Hashable, Codable {
    /// The treated area did not improve against its control, so there is no effect to be
    /// displaced and the WDQ is not interpreted.
    case noEffectToDisplace = "no-effect"
    /// The buffer did not change significantly against its control.
    case noChange = "no-change"
    /// The buffer got worse against its control: some of the problem moved.
    case displacement
    /// The buffer got worse by more than the treated area improved.
    case displacementExceedsEffect = "displacement-exceeds-effect"
    /// The buffer improved too: the benefits spread beyond the treated area.
    case diffusion

    public var sentence: String {
        switch self {
        case .noEffectToDisplace:
            "There was no reduction in the area to be displaced, so displacement cannot be judged."
        case .noChange:
            "No significant change in the surrounding streets: no sign of displacement or of diffusion of benefits."
        case .displacement:
            "Some of the problem moved to the surrounding streets (displacement), but less than was prevented in the area."
        case .displacementExceedsEffect:
            "More of the problem moved to the surrounding streets than was prevented in the area: the net effect is a loss."
        case .diffusion: "The surrounding streets improved too: a diffusion of benefits."
        }
    }
}

/// The standard measures of a place-based evaluation with a buffer and comparison areas.
///
/// Sources:
/// - Gross and net effect, the success and buffer measures and the Weighted Displacement
///   Quotient: Bowers, K. J. & Johnson, S. D. (2003), "Measuring the geographical
///   displacement and diffusion of benefit effects of crime prevention activity",
///   Journal of Quantitative Criminology 19(3), 275–301.
///   WDQ = (D_a/C_a − D_b/C_b) / (R_a/C_a − R_b/C_b).
/// - Total Net Effect: Guerette, R. T. (2009), "Analyzing crime displacement and diffusion",
///   Problem-Oriented Guides for Police, Tool Guide 10:
///   TNE = [R_b·(C_a/C_b) − R_a] + [D_b·(C_a/C_b) − D_a] (positive = incidents prevented).
/// - Weighted Displacement Difference: Wheeler, A. P. & Ratcliffe, J. H. (2018), "A simple
///   weighted displacement difference test to evaluate place based crime interventions",
///   Crime Science 7:11. WDD = (R_a − R_b) − (C_a − C_b) + (D_a − D_b) − (C′_a − C′_b),
///   Var(WDD) = the sum of the eight counts under a Poisson assumption; z = WDD/√Var.
///   When a control is larger than the place it stands for, its counts are scaled by
///   `controlScale` (and C′ by `bufferControlScale`) and their variances by the square, as
///   in the area-weighted WDD of Wheeler's ptools package (`wdd(area_weights=)`, which
///   divides each count by its area's weight).
/// - Relative effect size: Farrington, D. P., Gill, M., Waples, S. J. & Argomaniz, J. (2007),
///   "The effects of closed-circuit television on crime: meta-analysis of an English
///   national quasi-multi-site evaluation", Journal of Experimental Criminology 3, 21–38.
///   RES = (R_b·C_a)/(R_a·C_b), Var(ln RES) ≈ 1/R_b + 1/R_a + 1/C_b + 1/C_a; RES > 1 is
///   a desirable effect.
///
/// For harm-weighted outcomes the Poisson variances become Σw²n (see ``WeightedCount``);
/// Var(ln X) ≈ Var(X)/X² by the delta method, which is 1/n for a plain count.
public struct DisplacementMeasures: Sendable, Hashable, Codable {
    public var counts: EvaluationCounts
    /// Multiplier putting the control on the treated area's scale (1 when comparable), for
    /// WDD only: the ratio measures do not depend on the control's size.
    public var controlScale: Double
    /// The same for the buffer's control C′.
    public var bufferControlScale: Double

    /// Below this many incidents in the treated area (before and after together) a ratio
    /// says more about chance than about the intervention.
    public static let minimumTreatedIncidents = 10.0

    /// Scales are positive; a zero, negative or non-finite one is taken as 1 (no scaling),
    /// as `EvaluationService.scale` gives when a series is empty.
    public init(_ counts: EvaluationCounts, controlScale: Double = 1, bufferControlScale: Double = 1) {
        self.counts = counts
        self.controlScale = controlScale > 0 && controlScale.isFinite ? controlScale : 1
        self.bufferControlScale = bufferControlScale > 0 && bufferControlScale.isFinite ? bufferControlScale : 1
    }

    private var rb: Double { counts.treatedBefore.value }
    private var ra: Double { counts.treatedAfter.value }
    private var db: Double { counts.bufferBefore.value }
    private var da: Double { counts.bufferAfter.value }
    private var cb: Double { counts.controlBefore.value }
    private var ca: Double { counts.controlAfter.value }
    private var cpb: Double { counts.bufferControlBefore.value }
    private var cpa: Double { counts.bufferControlAfter.value }

    /// Gross effect: the change in the treated area, R_a − R_b (negative = fewer).
    public var grossChange: Double { ra - rb }

    /// The gross change as a share of the before count.
    public var grossPercent: Estimate<Double> {
        rb > 0 ? .value((ra - rb) / rb * 100) : .notEstimable("no incidents in the area before")
    }

    /// The control area's after/before ratio C_a/C_b: what the treated area would have
    /// seen had it followed the control.
    public var controlRatio: Estimate<Double> {
        cb > 0 ? .value(ca / cb) : .notEstimable("no incidents in the comparison area before")
    }

    /// Net effect: incidents prevented in the treated area against the control's trend,
    /// R_b·(C_a/C_b) − R_a (positive = fewer than expected).
    public var netEffect: Estimate<Double> {
        controlRatio.map { rb * $0 - ra }
    }

    /// Success measure R_a/C_a − R_b/C_b: negative when the treated area did better than its
    /// control.
    public var successMeasure: Estimate<Double> {
        guard ca > 0, cb > 0 else { return .notEstimable("no incidents in the comparison area in one of the periods") }
        return .value(ra / ca - rb / cb)
    }

    /// Buffer measure D_a/C_a − D_b/C_b: positive when the buffer did worse than the control.
    public var bufferMeasure: Estimate<Double> {
        guard ca > 0, cb > 0 else { return .notEstimable("no incidents in the comparison area in one of the periods") }
        return .value(da / ca - db / cb)
    }

    /// Weighted Displacement Quotient, buffer measure over success measure; defined only
    /// when the success measure is negative (the treated area improved).
    public var wdq: Estimate<Double> {
        guard let success = successMeasure.value, let buffer = bufferMeasure.value else {
            return .notEstimable("no incidents in the comparison area in one of the periods")
        }
        guard success < 0 else { return .notEstimable("the area did not improve against its comparison area") }
        return .value(buffer / success)
    }

    /// Total Net Effect: incidents prevented in the area and its buffer together, against
    /// the control's trend (positive = prevented).
    public var totalNetEffect: Estimate<Double> {
        controlRatio.map { (rb * $0 - ra) + (db * $0 - da) }
    }

    /// Weighted Displacement Difference with its z-score and two-sided p-value (negative =
    /// fewer incidents overall than the controls' changes predict).
    public var wdd: Estimate<WDD> {
        let (k, kp) = (controlScale, bufferControlScale)
        let d = (ra - rb) - k * (ca - cb) + (da - db) - kp * (cpa - cpb)
        let c = counts
        let variance =
            [c.treatedBefore, c.treatedAfter, c.bufferBefore, c.bufferAfter].reduce(0) { $0 + $1.variance }
            + k * k * (c.controlBefore.variance + c.controlAfter.variance)
            + kp * kp * (c.bufferControlBefore.variance + c.bufferControlAfter.variance)
        guard variance > 0 else { return .notEstimable("no incidents in any of the eight counts") }
        let z = d / variance.squareRoot()
        return .value(WDD(difference: d, variance: variance, z: z, p: Normal.twoSidedP(z)))
    }

    public struct WDD: Sendable, Hashable, Codable {
        public var difference: Double
        public var variance: Double
        public var z: Double
        public var p: Double
    }

    /// Relative effect size of the treated area against its control, with the 95% interval
    /// and p-value of ln RES. RES > 1 is a reduction relative to the control; the percentage
    /// reduction is (1 − 1/RES)·100.
    public var res: Estimate<RatioEstimate> {
        Self.relativeEffect(
            before: counts.treatedBefore, after: counts.treatedAfter, controlBefore: counts.controlBefore,
            controlAfter: counts.controlAfter, place: "the area")
    }

    /// The same for the buffer against its own control C′: RES < 1 means the buffer got
    /// worse (displacement), RES > 1 that it improved (diffusion).
    public var bufferRES: Estimate<RatioEstimate> {
        Self.relativeEffect(
            before: counts.bufferBefore, after: counts.bufferAfter, controlBefore: counts.bufferControlBefore,
            controlAfter: counts.bufferControlAfter, place: "the surrounding streets")
    }

    static func relativeEffect(
        before: WeightedCount, after: WeightedCount, controlBefore: WeightedCount, controlAfter: WeightedCount,
        place: String
    ) -> Estimate<RatioEstimate> {
        let parts = [
            (before, "\(place) before"), (after, "\(place) during"), (controlBefore, "the comparison area before"),
            (controlAfter, "the comparison area during"),
        ]
        if let zero = parts.first(where: { $0.0.value <= 0 }) {
            return .notEstimable("no incidents in \(zero.1)")
        }
        guard before.value + after.value >= minimumTreatedIncidents else {
            return .notEstimable(
                "too few incidents in \(place) (\(Int((before.value + after.value).rounded()))) to estimate an effect")
        }
        let ln = log(before.value * controlAfter.value / (after.value * controlBefore.value))
        let variance = parts.reduce(0) { $0 + $1.0.variance / ($1.0.value * $1.0.value) }
        return .value(RatioEstimate(log: ln, standardError: variance.squareRoot()))
    }

    /// The plain-English reading of the buffer: the treated area must have improved
    /// significantly (RES interval above 1) for displacement to be judged; then the
    /// buffer's own RES against C′ says whether it changed, and the WDQ whether the change
    /// outweighed the gain (WDQ < −1).
    public var reading: DisplacementReading {
        guard let effect = res.value, effect.lower95 > 1 else { return .noEffectToDisplace }
        guard let buffer = bufferRES.value, buffer.isSignificant else { return .noChange }
        if buffer.ratio > 1 { return .diffusion }
        if let q = wdq.value, q < -1 { return .displacementExceedsEffect }
        return .displacement
    }
}

extension Estimate {
    public func map<T>(_ transform: (Value) -> T) -> Estimate<T> {
        switch self {
        case .value(let v): .value(transform(v))
        case .notEstimable(let r): .notEstimable(r)
        }
    }
}
