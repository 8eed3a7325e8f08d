import Analytics
import CrimeData
import Fluent
import Foundation
import SQLKit

/// Computes the plan's measures from what SaferStreets holds: the police.uk aggregates
/// (`counts_by_force`, `counts_by_lsoa`, `area_counts`), stop and search records and the
/// activity ledger. Monthly series run over every month the force's data covers, a month
/// without a record being 0; a quarter is counted only when all three of its months are held.
struct MeasureQueries: Sendable {
    /// Recomputes every computed measure and stores the values; returns how many measures.
    @discardableResult
    func recompute(_ measures: [Measure], store: MeasureStore, on db: any Database) async throws -> Int {
        let computed = measures.filter { $0.sourceKind.isComputed }
        guard !computed.isEmpty else { return 0 }
        let context = try await Context.load(on: db)
        var series: [Int: [ComputedValue]] = [:]
        for m in computed { series[m.id] = try await values(m, context: context, on: db) }
        try await store.replaceComputed(series, on: db)
        return computed.count
    }

    /// What every computation needs once: categories and the months the data covers.
    struct Context: Sendable {
        var categoryIDs: [String: Int]
        var months: [Int]

        static func load(on db: any Database) async throws -> Context {
            struct Category: Decodable { var id: Int; var slug: String }
            let categories = try await db.sql.raw("SELECT id, slug FROM crime_categories").rows(Category.self)
            struct Span: Decodable { var first: Int?; var last: Int? }
            let span = try await db.sql.raw("SELECT MIN(month) AS first, MAX(month) AS last FROM counts_by_force").row(
                Span.self)
            var months: [Int] = []
            if let first = span?.first, let last = span?.last, MonthPeriod.isValid(first), MonthPeriod.isValid(last) {
                months = MonthPeriod(first: first, last: last).months
            }
            return Context(
                categoryIDs: Dictionary(categories.map { ($0.slug, $0.id) }, uniquingKeysWith: { a, _ in a }),
                months: months)
        }

        /// The category ids a measure counts: `all-crime` is every category but ASB.
        func ids(_ slugs: [String]) -> [Int] {
            var out = Set<Int>()
            for s in slugs {
                if s == "all-crime" {
                    out.formUnion(categoryIDs.filter { $0.key != EvaluationOutcome.asbSlug }.map(\.value))
                } else if let id = categoryIDs[s] {
                    out.insert(id)
                }
            }
            return out.sorted()
        }
    }

    /// A computed measure's values, period by period.
    func values(_ m: Measure, context: Context, on db: any Database) async throws -> [ComputedValue] {
        guard !context.months.isEmpty else { return [] }
        var monthly: [Int: (num: Double, den: Double?)] = [:]
        var source = ""
        switch m.sourceKind {
        case .crimes:
            let ids = context.ids(m.categoryList)
            guard !ids.isEmpty else { return [] }
            let list = ids.map(String.init).joined(separator: ",")
            let geo = m.geographyId
            let counts: [MonthCount]
            switch m.geography {
            case .force:
                counts = try await db.sql.raw(
                    """
                    SELECT month, CAST(SUM(count) AS BIGINT) AS n FROM counts_by_force WHERE force_id = \(bind: geo)
                      AND category_id IN (\(unsafeRaw: list)) GROUP BY month
                    """
                ).rows(MonthCount.self)
                source = "police.uk street data, \(PoliceForce.known.first { $0.id == geo }?.name ?? geo)"
            case .localAuthority:
                counts = try await db.sql.raw(
                    """
                    SELECT c.month, CAST(SUM(c.count) AS BIGINT) AS n FROM counts_by_lsoa c JOIN lsoas l ON l.code = c.lsoa_code
                    WHERE l.lad_code = \(bind: geo) AND c.category_id IN (\(unsafeRaw: list)) GROUP BY c.month
                    """
                ).rows(MonthCount.self)
                source = "police.uk street data by LSOA, local authority \(geo)"
            case .area:
                counts = try await areaCounts(slug: geo, categories: list, on: db)
                source = "police.uk street data in the area \(geo)"
            case nil:
                return []
            }
            let population = m.isRate ? try await population(m, on: db) : nil
            for c in counts { monthly[c.month] = (Double(c.n), population) }
            if m.isRate, population == nil || population == 0 { return [] }
            for month in context.months where monthly[month] == nil { monthly[month] = (0, population) }
        case .stopSearchFindRate:
            struct Row: Decodable { var month: Int; var found: Int; var total: Int }
            let rows = try await db.sql.raw(
                """
                SELECT s.month, CAST(SUM(CASE WHEN s.outcome_linked_to_object = 'True' THEN 1 ELSE 0 END) AS BIGINT) AS found,
                  COUNT(*) AS total
                FROM stop_searches s JOIN data_slices d ON d.id = s.slice_id
                WHERE d.kind = 'stop-and-search' AND d.force_id = \(bind: m.geographyId) GROUP BY s.month
                """
            ).rows(Row.self)
            for r in rows where r.total > 0 { monthly[r.month] = (Double(r.found), Double(r.total)) }
            source = "police.uk stop and search data"
        case .chargeSummonsShare:
            // Crimes by month recorded (every category but ASB), and of them those with a
            // charge or summons among their outcomes (any month since).
            let all = context.ids(["all-crime"]).map(String.init).joined(separator: ",")
            guard !all.isEmpty else { return [] }
            let crimes = try await db.sql.raw(
                """
                SELECT month, CAST(SUM(count) AS BIGINT) AS n FROM counts_by_force WHERE force_id = \(bind: m.geographyId)
                  AND category_id IN (\(unsafeRaw: all)) GROUP BY month
                """
            ).rows(MonthCount.self)
            let charged = try await db.sql.raw(
                """
                SELECT i.month, COUNT(*) AS n FROM incidents i JOIN data_slices d ON d.id = i.slice_id
                WHERE d.kind = 'street' AND d.force_id = \(bind: m.geographyId) AND i.crime_id IN (
                  SELECT o.crime_id FROM outcomes o JOIN data_slices od ON od.id = o.slice_id
                  WHERE od.kind = 'outcomes' AND od.force_id = \(bind: m.geographyId)
                    AND o.outcome IN (\(unsafeRaw: Self.chargeOutcomes.map { "'\($0)'" }.joined(separator: ", "))))
                GROUP BY i.month
                """
            ).rows(MonthCount.self)
            let byMonth = Dictionary(charged.map { ($0.month, $0.n) }, uniquingKeysWith: +)
            for c in crimes where c.n > 0 { monthly[c.month] = (Double(byMonth[c.month] ?? 0), Double(c.n)) }
            source = "police.uk street and outcomes data"
        case .activity:
            struct Row: Decodable { var month: Int; var n: Double }
            let rows = try await db.sql.raw(
                """
                SELECT CAST(substr(occurred_on, 1, 4) || substr(occurred_on, 6, 2) AS INTEGER) AS month,
                  CAST(SUM(quantity) AS DOUBLE PRECISION) AS n FROM activities WHERE type = \(bind: m.activityType) GROUP BY 1
                """
            ).rows(Row.self)
            for r in rows { monthly[r.month] = (r.n, nil) }
            for month in context.months where monthly[month] == nil { monthly[month] = (0, nil) }
            source = "the activity ledger (all partners)"
        case .entered:
            return []
        }
        return Self.periods(
            monthly, frequency: m.frequency,
            rate: m.sourceKind == .stopSearchFindRate || m.sourceKind == .chargeSummonsShare
                ? .percent
                : (m.isRate ? .perThousand : .count), source: source)
    }

    /// The police.uk outcome types that are a charge or summons (Home Office outcome 1).
    static let chargeOutcomes = [
        "Suspect charged", "Suspect charged as part of another case", "Summons / charged by post",
    ]

    enum Scale { case count, perThousand, percent }

    /// Monthly numerators (and denominators) as the measure's periods and values.
    static func periods(
        _ monthly: [Int: (num: Double, den: Double?)], frequency: MeasureFrequency, rate: Scale, source: String
    ) -> [ComputedValue] {
        var grouped: [Int: [(Int, Double, Double?)]] = [:]
        for (month, v) in monthly where MonthPeriod.isValid(month) {
            let period = frequency == .monthly ? month : (month / 100) * 100 + ((month % 100 - 1) / 3) * 3 + 1
            grouped[period, default: []].append((month, v.num, v.den))
        }
        return grouped.keys.sorted().compactMap { period in
            guard let parts = grouped[period], frequency == .monthly || parts.count == 3 else { return nil }
            let num = parts.reduce(0) { $0 + $1.1 }
            switch rate {
            case .count:
                return ComputedValue(period: period, value: num, numerator: num, denominator: nil, source: source)
            case .perThousand:
                // The population is the same each month: the period's rate is its count per 1,000.
                guard let pop = parts.first?.2, pop > 0 else { return nil }
                return ComputedValue(
                    period: period, value: num / pop * 1_000, numerator: num, denominator: pop, source: source)
            case .percent:
                let den = parts.reduce(0) { $0 + ($1.2 ?? 0) }
                guard den > 0 else { return nil }
                return ComputedValue(
                    period: period, value: num / den * 100, numerator: num, denominator: den, source: source)
            }
        }
    }

    struct MonthCount: Decodable { var month: Int; var n: Int }

    private func areaCounts(slug: String, categories: String, on db: any Database) async throws -> [MonthCount] {
        struct Area: Decodable { var id: Int; var hasGeometry: Int }
        guard
            let area = try await db.sql.raw(
                "SELECT id, CASE WHEN geometry IS NULL THEN 0 ELSE 1 END AS has_geometry FROM areas WHERE slug = \(bind: slug)"
            ).row(Area.self)
        else { return [] }
        if area.hasGeometry == 1 {
            return try await db.sql.raw(
                """
                SELECT month, CAST(SUM(count) AS BIGINT) AS n FROM area_counts WHERE area_id = \(bind: area.id)
                  AND category_id IN (\(unsafeRaw: categories)) GROUP BY month
                """
            ).rows(MonthCount.self)
        }
        return try await db.sql.raw(
            """
            SELECT c.month, CAST(SUM(c.count) AS BIGINT) AS n FROM counts_by_lsoa c JOIN area_lsoas a ON a.lsoa_code = c.lsoa_code
            WHERE a.area_id = \(bind: area.id) AND c.category_id IN (\(unsafeRaw: categories)) GROUP BY c.month
            """
        ).rows(MonthCount.self)
    }

    /// Residents of the measure's place (ONS mid-year estimates in the bundled LSOA reference).
    private func population(_ m: Measure, on db: any Database) async throws -> Double? {
        let geo = m.geographyId
        let sum: Int?
        switch m.geography {
        case .force:
            guard let force = PoliceForce.known.first(where: { $0.id == geo }) else { return nil }
            sum =
                try await db.sql.raw(
                    "SELECT CAST(SUM(population) AS BIGINT) AS p FROM lsoas WHERE police_force = \(bind: force.geographyName)"
                ).first(decodingColumn: "p", as: Int?.self) ?? nil
        case .localAuthority:
            sum =
                try await db.sql.raw(
                    "SELECT CAST(SUM(population) AS BIGINT) AS p FROM lsoas WHERE lad_code = \(bind: geo)"
                )
                .first(decodingColumn: "p", as: Int?.self) ?? nil
        case .area:
            sum =
                try await db.sql.raw("SELECT population AS p FROM areas WHERE slug = \(bind: geo)")
                .first(decodingColumn: "p", as: Int?.self) ?? nil
        case nil:
            sum = nil
        }
        return sum.map(Double.init)
    }

    /// The local authorities with the most recorded incidents in the data held (codes).
    func busiestLocalAuthorities(_ n: Int, on db: any Database) async throws -> [String] {
        struct Row: Decodable { var ladCode: String }
        return try await db.sql.raw(
            """
            SELECT l.lad_code FROM counts_by_lsoa c JOIN lsoas l ON l.code = c.lsoa_code
            GROUP BY l.lad_code ORDER BY SUM(c.count) DESC LIMIT \(bind: n)
            """
        ).rows(Row.self).map(\.ladCode)
    }
}
