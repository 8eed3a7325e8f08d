import Analytics
import CrimeData
import Foundation

enum MeasureFrequency: String, Codable, Sendable, CaseIterable {
    case monthly, quarterly

    var label: String { self == .monthly ? "Monthly" : "Quarterly" }
}

/// Where a measure's figures come from.
enum MeasureSource: String, Codable, Sendable, CaseIterable {
    /// Police.uk street crime and ASB counts (or rates) for a force, local authority or area.
    case crimes
    /// Stop and search: the share of searches whose outcome was linked to the object searched for.
    case stopSearchFindRate = "stop-search-find-rate"
    /// The share of a force's crimes (street data) whose outcome history (outcomes files)
    /// includes a charge or summons, by the month the crime was recorded.
    case chargeSummonsShare = "charge-summons-share"
    /// Delivered activity from the ledger (all partners), e.g. patrol hours.
    case activity
    /// Figures police.uk does not hold, entered by form, CSV or the API.
    case entered

    var isComputed: Bool { self != .entered }
}

enum MeasureGeography: String, Codable, Sendable, CaseIterable {
    case force, localAuthority = "local-authority", area
}

enum MeasureTargetKind: String, Codable, Sendable {
    case none = "", value, percent
}

/// A measure of the Police and Crime Plan, as stored.
struct Measure: Codable, Sendable {
    var id: Int
    var slug: String
    var name: String
    var definition: String
    var unit: String
    var frequency: MeasureFrequency
    var direction: SPC.Direction
    var owner: String
    var sourceKind: MeasureSource
    /// Crime category slugs, comma-separated; `all-crime` is every category but ASB.
    var categories: String
    var geographyKind: String
    var geographyId: String
    var perThousand: Int
    var activityType: String
    var baselineFirst: Int?
    var baselineLast: Int?
    var baselineValue: Double?
    var targetKind: MeasureTargetKind
    var targetValue: Double?
    var targetBy: Int?
    var fixLimitsAfter: Int?
    var position: Int
    var createdAt: String

    var categoryList: [String] { categories.split(separator: ",").map(String.init) }
    var isRate: Bool { perThousand != 0 }
    var geography: MeasureGeography? { MeasureGeography(rawValue: geographyKind) }

    /// The target as a value on the measure's scale, given the baseline mean.
    func targetLevel(baseline: Double?) -> Double? {
        guard let targetValue else { return nil }
        switch targetKind {
        case .none: return nil
        case .value: return targetValue
        case .percent: return baseline.map { $0 * (1 + targetValue / 100) }
        }
    }
}

/// One period's figure.
struct MeasureValue: Codable, Sendable {
    var measureId: Int
    /// The period's first month, YYYYMM.
    var period: Int
    var value: Double
    var numerator: Double?
    var denominator: Double?
    var computed: Int
    var source: String
    var enteredBy: Int?
    var enteredAt: String
}

/// A dated change after which a measure's limits start again.
struct MeasureRebase: Codable, Sendable {
    var measureId: Int
    var period: Int
    var reason: String
}

/// What a measure is defined as, before it is stored (the form, the demo, the CSV of measures).
struct MeasureDraft: Codable, Sendable {
    var slug: String
    var name: String
    var definition: String = ""
    var unit: String = ""
    var frequency: MeasureFrequency = .monthly
    var direction: SPC.Direction = .down
    var owner: String = ""
    var source: MeasureSource = .entered
    var categories: [String] = []
    var geography: MeasureGeography = .force
    var geographyID: String = ""
    var perThousand = false
    var activityType = ""
    var baselineFirst: Int?
    var baselineLast: Int?
    var baselineValue: Double?
    var targetKind: MeasureTargetKind = .none
    var targetValue: Double?
    var targetBy: Int?
    var fixLimitsAfter: Int?
    var themes: [String] = []

    func problems(knownCategories: Set<String>) -> [FieldError] {
        var out: [FieldError] = []
        if !Slug.isValid(slug) {
            out.append(FieldError(field: "slug", message: "Give a short name: letters, digits, hyphens"))
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 200 {
            out.append(FieldError(field: "name", message: "Name the measure (up to 200 characters)"))
        }
        if definition.count > 4_000 { out.append(FieldError(field: "definition", message: "Up to 4,000 characters")) }
        switch source {
        case .crimes:
            if categories.isEmpty || categories.contains(where: { !knownCategories.contains($0) && $0 != "all-crime" })
            {
                out.append(FieldError(field: "categories", message: "Choose the crime types counted"))
            }
            if geographyID.isEmpty { out.append(FieldError(field: "geographyID", message: "Choose the place")) }
        case .stopSearchFindRate, .chargeSummonsShare:
            if geography != .force || geographyID.isEmpty {
                out.append(
                    FieldError(
                        field: "geographyID",
                        message:
                            "\(source == .stopSearchFindRate ? "Stop and search" : "The charge share") is per force: choose the force"
                    ))
            }
        case .activity:
            if ActivityType.named(activityType) == nil {
                out.append(FieldError(field: "activityType", message: "Choose the activity counted"))
            }
        case .entered: break
        }
        if let f = baselineFirst, let l = baselineLast, !(MonthPeriod.isValid(f) && MonthPeriod.isValid(l) && f <= l) {
            out.append(
                FieldError(field: "baselineFirst", message: "The baseline is a period of months, first before last"))
        }
        if let v = baselineValue, !v.isFinite {
            out.append(FieldError(field: "baselineValue", message: "Enter a number"))
        }
        if targetKind != .none && !(targetValue?.isFinite ?? false) {
            out.append(FieldError(field: "targetValue", message: "Enter the target as a number"))
        }
        if let by = targetBy, !MonthPeriod.isValid(by) {
            out.append(FieldError(field: "targetBy", message: "Give the target's month as YYYY-MM"))
        }
        if let n = fixLimitsAfter, n < 2 || n > 1_000 {
            out.append(FieldError(field: "fixLimitsAfter", message: "Fix the limits after 2 to 1,000 points"))
        }
        return out
    }
}
