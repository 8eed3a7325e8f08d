import Analytics
import Foundation

/// The scorecard and a measure's page, as the templates see them.
struct MeasureRow: Codable {
    var name: String
    var href: String
    var sparkSVG: String
    var latest: String
    var latestPeriod: String
    var baseline: String
    var change: String
    var variationIcon: String
    var variationLabel: String
    var assuranceIcon: String
    var assuranceLabel: String
    var sentence: String

    init(_ r: MeasureReading, id: String) {
        name = r.measure.name
        href = SiteURL.planMeasure(r.measure.slug)
        sparkSVG = SPCChartSVG(reading: r, width: 160, height: 40, compact: true).render(id: id)
        latest = r.latest.map { r.format($0.value) } ?? "–"
        latestPeriod = r.latest.map { MeasureReading.periodLabel($0.period, r.measure.frequency) } ?? ""
        baseline = r.baseline.map(r.format) ?? "–"
        if let b = r.baseline, b != 0, !r.values.isEmpty {
            // The latest year's average against the baseline's.
            let year = r.measure.frequency == .monthly ? 12 : 4
            let recent = r.values.suffix(year).map(\.value)
            let mean = recent.reduce(0, +) / Double(max(1, recent.count))
            let pct = (mean / b - 1) * 100
            change =
                "\(pct < 0 ? "−" : "+")\(Format.number(abs(pct), decimals: 1))%"
                + (r.onBaseline.map { $0.isSignificant() ? " (significant)" : " (not significant)" } ?? "")
        } else {
            change = "–"
        }
        variationIcon = SPCStyle.variationIcon(r.variation)
        variationLabel = SPCStyle.label(r.variation)
        assuranceIcon = SPCStyle.assuranceIcon(r.assurance)
        assuranceLabel = SPCStyle.label(r.assurance)
        sentence = r.sentence
    }
}

struct PlanPage: Codable {
    struct ObjectiveRow: Codable {
        var number: Int
        var title: String
        var description: String
        var themes: String
    }
    struct ThemeSection: Codable {
        var slug: String
        var title: String
        var lead: String
        var href: String
        var serves: String
        var rows: [MeasureRow]
        var hasMeasures: Bool
    }
    var title = "Police and Crime Plan"
    var hasPlan: Bool
    var planTitle: String
    var period: String
    var version: String
    var introduction: String
    var objectives: [ObjectiveRow]
    var themes: [ThemeSection]
    /// The measures serving no theme of the plan, as one section (or none).
    var otherSections: [ThemeSection]
    var canEnter: Bool
    var csvHref = SiteURL.planMeasuresCSV()
    /// On `/open/plan`: when this version was published, and the earlier versions.
    var published = ""
    var publications: [MeasurePage.Link] = []
    var nationalStatements: [MeasurePage.Link] = []
    var isOpen = false
    var canEditPlan = false
    var csrf = ""
    var note = ""

    /// The scorecard's page from the plan and its readings; `row` makes each measure's row
    /// (the working scorecard links to the measure; the published one suppresses small counts).
    init(_ s: PlanService.Scorecard, canEnter: Bool, row: (Int, MeasureReading) -> MeasureRow) {
        var rowsByTheme: [String: [MeasureRow]] = [:]
        var other: [MeasureRow] = []
        for (k, r) in s.readings.enumerated() {
            let made = row(k, r)
            let themes = s.measureThemes[r.measure.id] ?? []
            if themes.isEmpty || !themes.contains(where: { t in s.themes.contains { $0.slug == t } }) {
                other.append(made)
            }
            for t in themes { rowsByTheme[t, default: []].append(made) }
        }
        let objectiveTitle = Dictionary(uniqueKeysWithValues: s.objectives.map { ($0.position, $0.title) })
        hasPlan = s.plan != nil
        planTitle = s.plan?.title ?? ""
        period = s.plan.map { "\($0.startsOn.prefix(4))–\($0.endsOn.prefix(4))" } ?? ""
        version = s.plan.map { "Version \($0.version), \(Format.dateTime($0.createdAt))" } ?? ""
        introduction = s.plan?.introduction ?? ""
        objectives = s.objectives.map { o in
            .init(
                number: o.position, title: o.title, description: o.description,
                themes: s.themes.filter { (s.themeObjectives[$0.id] ?? []).contains(o.position) }.map(\.title)
                    .joined(separator: "; "))
        }
        themes = s.themes.map { t in
            let rows = rowsByTheme[t.slug] ?? []
            return .init(
                slug: t.slug, title: t.title, lead: t.leadName, href: canEnter ? SiteURL.planTheme(t.slug) : "",
                serves: (s.themeObjectives[t.id] ?? []).map { "\($0). \(objectiveTitle[$0] ?? "")" }
                    .joined(separator: "; "),
                rows: rows, hasMeasures: !rows.isEmpty)
        }
        otherSections =
            other.isEmpty
            ? []
            : [
                .init(
                    slug: "other", title: "Other measures", lead: "", href: "", serves: "", rows: other,
                    hasMeasures: true)
            ]
        self.canEnter = canEnter
    }
}

struct MeasurePage: Encodable {
    struct Fact: Encodable {
        var label: String
        var value: String
    }
    struct Point: Encodable {
        var period: String
        var value: String
        var rule: String
        var source: String
    }
    struct Link: Codable {
        var label: String
        var href: String
    }
    var title: String
    var name: String
    var slug: String
    var sentence: String
    var chartSVG: String
    var variationIcon: String
    var variationLabel: String
    var assuranceIcon: String
    var assuranceLabel: String
    var facts: [Fact]
    var tests: [String]
    var points: [Point]
    var rebases: [Fact]
    var hasRebases: Bool
    var themes: [Link]
    var campaigns: [Link]
    var hasCampaigns: Bool
    var canEnter: Bool
    var isEntered: Bool
    var csrf: String
    var errors: [FieldError]
    var hasErrors: Bool
    var form: [String: String]
}

struct ThemePage: Encodable {
    var title: String
    var themeTitle: String
    var description: String
    var lead: String
    var serves: [String]
    /// The theme's measures, as one section.
    var sections: [PlanPage.ThemeSection]
    var campaigns: [MeasurePage.Link]
    var hasCampaigns: Bool
    var funds: [MeasurePage.Link]
    var slug: String
    var canEdit: Bool
    var csrf: String
    var campaignOptions: [SelectOption]
}

struct MeasureUploadPage: Encodable {
    struct RowError: Encodable {
        var line: String
        var field: String
        var message: String
    }
    var title = "Enter measure figures"
    var csrf: String
    var measures: [SelectOption]
    var problem: String?
    var errors: [RowError]
    var hasErrors: Bool
    var saved: Int?
}
