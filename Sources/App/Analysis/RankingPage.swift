import Analytics
import CrimeData

/// The ranking page: which areas are affected most, as a sortable table.
struct RankingPage: Encodable {
    struct Row: Encodable {
        var rank: Int
        var name: String
        var href: String?
        var code: String
        var count: String
        var population: String
        var rate: String
        var share: String
        var harm: String
        var previous: String
        var yearEarlier: String
        var yearChangeClass: String
    }

    struct Column: Encodable {
        var label: String
        var href: String
        var sorted: Bool
        var numeric: Bool
    }

    struct Pair: Encodable {
        var label: String
        var value: String
    }

    var title = "Areas affected most"
    var form: AnalysisForm
    var errors: [FieldError]
    var hasErrors: Bool
    var problem: String?
    var hasResult = false
    var headline = ""
    var summary: [String] = []
    var columns: [Column] = []
    var rows: [Row] = []
    var hiddenRows = 0
    var concentration: [Pair] = []
    var hasConcentration = false
    var downloads: [Pair] = []
    var notes: [String] = []
    /// The ranked places on a map: drawn by the server, and interactive where scripts run.
    var mapSVG = ""
    var liveMap: LiveMap?

    init(form: AnalysisForm, errors: [FieldError] = [], problem: String? = nil) {
        self.form = form
        self.errors = errors
        hasErrors = !errors.isEmpty
        self.problem = problem
    }

    /// Shows the report; `limit` rows in the table (the CSV has them all).
    mutating func show(_ report: RankingReport, options o: AnalysisOptions, limit: Int = 100) {
        hasResult = true
        let level = o.level.label.lowercased()
        if let top = report.rows.first, top.count > 0 {
            let measure =
                switch o.sort {
                case .rate: "\(Format.number(top.ratePer1000 ?? 0, decimals: 1)) per 1,000 residents"
                case .count: "\(Format.count(top.count)) incidents"
                case .harm: "a harm score of \(Format.number(top.harm, decimals: 0))"
                case .change:
                    "\(Format.number(top.versusYearEarlier.percentChange ?? 0, decimals: 0))% on a year earlier"
                }
            headline = "\(top.name) is affected most: \(measure) (\(o.categoryLabel), \(o.period))"
        } else {
            headline = "No \(o.categoryLabel) recorded in \(o.period)"
        }
        let significantRises = report.rows.filter {
            $0.versusYearEarlier.isSignificant() && ($0.versusYearEarlier.rateRatio ?? 0) > 1
        }.count
        let significantFalls = report.rows.filter {
            $0.versusYearEarlier.isSignificant() && ($0.versusYearEarlier.rateRatio ?? 2) < 1
        }.count
        summary = [
            o.isAllForces
                ? "\(Format.count(report.rows.count)) \(level) in England and Wales; \(Format.count(report.forceTotal)) incidents in all forces' data."
                : "\(Format.count(report.rows.count)) \(level) in \(o.force.name); \(Format.count(report.forceTotal)) incidents force-wide.",
            "Against the same months a year earlier, \(significantRises) rose and \(significantFalls) fell by more than chance "
                + "would explain (exact test, 95%); the others changed within normal variation.",
        ]
        let q = { (sort: String) in
            SiteURL.rankings.with(
                query: o.queryString.replacingOccurrences(of: "sort=\(o.sort.rawValue)", with: "sort=\(sort)"))
        }
        columns = [
            Column(label: "Rank", href: "", sorted: false, numeric: true),
            Column(label: "Area", href: "", sorted: false, numeric: false),
            Column(label: "Incidents", href: q("count"), sorted: o.sort == .count, numeric: true),
            Column(label: "Residents", href: "", sorted: false, numeric: true),
            Column(label: "Per 1,000 residents", href: q("rate"), sorted: o.sort == .rate, numeric: true),
            Column(label: o.isAllForces ? "Share of all" : "Share of force", href: "", sorted: false, numeric: true),
            Column(label: "Harm score", href: q("harm"), sorted: o.sort == .harm, numeric: true),
            Column(label: "On previous \(o.period.count) months", href: "", sorted: false, numeric: true),
            Column(label: "On a year earlier", href: q("change"), sorted: o.sort == .change, numeric: true),
        ]
        rows = report.rows.prefix(limit).map { r in
            Row(
                rank: r.rank, name: r.name, href: o.level == .areas ? SiteURL.area(r.id) : nil,
                code: o.level == .areas ? "" : r.id,
                count: Format.count(r.count), population: r.population.map(Format.count) ?? "–",
                rate: r.ratePer1000.map { Format.number($0, decimals: 1) } ?? "–",
                share: r.shareOfForce.map { Format.number($0 * 100, decimals: 1) + "%" } ?? "–",
                harm: Format.number(r.harm, decimals: 0), previous: Self.change(r.versusPrevious),
                yearEarlier: Self.change(r.versusYearEarlier), yearChangeClass: Self.changeClass(r.versusYearEarlier))
        }
        hiddenRows = max(0, report.rows.count - limit)
        if let c = report.concentration {
            hasConcentration = true
            concentration = c.shares.map {
                Pair(
                    label:
                        "Top \(Format.number($0.topFraction * 100, decimals: 0))% of \(level) (\(Format.count($0.places)))",
                    value: Format.number($0.share * 100, decimals: 1) + "%")
            }
        }
        downloads = [
            Pair(label: "The whole ranking (CSV)", value: SiteURL.rankingsCSV.with(query: o.queryString)),
            Pair(label: "The places on the map (GeoJSON)", value: SiteURL.rankingsGeoJSON.with(query: o.queryString)),
            Pair(label: "JSON API", value: SiteURL.rankingsAPI.with(query: o.queryString)),
        ]
        notes = [
            report.populationNote,
            "Change compares counts with the previous \(o.period.count) months (\(report.options.previous)) and the same months a year earlier (\(report.options.yearEarlier)); * marks a change unlikely to be chance (exact conditional binomial test, p ≤ 0.05).",
            "Harm score: each incident weighted by crime type: "
                + o.categories.map {
                    "\(AnalysisOptions.readable($0)) \(Format.number(o.weights.weight($0), decimals: 1))"
                }.joined(separator: ", ")
                + (o.weightOverrides.map { ", with your weights (\($0)) in place of the defaults." }
                    ?? ". These are SaferStreets' own ordinal defaults, not an official index; set your own with weights=burglary=10,… in the address."),
        ]
    }

    static func change(_ c: CountComparison) -> String {
        guard let pct = c.percentChange else { return c.current > 0 ? "new" : "–" }
        let sign = pct > 0 ? "+" : ""
        return "\(sign)\(Format.number(pct, decimals: 0))%" + (c.isSignificant() ? " *" : "")
    }

    static func changeClass(_ c: CountComparison) -> String {
        guard c.isSignificant(), let rr = c.rateRatio else { return "" }
        return rr > 1 ? "change--up" : "change--down"
    }
}
