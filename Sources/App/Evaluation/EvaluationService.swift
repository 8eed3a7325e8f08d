import Analytics
import CrimeData
import Fluent
import Foundation
import SQLKit

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
            return EvaluationOutcome(slug: slug, label: "all crime", weights: Dictionary(uniqueKeysWithValues: categories.filter { $0.slug != asbSlug }.map { ($0.id, 1.0) }), isWeighted: false)
        case "harm":
            let w = HarmWeights.default
            return EvaluationOutcome(slug: slug, label: "harm-weighted crime and ASB", weights: Dictionary(uniqueKeysWithValues: categories.map { ($0.id, w.weight($0.slug)) }), isWeighted: true)
        default:
            guard let c = categories.first(where: { $0.slug == slug }) else { return nil }
            return EvaluationOutcome(slug: slug, label: c.slug == asbSlug ? "ASB" : c.name.lowercased(), weights: [c.id: 1], isWeighted: false)
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
        after = MonthPeriod(first: MonthPeriod.add(1, to: during.last), last: MonthPeriod.add(during.count, to: during.last))
        lastYear = during.yearEarlier
        window = MonthPeriod(ending: MonthPeriod.add(-1, to: during.first), count: 24)
        self.dataThrough = dataThrough
    }

    var duringCovered: Bool { during.last <= dataThrough }
    var afterCovered: Bool { after.last <= dataThrough }
    /// The months of the charts and the difference in differences: the window, the campaign
    /// and whatever of the after period has data.
    var seriesMonths: [Int] { MonthPeriod(first: window.first, last: min(after.last, max(dataThrough, during.last))).months }
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
        case .unknownOutcome(let s): "“\(s)” is not an outcome: use anti-social-behaviour, all-crime, harm or a police.uk crime category"
        }
    }
}

/// Evaluates a campaign's target areas: buffers, comparison areas, the statistics of
/// `Analytics` and the dose of activity delivered. Reads counts only; the buffer counts
/// are kept in `evaluation_buffer_counts` until the data or the design changes.
struct EvaluationService: Sendable {
    static let candidateMargin = 400.0
    /// Finished statistics by everything they depend on (campaign, dates, outcome, baseline,
    /// the latest import, the areas' designs); the activity figures are always fresh.
    var cache: EvaluationCache? = nil

    func categories(on db: any Database) async throws -> [(id: Int, slug: String, name: String)] {
        struct Row: Decodable { var id: Int; var slug: String; var name: String }
        return try await db.sql.raw("SELECT id, slug, name FROM crime_categories ORDER BY name").all(decoding: Row.self).map { ($0.id, $0.slug, $0.name) }
    }

    func dataThrough(on db: any Database) async throws -> Int? {
        try await db.sql.raw("SELECT MAX(month) AS m FROM counts_by_force").first(decodingColumn: "m", as: Int?.self) ?? nil
    }

    func designs(campaignID: Int, on db: any Database) async throws -> [Int: EvaluationDesign] {
        struct Row: Decodable { var area_id: Int; var buffer_metres: Double; var comparison: String }
        let rows = try await db.sql.raw("SELECT area_id, buffer_metres, comparison FROM evaluation_settings WHERE campaign_id = \(bind: campaignID)")
            .all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map {
            ($0.area_id, EvaluationDesign(bufferMetres: $0.buffer_metres, comparison: $0.comparison.split(separator: " ").map(String.init)))
        })
    }

    func evaluate(
        _ campaign: CampaignStore.Campaign, outcome slug: String? = nil, baseline: EvaluationBaseline = .previous, on db: any Database
    ) async throws -> CampaignEvaluation {
        let categories = try await categories(on: db)
        guard let outcome = EvaluationOutcome.named(slug, categories: categories) else { throw EvaluationError.unknownOutcome(slug ?? "") }
        guard let through = try await dataThrough(on: db) else { throw EvaluationError.noData }
        guard let periods = EvaluationPeriods(startsOn: campaign.starts_on, endsOn: campaign.ends_on, dataThrough: through) else {
            throw EvaluationError.badDates
        }
        let months = periods.seriesMonths
        let monthIndex = Dictionary(uniqueKeysWithValues: months.enumerated().map { ($1, $0) })
        let targetIDs = Set(try await CampaignStore(audit: AuditLog()).areas(of: campaign, on: db).map(\.area_id))
        let areas = try await AreaStore().list(on: db).filter { targetIDs.contains($0.id) }
        let designs = try await designs(campaignID: campaign.id, on: db)
        func design(_ a: AreaRecord) -> EvaluationDesign {
            designs[a.id] ?? EvaluationDesign(bufferMetres: EvaluationDesign.defaultBufferMetres, comparison: [])
        }
        let version = try await db.sql.raw("SELECT COALESCE(MAX(id), 0) AS v FROM imports").first(decodingColumn: "v", as: Int.self) ?? 0
        let key = ([campaign.id, version].map(String.init) + [campaign.starts_on, campaign.ends_on, outcome.slug, baseline.rawValue, String(through)]
            + areas.map { "\($0.id):\($0.countsVersion):\(design($0).bufferMetres):\(design($0).comparison.joined(separator: " "))" })
            .joined(separator: "|")
        if let hit = cache?.get(key) {
            return try await withActivity(hit, on: db)
        }

        // Treated areas from their maintained counts; buffers counted from the incidents and
        // kept until the data or design changes. Both weighted by the outcome in SQL.
        try await countBuffers(campaign: campaign, areas: areas, design: design, months: months, on: db)
        let treatedSeries: [Int: [WeightedCount]] = try await weighted(
            keyColumn: "area_id", table: "area_counts", filter: "area_id IN (\(binds: Array(targetIDs)))", outcome: outcome,
            months: months, monthIndex: monthIndex, on: db)
        let bufferSeries: [Int: [WeightedCount]] = try await weighted(
            keyColumn: "area_id", table: "evaluation_buffer_counts", filter: "campaign_id = \(bind: campaign.id)", outcome: outcome,
            months: months, monthIndex: monthIndex, on: db)

        // Comparison candidates: LSOAs of the areas' forces, away from every treated area and
        // its buffer.
        let forces = Set(areas.compactMap(\.forceID)).compactMap(PoliceForce.forID).map(\.geographyName)
        struct LSOARow: Decodable { var code: String; var name: String; var easting: Double; var northing: Double }
        let force: SQLQueryString = forces.isEmpty ? "" : "WHERE police_force IN (\(binds: forces))"
        let lsoas = try await db.sql.raw("SELECT code, name, easting, northing FROM lsoas \(force)").all(decoding: LSOARow.self)
        let widest = areas.map { design($0).bufferMetres }.max() ?? 0
        let allowed = lsoas.filter { l in
            let p = GridPoint(easting: l.easting, northing: l.northing)
            return !areas.contains { a in
                guard let shape = a.shape else { return false }
                let reach = widest + Self.candidateMargin
                return shape.boundsDistance(to: p) <= reach && shape.distance(to: p) <= reach
            }
        }
        let names = Dictionary(uniqueKeysWithValues: lsoas.map { ($0.code, $0.name) })
        let codes = Set(lsoas.map(\.code))
        let lsoaSeries: [String: [WeightedCount]] = try await weighted(
            keyColumn: "lsoa_code", table: "counts_by_lsoa", filter: "1 = 1", outcome: outcome, months: months, monthIndex: monthIndex,
            on: db
        ).filter { codes.contains($0.key) }
        let allowedCodes = Set(allowed.map(\.code))
        let candidates = lsoaSeries.filter { allowedCodes.contains($0.key) }
        let windowIndices = periods.window.months.compactMap { monthIndex[$0] }

        let none = [WeightedCount](repeating: .zero, count: months.count)
        func sum(_ s: [WeightedCount], _ p: MonthPeriod) -> WeightedCount {
            p.months.compactMap { monthIndex[$0] }.reduce(.zero) { $0 + s[$1] }
        }
        func group(_ codes: [String]) -> [WeightedCount] {
            months.indices.map { t in codes.reduce(.zero) { $0 + (lsoaSeries[$1]?[t] ?? .zero) } }
        }
        func choose(_ treated: [WeightedCount], excluding: Set<String>) -> [String] {
            let pool = candidates.filter { !excluding.contains($0.key) }.map { code, s in
                ComparisonSelection.Candidate(id: code, series: windowIndices.map { s[$0].value })
            }.sorted { $0.id < $1.id }
            return ComparisonSelection.select(treated: windowIndices.map { treated[$0].value }, candidates: pool)
        }

        let baselinePeriod = baseline == .previous ? periods.before : periods.lastYear
        var results: [AreaEvaluation] = []
        for a in areas {
            let d = design(a)
            let treated = treatedSeries[a.id] ?? none
            let buffer = bufferSeries[a.id] ?? none
            let chosen = d.comparison.isEmpty ? choose(treated, excluding: []) : d.comparison.filter { lsoaSeries[$0] != nil }
            let bufferChosen = choose(buffer, excluding: Set(chosen))
            let control = group(chosen), bufferControl = group(bufferChosen)
            let counts = EvaluationCounts(
                treatedBefore: sum(treated, baselinePeriod), treatedAfter: sum(treated, periods.during),
                bufferBefore: sum(buffer, baselinePeriod), bufferAfter: sum(buffer, periods.during),
                controlBefore: sum(control, baselinePeriod), controlAfter: sum(control, periods.during),
                bufferControlBefore: sum(bufferControl, baselinePeriod), bufferControlAfter: sum(bufferControl, periods.during))
            let other = baseline == .previous ? periods.lastYear : periods.before
            let seasonal = DisplacementMeasures(EvaluationCounts(
                treatedBefore: sum(treated, other), treatedAfter: sum(treated, periods.during), bufferBefore: .zero, bufferAfter: .zero,
                controlBefore: sum(control, other), controlAfter: sum(control, periods.during), bufferControlBefore: .zero,
                bufferControlAfter: .zero)).res
            var persistence: Estimate<RatioEstimate>?
            if periods.afterCovered {
                persistence = DisplacementMeasures(EvaluationCounts(
                    treatedBefore: sum(treated, baselinePeriod), treatedAfter: sum(treated, periods.after), bufferBefore: .zero,
                    bufferAfter: .zero, controlBefore: sum(control, baselinePeriod), controlAfter: sum(control, periods.after),
                    bufferControlBefore: .zero, bufferControlAfter: .zero)).res
            }
            // DiD on the window and the campaign months.
            let didMonths = months.indices.filter { periods.window.contains(months[$0]) || periods.during.contains(months[$0]) }
            let did = PoissonDiD.estimate(
                treated: didMonths.map { treated[$0].value }, comparison: didMonths.map { control[$0].value },
                during: didMonths.map { periods.during.contains(months[$0]) })
            let w = windowIndices
            results.append(AreaEvaluation(
                area: a, design: d, comparison: chosen, bufferComparison: bufferChosen,
                match: ComparisonSelection.match(treated: w.map { treated[$0].value }, comparison: w.map { control[$0].value }),
                bufferMatch: ComparisonSelection.match(treated: w.map { buffer[$0].value }, comparison: w.map { bufferControl[$0].value }),
                treated: treated, buffer: buffer, control: control, bufferControl: bufferControl,
                measures: DisplacementMeasures(
                    counts, controlScale: Self.scale(w.map { treated[$0].value }, w.map { control[$0].value }),
                    bufferControlScale: Self.scale(w.map { buffer[$0].value }, w.map { bufferControl[$0].value })),
                seasonalCheck: seasonal, persistence: persistence, did: did, adjustedP: nil,
                patrolHours: 0, powersUsed: 0, hasBuffer: a.shape != nil))
        }
        // Benjamini–Hochberg across the areas (as for hot spots), so that eleven tests do not
        // find a chance "effect".
        let raw = results.map { $0.measures.res.value?.p ?? .nan }
        let adjusted = PValueCorrection.benjaminiHochberg.adjust(raw)
        for k in results.indices where !adjusted[k].isNaN { results[k].adjustedP = adjusted[k] }

        let e = CampaignEvaluation(
            campaign: campaign, outcome: outcome, baseline: baseline, periods: periods,
            areas: results.sorted { $0.area.name < $1.area.name },
            patrolDose: .notEstimable("not computed"), powersDose: .notEstimable("not computed"), lsoaNames: names)
        cache?.put(key, e)
        return try await withActivity(e, on: db)
    }

    /// Adds what was delivered in each area (patrol hours, ASB powers used) and the dose
    /// response across areas, from the current activity totals.
    private func withActivity(_ evaluation: CampaignEvaluation, on db: any Database) async throws -> CampaignEvaluation {
        var e = evaluation
        let activity = try await dose(campaignID: e.campaign.id, on: db)
        for k in e.areas.indices {
            e.areas[k].patrolHours = activity[e.areas[k].area.id]?.patrol ?? 0
            e.areas[k].powersUsed = activity[e.areas[k].area.id]?.powers ?? 0
        }
        let c = e.campaign
        let weeks = Double(CalendarDay(c.starts_on).flatMap { s in CalendarDay(c.ends_on).map { s.days(until: $0) + 1 } } ?? 7) / 7
        func doseFit(_ amount: (AreaEvaluation) -> Double) -> Estimate<DoseResponse> {
            DoseResponse.fit(e.areas.compactMap { r in
                guard let res = r.measures.res.value else { return nil }
                let se = log(res.upper95 / res.lower95) / (2 * 1.959963984540054)
                return DoseResponse.Point(dose: amount(r) / max(weeks, 1), logRES: log(res.ratio), standardError: se)
            })
        }
        e.patrolDose = doseFit(\.patrolHours)
        e.powersDose = doseFit(\.powersUsed)
        return e
    }

    /// The factor putting a comparison on its area's scale over the matching window (for WDD).
    static func scale(_ area: [Double], _ comparison: [Double]) -> Double {
        let a = area.reduce(0, +), c = comparison.reduce(0, +)
        return a > 0 && c > 0 ? a / c : 1
    }

    /// Monthly outcome by key (an area id, an LSOA code) from a count table with columns
    /// (key, month, category_id, count), weighted in SQL, with the Poisson variance Σw²n.
    private func weighted<Key: Hashable & Decodable & Sendable>(
        keyColumn: String, table: String, filter: SQLQueryString, outcome: EvaluationOutcome, months: [Int], monthIndex: [Int: Int],
        on db: any Database
    ) async throws -> [Key: [WeightedCount]] {
        guard !outcome.weights.isEmpty else { return [:] }
        var weight = SQLQueryString("CASE category_id")
        var square = SQLQueryString("CASE category_id")
        for (id, w) in outcome.weights.sorted(by: { $0.key < $1.key }) {
            weight.appendInterpolation(unsafeRaw: " WHEN \(id) THEN \(w)")
            square.appendInterpolation(unsafeRaw: " WHEN \(id) THEN \(w * w)")
        }
        weight.appendInterpolation(unsafeRaw: " ELSE 0 END")
        square.appendInterpolation(unsafeRaw: " ELSE 0 END")
        let out = SeriesCollector<Key>(months: months.count, monthIndex: monthIndex)
        try await db.sql.raw("""
            SELECT \(ident: keyColumn) AS k, month, CAST(SUM(count * \(weight)) AS DOUBLE PRECISION) AS value,
              CAST(SUM(count * \(square)) AS DOUBLE PRECISION) AS variance
            FROM \(ident: table)
            WHERE month BETWEEN \(bind: months.first!) AND \(bind: months.last!)
              AND category_id IN (\(binds: outcome.weights.keys.sorted())) AND \(filter)
            GROUP BY \(ident: keyColumn), month
            """).run { row in out.add(row) }
        return out.series
    }

    /// Patrol hours and ASB powers used in each area of the campaign, from every partner's
    /// records (as totals only).
    private func dose(campaignID: Int, on db: any Database) async throws -> [Int: (patrol: Double, powers: Double)] {
        struct Row: Decodable { var area_id: Int; var type: String; var quantity: Double }
        let rows = try await db.sql.raw("""
            SELECT area_id, type, CAST(SUM(quantity) AS DOUBLE PRECISION) AS quantity FROM activity_totals
            WHERE campaign_id = \(bind: campaignID) GROUP BY area_id, type
            """).all(decoding: Row.self)
        var out: [Int: (patrol: Double, powers: Double)] = [:]
        for r in rows {
            var v = out[r.area_id] ?? (0, 0)
            if r.type == "patrol" { v.patrol += r.quantity }
            if ActivityType.named(r.type)?.group == "ASB powers", r.type != "pspo" { v.powers += r.quantity }
            out[r.area_id] = v
        }
        return out
    }

    /// The buffer of each area: incidents within the buffer width of its outline, outside it
    /// and outside every other treated area. Recounted only when the data (the latest
    /// import), the width or the set of treated areas changed.
    private func countBuffers(
        campaign: CampaignStore.Campaign, areas: [AreaRecord], design: (AreaRecord) -> EvaluationDesign, months: [Int],
        on db: any Database
    ) async throws {
        let version = try await db.sql.raw("SELECT COALESCE(MAX(id), 0) AS v FROM imports").first(decodingColumn: "v", as: Int.self) ?? 0
        let treatedIDs = areas.map(\.id).sorted().map(String.init).joined(separator: ",")
        struct State: Decodable { var area_id: Int; var signature: String }
        let states = Dictionary(uniqueKeysWithValues: try await db.sql.raw("""
            SELECT area_id, signature FROM evaluation_buffers WHERE campaign_id = \(bind: campaign.id)
            """).all(decoding: State.self).map { ($0.area_id, $0.signature) })
        let signatures = Dictionary(uniqueKeysWithValues: areas.map {
            ($0.id, "\(version)|\(design($0).bufferMetres)|\(treatedIDs)|\(months.first!)-\(months.last!)")
        })
        let stale = areas.filter { $0.shape != nil && states[$0.id] != signatures[$0.id] }
        if !stale.isEmpty {
            let counter = BufferCounter(stale: stale.map { ($0, design($0).bufferMetres) }, treated: areas.compactMap(\.shape))
            var boxes: [SQLQueryString] = []
            for (a, width) in counter.areas {
                let b = a.shape!.bounds
                boxes.append("""
                    (easting BETWEEN \(bind: b.minEasting - width) AND \(bind: b.maxEasting + width)
                     AND northing BETWEEN \(bind: b.minNorthing - width) AND \(bind: b.maxNorthing + width))
                    """)
            }
            var any = SQLQueryString("(")
            for (k, box) in boxes.enumerated() {
                if k > 0 { any.appendInterpolation(unsafeRaw: " OR ") }
                any.appendInterpolation(box)
            }
            any.appendInterpolation(unsafeRaw: ")")
            try await db.sql.raw("""
                SELECT easting, northing, month, category_id FROM incidents
                WHERE month BETWEEN \(bind: months.first!) AND \(bind: months.last!) AND \(any)
                """).run { row in counter.add(row) }
            let counts = counter.counts
            try await db.transaction { tx in
                for a in stale {
                    try await tx.sql.raw("DELETE FROM evaluation_buffer_counts WHERE campaign_id = \(bind: campaign.id) AND area_id = \(bind: a.id)").run()
                    try await tx.sql.raw("DELETE FROM evaluation_buffers WHERE campaign_id = \(bind: campaign.id) AND area_id = \(bind: a.id)").run()
                    try await tx.sql.raw("""
                        INSERT INTO evaluation_buffers (campaign_id, area_id, signature) VALUES (\(bind: campaign.id), \(bind: a.id), \(bind: signatures[a.id]!))
                        """).run()
                }
                let rows = counts.flatMap { area, byMonth in
                    byMonth.flatMap { month, byCategory in byCategory.map { (area, month, $0.key, $0.value) } }
                }.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
                for chunk in rows.chunks(of: 400) {
                    var insert = tx.sql.insert(into: "evaluation_buffer_counts").columns("campaign_id", "area_id", "month", "category_id", "count")
                    for r in chunk { insert = insert.values(SQLBind(campaign.id), SQLBind(r.0), SQLBind(r.1), SQLBind(r.2), SQLBind(r.3)) }
                    try await insert.run()
                }
            }
        }
    }
}

/// Gathers weighted monthly rows as they arrive from the database driver, decoding the four
/// columns directly (the keyed decoder was most of the evaluation's time).
private final class SeriesCollector<Key: Hashable & Decodable & Sendable>: @unchecked Sendable {
    let months: Int
    let monthIndex: [Int: Int]
    var series: [Key: [WeightedCount]] = [:]

    init(months: Int, monthIndex: [Int: Int]) {
        self.months = months
        self.monthIndex = monthIndex
    }

    func add(_ row: any SQLRow) {
        guard let key = try? row.decode(column: "k", as: Key.self), let month = try? row.decode(column: "month", as: Int.self),
            let t = monthIndex[month], let value = try? row.decode(column: "value", as: Double.self),
            let variance = try? row.decode(column: "variance", as: Double.self)
        else { return }
        series[key, default: [WeightedCount](repeating: .zero, count: months)][t] = WeightedCount(value: value, variance: variance)
    }
}

/// Counts incident rows into buffer rings as they arrive from the database driver.
private final class BufferCounter: @unchecked Sendable {
    let areas: [(AreaRecord, Double)]
    let treated: [AreaShape]
    var counts: [Int: [Int: [Int: Int]]] = [:]

    init(stale: [(AreaRecord, Double)], treated: [AreaShape]) {
        areas = stale
        self.treated = treated
    }

    func add(_ row: any SQLRow) {
        guard let e = try? row.decode(column: "easting", as: Double?.self), let n = try? row.decode(column: "northing", as: Double?.self),
            let month = try? row.decode(column: "month", as: Int.self), let category = try? row.decode(column: "category_id", as: Int.self)
        else { return }
        let p = GridPoint(easting: e, northing: n)
        var inTreated: Bool?
        for (a, width) in areas {
            guard let shape = a.shape, shape.boundsDistance(to: p) <= width else { continue }
            if inTreated == nil { inTreated = treated.contains { $0.contains(p) } }
            guard inTreated == false, shape.distance(to: p) <= width else { continue }
            counts[a.id, default: [:]][month, default: [:]][category, default: 0] += 1
        }
    }
}

extension EvaluationService {
    /// Saves an area's design: the buffer width (100 to 3,000 m) and the comparison LSOAs
    /// (codes separated by spaces, commas or new lines; empty for automatic). Every code
    /// must be a known LSOA of the reference.
    func saveDesign(
        campaignID: Int, areaID: Int, buffer: String, comparison: String, by user: CurrentUser, audit: AuditLog, on db: any Database
    ) async throws {
        var problems: [FieldError] = []
        let width = Double(buffer.trimmingCharacters(in: .whitespaces))
        if width == nil || !(100...3_000).contains(width!) {
            problems.append(FieldError(field: "buffer", message: "Enter the buffer width in metres, from 100 to 3,000"))
        }
        let codes = comparison.uppercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\t" })
            .map(String.init)
        var unique: [String] = []
        for c in codes where !unique.contains(c) { unique.append(c) }
        if unique.count > 300 { problems.append(FieldError(field: "comparison", message: "Choose at most 300 comparison LSOAs")) }
        if !unique.isEmpty {
            let known = Set(try await db.sql.raw("SELECT code FROM lsoas WHERE code IN (\(binds: unique))").all(decodingColumn: "code", as: String.self))
            let unknown = unique.filter { !known.contains($0) }
            if !unknown.isEmpty {
                problems.append(FieldError(field: "comparison", message: "Not LSOA codes of the bundled ONS reference: \(unknown.prefix(5).joined(separator: ", "))\(unknown.count > 5 ? " and \(unknown.count - 5) more" : "")"))
            }
        }
        guard problems.isEmpty, let width else { throw FieldErrors(errors: problems) }
        let text = unique.joined(separator: " ")
        try await db.transaction { tx in
            try await tx.sql.raw("DELETE FROM evaluation_settings WHERE campaign_id = \(bind: campaignID) AND area_id = \(bind: areaID)").run()
            try await tx.sql.raw("""
                INSERT INTO evaluation_settings (campaign_id, area_id, buffer_metres, comparison, updated_at, updated_by)
                VALUES (\(bind: campaignID), \(bind: areaID), \(bind: width), \(bind: text), \(bind: Date().stored), \(bind: user.id))
                """).run()
            try await audit.record("update", entity: "evaluation_design", id: "\(campaignID)/\(areaID)", before: nil as String?,
                                   after: ["buffer_metres": HotspotExport.number(width), "comparison": text.isEmpty ? "automatic" : text],
                                   by: user, on: tx)
        }
    }
}

/// A small in-memory store of finished evaluations (the last 32), shared by the requests of
/// one server.
final class EvaluationCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: CampaignEvaluation] = [:]
    private var order: [String] = []
    let capacity: Int

    init(capacity: Int = 32) { self.capacity = capacity }

    func get(_ key: String) -> CampaignEvaluation? {
        lock.withLock { entries[key] }
    }

    func put(_ key: String, _ value: CampaignEvaluation) {
        lock.withLock {
            if entries.updateValue(value, forKey: key) == nil { order.append(key) }
            while order.count > capacity { entries[order.removeFirst()] = nil }
        }
    }
}
