import Analytics
import CrimeData
import Fluent

/// A ranking with everything needed to show, download or cite it.
struct RankingReport: Sendable, Codable {
    var options: RecordedOptions
    var rows: [AreaRanking.Row]
    var forceTotal: Int
    var concentration: Concentration?
    var populationNote: String

    /// The parameters a result was computed with, as recorded in downloads.
    struct RecordedOptions: Sendable, Codable {
        var force: String
        var from: String
        var to: String
        var previous: String
        var yearEarlier: String
        var categories: [String]
        var level: String
        var sort: String
        var harmWeights: [String: Double]
        var changeTest: String
    }
}

/// Builds rankings from the stored aggregates (never from incident rows, except to recount
/// a boundary area once after new data arrives).
struct RankingService: Sendable {
    let queries: AnalysisQueries
    /// Rankings of LSOAs, MSOAs and local authorities already computed at the current data
    /// version (named areas are not kept: an area's edit changes them without an import).
    var cache: ResultCache<RankingReport>? = nil

    func rank(_ o: AnalysisOptions, on db: any Database) async throws -> RankingReport {
        try await ResultCache.cached(o.level == .areas ? nil : cache, key: o.queryString, on: db) {
            try await compute(o, on: db)
        }
    }

    private func compute(_ o: AnalysisOptions, on db: any Database) async throws -> RankingReport {
        let weights = o.weights
        var inputs: [String: AreaRanking.Input] = [:]
        /// Adds counts to their places: each run of rows of one place (as `placeCounts`
        /// returns them) with one look-up of the place. A place not ranked is left out.
        func add(_ rows: [AnalysisQueries.PeriodCounts]) {
            var start = rows.startIndex
            while start < rows.endIndex {
                let place = rows[start].place
                var end = start + 1
                while end < rows.endIndex && rows[end].place == place { end += 1 }
                inputs[place]?.add(rows[start..<end])
                start = end
            }
        }
        let note: String
        switch o.level {
        case .areas:
            let areas = try await queries.areas.list(on: db).filter {
                $0.forceID == nil || o.isAllForces || $0.forceID == o.force.id
            }
            for a in areas {
                inputs[String(a.id)] = .init(
                    id: a.slug, name: a.name, population: a.population, current: [:], previous: [:], yearEarlier: [:])
            }
            add(try await queries.areaCounts(o, on: db))
            note =
                "Boundary areas count incidents whose police.uk map point falls inside; their population is that of the LSOAs whose centroids fall inside (ONS mid-2020 estimates)."
        case .localAuthority:
            for d in try await queries.districts(of: o.force, on: db) {
                inputs[d.code] = .init(
                    id: d.code, name: d.name, population: d.population, current: [:], previous: [:], yearEarlier: [:])
            }
            add(try await queries.placeCounts(o, on: db))
            note =
                "Incidents are counted in the LSOA police.uk gives them, and each LSOA in its local authority; population is the ONS mid-2020 estimate for each 2011 LSOA."
        case .lsoa, .msoa:
            for l in try await queries.lsoas(of: o.force, on: db) {
                let (id, name) = o.level == .lsoa ? (l.code, l.name) : (l.msoaCode, l.msoaName)
                var input =
                    inputs[id]
                    ?? .init(id: id, name: name, population: 0, current: [:], previous: [:], yearEarlier: [:])
                input.population = (input.population ?? 0) + l.population
                inputs[id] = input
            }
            // Grouped by the database at the ranking's level already.
            add(try await queries.placeCounts(o, on: db))
            note =
                "Incidents are counted in the LSOA police.uk gives them; population is the ONS mid-2020 estimate for each 2011 LSOA."
        }
        let total = try await queries.forceTotal(o, on: db)
        let rows = AreaRanking.rank(Array(inputs.values), forceTotal: total, weights: weights, sortBy: o.sort)
        let concentration = o.level == .areas ? nil : Concentration(counts: rows.map { Double($0.count) })
        return RankingReport(
            options: .init(
                force: o.force.id, from: ByteParsing.monthString(o.period.first),
                to: ByteParsing.monthString(o.period.last),
                previous: o.period.previous.description, yearEarlier: o.period.yearEarlier.description,
                categories: o.categories,
                level: o.level.rawValue, sort: o.sort.rawValue, harmWeights: weights.weights,
                changeTest: "exact conditional binomial test of two Poisson counts, two-sided"),
            rows: rows, forceTotal: total, concentration: concentration, populationNote: note)
    }
}

extension AreaRanking.Input {
    /// Adds one place's counts by category.
    fileprivate mutating func add(_ rows: ArraySlice<AnalysisQueries.PeriodCounts>) {
        // Room for every category at once: growing three dictionaries step by step was a
        // fifth of a cold ranking's time in the app (BENCHMARKS.md, issue 19).
        current.reserveCapacity(current.count + rows.count)
        previous.reserveCapacity(previous.count + rows.count)
        yearEarlier.reserveCapacity(yearEarlier.count + rows.count)
        for r in rows {
            current[r.slug, default: 0] += r.current
            previous[r.slug, default: 0] += r.previous
            yearEarlier[r.slug, default: 0] += r.yearEarlier
        }
    }
}
