import Analytics
import CrimeData
import Fluent
import Foundation
import SQLKit

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
        return try await db.sql.raw("SELECT id, slug, name FROM crime_categories ORDER BY name").rows(Row.self)
            .map { ($0.id, $0.slug, $0.name) }
    }

    func dataThrough(on db: any Database) async throws -> Int? {
        try await db.sql.raw("SELECT MAX(month) AS m FROM counts_by_force").first(decodingColumn: "m", as: Int?.self)
            ?? nil
    }

    func designs(campaignID: Int, on db: any Database) async throws -> [Int: EvaluationDesign] {
        struct Row: Decodable { var areaId: Int; var bufferMetres: Double; var comparison: String }
        let rows = try await db.sql.raw(
            "SELECT area_id, buffer_metres, comparison FROM evaluation_settings WHERE campaign_id = \(bind: campaignID)"
        )
        .rows(Row.self)
        return Dictionary(
            uniqueKeysWithValues: rows.map {
                (
                    $0.areaId,
                    EvaluationDesign(
                        bufferMetres: $0.bufferMetres, comparison: $0.comparison.split(separator: " ").map(String.init)
                    )
                )
            })
    }

    func evaluate(
        _ campaign: CampaignStore.Campaign, outcome slug: String? = nil, baseline: EvaluationBaseline = .previous,
        viewer: ActivityViewer, on db: any Database
    ) async throws -> CampaignEvaluation {
        let categories = try await categories(on: db)
        guard let outcome = EvaluationOutcome.named(slug, categories: categories) else {
            throw EvaluationError.unknownOutcome(slug ?? "")
        }
        guard let through = try await dataThrough(on: db) else { throw EvaluationError.noData }
        guard
            let periods = EvaluationPeriods(
                startsOn: campaign.startsOn, endsOn: campaign.endsOn, dataThrough: through)
        else {
            throw EvaluationError.badDates
        }
        let months = periods.seriesMonths
        let monthIndex = Dictionary(uniqueKeysWithValues: months.enumerated().map { ($1, $0) })
        let targetIDs = Set(try await CampaignStore(audit: AuditLog()).areas(of: campaign, on: db).map(\.areaId))
        let areas = try await AreaStore().list(on: db).filter { targetIDs.contains($0.id) }
        let designs = try await designs(campaignID: campaign.id, on: db)
        func design(_ a: AreaRecord) -> EvaluationDesign {
            designs[a.id] ?? EvaluationDesign(bufferMetres: EvaluationDesign.defaultBufferMetres, comparison: [])
        }
        let version = Int(try await DataVersion.current(on: db))
        let key =
            ([campaign.id, version].map(String.init) + [
                campaign.startsOn, campaign.endsOn, outcome.slug, baseline.rawValue, String(through),
            ]
            + areas.map {
                "\($0.id):\($0.countsVersion):\(design($0).bufferMetres):\(design($0).comparison.joined(separator: " "))"
            })
            .joined(separator: "|")
        if let hit = cache?.get(key) {
            AppMetrics.cache("evaluation", hit: true)
            return try await withActivity(hit, viewer: viewer, on: db)
        }
        if cache != nil { AppMetrics.cache("evaluation", hit: false) }

        // Treated areas from their maintained counts; buffers counted from the incidents and
        // kept until the data or design changes. Both weighted by the outcome in SQL.
        try await countBuffers(
            campaign: campaign, areas: areas, design: design, months: months, version: version, on: db)
        let treatedSeries: [Int: [WeightedCount]] = try await weighted(
            keyColumn: "area_id", table: "area_counts",
            filter: targetIDs.isEmpty ? "1 = 0" : "area_id IN (\(binds: Array(targetIDs)))", outcome: outcome,
            months: months, monthIndex: monthIndex, on: db)
        let bufferSeries: [Int: [WeightedCount]] = try await weighted(
            keyColumn: "area_id", table: "evaluation_buffer_counts", filter: "campaign_id = \(bind: campaign.id)",
            outcome: outcome,
            months: months, monthIndex: monthIndex, on: db)

        // Comparison candidates: LSOAs of the areas' forces, away from every treated area and
        // its buffer.
        let forces = Set(areas.compactMap(\.forceID)).compactMap(PoliceForce.forID).map(\.geographyName)
        struct LSOARow: Decodable { var code: String; var name: String; var easting: Double; var northing: Double }
        let force: SQLQueryString = forces.isEmpty ? "" : "WHERE police_force IN (\(binds: forces))"
        let lsoas = try await db.sql.raw("SELECT code, name, easting, northing FROM lsoas \(force)").rows(LSOARow.self)
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
            keyColumn: "lsoa_code", table: "counts_by_lsoa", filter: "1 = 1", outcome: outcome, months: months,
            monthIndex: monthIndex,
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
            let chosen =
                d.comparison.isEmpty ? choose(treated, excluding: []) : d.comparison.filter { lsoaSeries[$0] != nil }
            let bufferChosen = choose(buffer, excluding: Set(chosen))
            let control = group(chosen), bufferControl = group(bufferChosen)
            let counts = EvaluationCounts(
                treatedBefore: sum(treated, baselinePeriod), treatedAfter: sum(treated, periods.during),
                bufferBefore: sum(buffer, baselinePeriod), bufferAfter: sum(buffer, periods.during),
                controlBefore: sum(control, baselinePeriod), controlAfter: sum(control, periods.during),
                bufferControlBefore: sum(bufferControl, baselinePeriod),
                bufferControlAfter: sum(bufferControl, periods.during))
            let other = baseline == .previous ? periods.lastYear : periods.before
            let seasonal = DisplacementMeasures(
                EvaluationCounts(
                    treatedBefore: sum(treated, other), treatedAfter: sum(treated, periods.during), bufferBefore: .zero,
                    bufferAfter: .zero,
                    controlBefore: sum(control, other), controlAfter: sum(control, periods.during),
                    bufferControlBefore: .zero,
                    bufferControlAfter: .zero)
            ).res
            var persistence: Estimate<RatioEstimate>?
            if periods.afterCovered {
                persistence =
                    DisplacementMeasures(
                        EvaluationCounts(
                            treatedBefore: sum(treated, baselinePeriod), treatedAfter: sum(treated, periods.after),
                            bufferBefore: .zero,
                            bufferAfter: .zero, controlBefore: sum(control, baselinePeriod),
                            controlAfter: sum(control, periods.after),
                            bufferControlBefore: .zero, bufferControlAfter: .zero)
                    ).res
            }
            // DiD on the window and the campaign months.
            let didMonths = months.indices.filter {
                periods.window.contains(months[$0]) || periods.during.contains(months[$0])
            }
            let did = PoissonDiD.estimate(
                treated: didMonths.map { treated[$0].value }, comparison: didMonths.map { control[$0].value },
                during: didMonths.map { periods.during.contains(months[$0]) })
            let w = windowIndices
            results.append(
                AreaEvaluation(
                    area: a, design: d, comparison: chosen, bufferComparison: bufferChosen,
                    match: ComparisonSelection.match(
                        treated: w.map { treated[$0].value }, comparison: w.map { control[$0].value }),
                    bufferMatch: ComparisonSelection.match(
                        treated: w.map { buffer[$0].value }, comparison: w.map { bufferControl[$0].value }),
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
        return try await withActivity(e, viewer: viewer, on: db)
    }

    /// Adds what was delivered in each area (patrol hours, ASB powers used) and the dose
    /// response across areas, from the current activity totals.
    private func withActivity(_ evaluation: CampaignEvaluation, viewer: ActivityViewer, on db: any Database)
        async throws -> CampaignEvaluation
    {
        var e = evaluation
        let activity = try await dose(campaignID: e.campaign.id, viewer: viewer, on: db)
        for k in e.areas.indices {
            e.areas[k].patrolHours = activity[e.areas[k].area.id]?.patrol ?? 0
            e.areas[k].powersUsed = activity[e.areas[k].area.id]?.powers ?? 0
        }
        let c = e.campaign
        let weeks =
            Double(CalendarDay(c.startsOn).flatMap { s in CalendarDay(c.endsOn).map { s.days(until: $0) + 1 } } ?? 7)
            / 7
        func doseFit(_ amount: (AreaEvaluation) -> Double) -> Estimate<DoseResponse> {
            DoseResponse.fit(
                e.areas.compactMap { r in
                    guard let res = r.measures.res.value else { return nil }
                    let se = log(res.upper95 / res.lower95) / (2 * 1.959963984540054)
                    return DoseResponse.Point(
                        dose: amount(r) / max(weeks, 1), logRES: log(res.ratio), standardError: se)
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
