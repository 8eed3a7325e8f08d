import Analytics
import Foundation

/// What an evaluation counts: ASB, all crime, a harm-weighted total or one crime type.
struct EvaluationOutcome: Hashable, Sendable {
    var slug: String
    var label: String
    /// Weight by category id; categories missing are not counted.
    var weights: [Int: Double]
    var isWeighted: Bool

    static let asbSlug = "anti-social-behaviour"

    /// The outcome named by `slug`: `anti-social-behaviour` (the default), `all-crime`,
    /// `harm` (every category, ``HarmWeights/default``) or a police.uk category slug.
    static func named(_ slug: String?, categories: [(id: Int, slug: String, name: String)]) -> EvaluationOutcome? {
        let slug = slug.flatMap { $0.isEmpty ? nil : $0 } ?? asbSlug
        switch slug {
        case "all-crime":
            return EvaluationOutcome(
                slug: slug, label: "all crime",
                weights: Dictionary(
                    uniqueKeysWithValues: categories.filter { $0.slug != asbSlug }.map { ($0.id, 1.0) }),
                isWeighted: false)
        case "harm":
            let w = HarmWeights.default
            return EvaluationOutcome(
                slug: slug, label: "harm-weighted crime and ASB",
                weights: Dictionary(uniqueKeysWithValues: categories.map { ($0.id, w.weight($0.slug)) }),
                isWeighted: true)
        default:
            guard let c = categories.first(where: { $0.slug == slug }) else { return nil }
            return EvaluationOutcome(
                slug: slug, label: c.slug == asbSlug ? "ASB" : c.name.lowercased(), weights: [c.id: 1],
                isWeighted: false)
        }
    }
}

/// The periods of an evaluation, from the campaign's dates: during (the campaign's months),
/// before and after of the same length, the same months a year earlier, and the matching
/// window (the 24 months before the campaign).
struct EvaluationPeriods: Sendable {
    var during: MonthPeriod
    var before: MonthPeriod
    var after: MonthPeriod
    var lastYear: MonthPeriod
    var window: MonthPeriod
    /// The last month with police data.
    var dataThrough: Int

    init?(startsOn: String, endsOn: String, dataThrough: Int) {
        guard let a = CalendarDay(startsOn), let b = CalendarDay(endsOn) else { return nil }
        during = MonthPeriod(first: a.year * 100 + a.month, last: b.year * 100 + b.month)
        before = during.previous
        after = MonthPeriod(
            first: MonthPeriod.add(1, to: during.last), last: MonthPeriod.add(during.count, to: during.last))
        lastYear = during.yearEarlier
        window = MonthPeriod(ending: MonthPeriod.add(-1, to: during.first), count: 24)
        self.dataThrough = dataThrough
    }

    var duringCovered: Bool { during.last <= dataThrough }
    var afterCovered: Bool { after.last <= dataThrough }
    /// The months of the charts and the difference in differences: the window, the campaign
    /// and whatever of the after period has data.
    var seriesMonths: [Int] {
        MonthPeriod(first: window.first, last: min(after.last, max(dataThrough, during.last))).months
    }
}

/// The baseline the effect is measured from.
enum EvaluationBaseline: String, Sendable, CaseIterable {
    /// The equal-length period just before the campaign.
    case previous
    /// The same months a year earlier, which takes out the season.
    case lastYear = "last-year"

    var label: String {
        switch self {
        case .previous: "the months just before"
        case .lastYear: "the same months a year earlier"
        }
    }
}

/// One area's design as stored (or the defaults).
struct EvaluationDesign: Sendable {
    var bufferMetres: Double
    /// LSOA codes the user chose; empty means automatic.
    var comparison: [String]
    static let defaultBufferMetres = 800.0
}

/// Everything the report says about one treated area.
struct AreaEvaluation: Sendable {
    var area: AreaRecord
    var design: EvaluationDesign
    var comparison: [String]
    var bufferComparison: [String]
    var match: ComparisonSelection.Match
    var bufferMatch: ComparisonSelection.Match
    /// Monthly outcome over `periods.seriesMonths`.
    var treated: [WeightedCount]
    var buffer: [WeightedCount]
    var control: [WeightedCount]
    var bufferControl: [WeightedCount]
    var measures: DisplacementMeasures
    /// The campaign against the same months a year earlier (or the months before, when that
    /// is the main baseline): a check on the season.
    var seasonalCheck: Estimate<RatioEstimate>
    /// The after period against the baseline, once police data covers it.
    var persistence: Estimate<RatioEstimate>?
    var did: Estimate<PoissonDiD>
    /// The RES p-value after the Benjamini–Hochberg correction across the campaign's areas.
    var adjustedP: Double?
    var patrolHours: Double
    var powersUsed: Double
    var hasBuffer: Bool
}

struct CampaignEvaluation: Sendable {
    var campaign: CampaignStore.Campaign
    var outcome: EvaluationOutcome
    var baseline: EvaluationBaseline
    var periods: EvaluationPeriods
    var areas: [AreaEvaluation]
    var patrolDose: Estimate<DoseResponse>
    var powersDose: Estimate<DoseResponse>
    /// Comparison candidates' names by code, for the report and the design page.
    var lsoaNames: [String: String]

    var baselinePeriod: MonthPeriod { baseline == .previous ? periods.before : periods.lastYear }
}

enum EvaluationError: Error, CustomStringConvertible {
    case noData
    case badDates
    case unknownOutcome(String)

    var description: String {
        switch self {
        case .noData: "there is no police data to evaluate against: import police.uk files first"
        case .badDates: "the campaign's dates are not valid"
        case .unknownOutcome(let s):
            "“\(s)” is not an outcome: use anti-social-behaviour, all-crime, harm or a police.uk crime category"
        }
    }
}
