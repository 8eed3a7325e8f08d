import Analytics
import CrimeData
import Fluent
import SQLKit

/// The database side of ranking and hot spots: every query returns plain values, so the
/// statistics stay in `Analytics` and can be tested without a database.
struct AnalysisQueries: Sendable {
    let areas: AreaStore

    func availability(on db: any Database) async throws -> DataAvailability {
        struct ForceRow: Decodable { var forceId: String; var first: Int; var last: Int }
        let forces = try await db.sql.raw(
            """
            SELECT force_id, MIN(month) AS first, MAX(month) AS last FROM data_slices
            WHERE kind = 'street' AND row_count > 0 GROUP BY force_id ORDER BY force_id
            """
        ).rows(ForceRow.self)
        struct CategoryRow: Decodable { var id: Int; var slug: String }
        let categories = try await db.sql.raw("SELECT id, slug FROM crime_categories")
            .rows(CategoryRow.self)
        let slugs = try await db.sql.raw("SELECT slug FROM areas").all(decodingColumn: "slug", as: String.self)
        return DataAvailability(
            forces: forces.map {
                (PoliceForce.forID($0.forceId) ?? PoliceForce(id: $0.forceId, name: $0.forceId), $0.first, $0.last)
            },
            categories: Dictionary(grouping: categories, by: \.slug).mapValues { $0.map(\.id) },
            areaSlugs: Set(slugs))
    }

    /// Incidents grouped by map point in one pass: every point with an incident of any
    /// category (the study area), `count` those of the chosen categories (0 for a point with
    /// none). `byMonth`: by month too, the chosen categories only.
    /// Inside `area` only when given (by point in polygon for a boundary area, by LSOA code
    /// for an LSOA-set area). Incidents without a location are left out. The force's slices
    /// for the months are found first, so only their rows are read.
    func mapPoints(_ o: AnalysisOptions, area: AreaRecord?, byMonth: Bool = false, on db: any Database) async throws
        -> [(month: Int, point: MapPoint)]
    {
        var query = SQLQueryString(
            """
            SELECT \(unsafeRaw: byMonth ? "i.month" : "0") AS month, i.easting, i.northing,
              SUM(CASE WHEN i.category_id IN (\(unsafeRaw: o.categoryIDs.map(String.init).joined(separator: ","))) THEN 1 ELSE 0 END) AS n
            FROM incidents i
            WHERE i.slice_id IN (SELECT id FROM data_slices WHERE force_id = \(bind: o.force.id)
                AND month BETWEEN \(bind: o.period.first) AND \(bind: o.period.last))
              AND i.month BETWEEN \(bind: o.period.first) AND \(bind: o.period.last) AND i.easting IS NOT NULL
            """)
        if byMonth {
            // Month by month only the chosen categories are wanted (the study area comes from
            // the whole period's pass).
            query.appendInterpolation(
                unsafeRaw: " AND i.category_id IN (\(o.categoryIDs.map(String.init).joined(separator: ",")))")
        }
        if let area {
            query.appendInterpolation(
                unsafeRaw: " AND i.easting BETWEEN \(area.bounds.minEasting - 1) AND \(area.bounds.maxEasting + 1)")
            query.appendInterpolation(
                unsafeRaw: " AND i.northing BETWEEN \(area.bounds.minNorthing - 1) AND \(area.bounds.maxNorthing + 1)")
            if !area.kind.hasBoundary {
                query.appendInterpolation(
                    unsafeRaw: " AND i.lsoa_code IN (SELECT lsoa_code FROM area_lsoas WHERE area_id = \(area.id))")
            }
        }
        query.appendInterpolation(unsafeRaw: " GROUP BY 1, i.easting, i.northing")
        struct Row: Decodable { var month: Int; var easting: Double; var northing: Double; var n: Int }
        let rows = try await db.sql.raw(query).rows(Row.self)
        let shape = area?.shape
        return rows.compactMap { r in
            if let shape, !shape.contains(GridPoint(easting: r.easting, northing: r.northing)) { return nil }
            return (r.month, MapPoint(easting: r.easting, northing: r.northing, count: Double(r.n)))
        }
    }

    /// Counts by month for the chosen categories: force-wide from the maintained totals,
    /// or inside an area.
    func monthlySeries(_ o: AnalysisOptions, area: AreaRecord?, months: MonthPeriod, on db: any Database) async throws
        -> [Int: Int]
    {
        let ids = o.categoryIDs.map(String.init).joined(separator: ",")
        let query: SQLQueryString
        if let area, area.kind.hasBoundary {
            query =
                "SELECT month, CAST(SUM(count) AS BIGINT) AS n FROM area_counts WHERE area_id = \(bind: area.id) AND category_id IN (\(unsafeRaw: ids)) AND month BETWEEN \(bind: months.first) AND \(bind: months.last) GROUP BY month"
        } else if let area {
            query =
                "SELECT c.month, CAST(SUM(c.count) AS BIGINT) AS n FROM counts_by_lsoa c JOIN area_lsoas a ON a.lsoa_code = c.lsoa_code WHERE a.area_id = \(bind: area.id) AND c.category_id IN (\(unsafeRaw: ids)) AND c.month BETWEEN \(bind: months.first) AND \(bind: months.last) GROUP BY c.month"
        } else if o.isAllForces {
            query =
                "SELECT month, CAST(SUM(count) AS BIGINT) AS n FROM counts_by_force WHERE category_id IN (\(unsafeRaw: ids)) AND month BETWEEN \(bind: months.first) AND \(bind: months.last) GROUP BY month"
        } else {
            query =
                "SELECT month, CAST(SUM(count) AS BIGINT) AS n FROM counts_by_force WHERE force_id = \(bind: o.force.id) AND category_id IN (\(unsafeRaw: ids)) AND month BETWEEN \(bind: months.first) AND \(bind: months.last) GROUP BY month"
        }
        struct Row: Decodable { var month: Int; var n: Int }
        return Dictionary(
            uniqueKeysWithValues: try await db.sql.raw(query).rows(Row.self).map { ($0.month, $0.n) })
    }

    /// The LSOAs of a force in the ONS reference, with the names of their MSOA and local
    /// authority and their population.
    struct LSOAInfo: Decodable, Sendable {
        var code: String
        var name: String
        var msoaCode: String
        var msoaName: String
        var ladCode: String
        var ladName: String
        var population: Int
        var easting: Double
        var northing: Double
    }

    /// `AnalysisOptions.allForces`: every LSOA of England and Wales.
    func lsoas(of force: PoliceForce, on db: any Database) async throws -> [LSOAInfo] {
        var query = SQLQueryString(
            "SELECT code, name, msoa_code, msoa_name, lad_code, lad_name, population, easting, northing FROM lsoas")
        Self.appendForce(force, column: "police_force", joiner: "WHERE", to: &query)
        return try await db.sql.raw(query).rows(LSOAInfo.self)
    }

    /// ` joiner column = 'the force's name in the LSOA reference'`, or nothing for
    /// `AnalysisOptions.allForces`.
    private static func appendForce(
        _ force: PoliceForce, column: String, joiner: String, to query: inout SQLQueryString
    ) {
        guard force != AnalysisOptions.allForces else { return }
        query.appendInterpolation(unsafeRaw: " \(joiner) \(column) = ")
        query.appendInterpolation(bind: force.geographyName)
    }

    /// Counts of one place and category in the chosen period, the previous period and the
    /// same months a year earlier.
    struct PeriodCounts: Decodable, Sendable {
        var place: String
        var slug: String
        var current: Int
        var previous: Int
        var yearEarlier: Int
    }

    /// Runs a query returning `place, category_id, current, previous, year_earlier` and names
    /// each category by its slug (grouping by id spares the database a join and a sort by text).
    private func periodCounts(_ query: SQLQueryString, _ o: AnalysisOptions, on db: any Database) async throws
        -> [PeriodCounts]
    {
        struct Row: Decodable {
            var place: String; var categoryId: Int; var current: Int; var previous: Int; var yearEarlier: Int
        }
        return try await db.sql.raw(query).rows(Row.self).compactMap { r in
            o.slugOfCategory[r.categoryId].map {
                PeriodCounts(
                    place: r.place, slug: $0, current: r.current, previous: r.previous, yearEarlier: r.yearEarlier)
            }
        }
    }

    /// The three period sums as SQL, so the database returns one row per place and
    /// category rather than one per month, and the months they span.
    private func periodSums(_ o: AnalysisOptions, column: String) -> (select: String, first: Int, last: Int) {
        let p = o.period, prev = p.previous, year = p.yearEarlier
        func sum(_ m: MonthPeriod) -> String {
            "CAST(SUM(CASE WHEN c.month BETWEEN \(m.first) AND \(m.last) THEN \(column) ELSE 0 END) AS BIGINT)"
        }
        return (
            "\(sum(p)) AS current, \(sum(prev)) AS previous, \(sum(year)) AS year_earlier",
            min(prev.first, year.first), p.last
        )
    }

    /// The local authority districts of a force (all of them for
    /// `AnalysisOptions.allForces`), with their residents: the sum over their LSOAs.
    func districts(of force: PoliceForce, on db: any Database) async throws -> [(
        code: String, name: String, population: Int
    )] {
        var query = SQLQueryString(
            "SELECT lad_code, lad_name, CAST(SUM(population) AS BIGINT) AS population FROM lsoas")
        Self.appendForce(force, column: "police_force", joiner: "WHERE", to: &query)
        query.appendInterpolation(unsafeRaw: " GROUP BY lad_code, lad_name")
        struct Row: Decodable { var ladCode: String; var ladName: String; var population: Int }
        return try await db.sql.raw(query).rows(Row.self).map { ($0.ladCode, $0.ladName, $0.population) }
    }

    /// Stored counts by place at the ranking's level (LSOA, MSOA or local authority code)
    /// and category slug, for the force's LSOAs or every LSOA. Grouped by the database, so a
    /// national ranking returns one row per place and category. Local authorities come from
    /// the maintained `counts_by_district` (every district lies inside one force).
    func placeCounts(_ o: AnalysisOptions, on db: any Database) async throws -> [PeriodCounts] {
        let sums = periodSums(o, column: "c.count")
        let ids = o.categoryIDs.map(String.init).joined(separator: ",")
        if o.level == .localAuthority {
            var query = SQLQueryString(
                """
                SELECT c.lad_code AS place, c.category_id, \(unsafeRaw: sums.select) FROM counts_by_district c
                WHERE c.month BETWEEN \(bind: sums.first) AND \(bind: sums.last) AND c.category_id IN (\(unsafeRaw: ids))
                """)
            if !o.isAllForces {
                query.appendInterpolation(unsafeRaw: " AND c.lad_code IN (SELECT lad_code FROM lsoas")
                Self.appendForce(o.force, column: "police_force", joiner: "WHERE", to: &query)
                query.appendInterpolation(unsafeRaw: ")")
            }
            query.appendInterpolation(unsafeRaw: " GROUP BY c.lad_code, c.category_id")
            return try await periodCounts(query, o, on: db)
        }
        let place = o.level == .msoa ? "l.msoa_code" : "c.lsoa_code"
        var query = SQLQueryString(
            """
            SELECT \(unsafeRaw: place) AS place, c.category_id, \(unsafeRaw: sums.select) FROM counts_by_lsoa c
            JOIN lsoas l ON l.code = c.lsoa_code
            WHERE c.month BETWEEN \(bind: sums.first) AND \(bind: sums.last)
              AND c.category_id IN (\(unsafeRaw: ids))
            """)
        Self.appendForce(o.force, column: "l.police_force", joiner: "AND", to: &query)
        query.appendInterpolation(unsafeRaw: " GROUP BY \(place), c.category_id")
        return try await periodCounts(query, o, on: db)
    }

    /// Stored counts by area id and category slug: boundary areas from `area_counts`
    /// (kept current by the importer), LSOA-set areas from their LSOAs' counts.
    func areaCounts(_ o: AnalysisOptions, on db: any Database) async throws -> [PeriodCounts] {
        let ids = o.categoryIDs.map(String.init).joined(separator: ",")
        let sums = periodSums(o, column: "c.count")
        return try await db.sql.raw(
            """
            SELECT CAST(c.area_id AS TEXT) AS place, k.slug, \(unsafeRaw: sums.select)
            FROM area_counts c JOIN crime_categories k ON k.id = c.category_id
            WHERE c.month BETWEEN \(bind: sums.first) AND \(bind: sums.last) AND c.category_id IN (\(unsafeRaw: ids))
            GROUP BY c.area_id, k.slug
            UNION ALL
            SELECT CAST(a.area_id AS TEXT) AS place, k.slug, \(unsafeRaw: sums.select) FROM area_lsoas a
            JOIN areas r ON r.id = a.area_id AND r.geometry IS NULL
            JOIN counts_by_lsoa c ON c.lsoa_code = a.lsoa_code JOIN crime_categories k ON k.id = c.category_id
            WHERE c.month BETWEEN \(bind: sums.first) AND \(bind: sums.last) AND c.category_id IN (\(unsafeRaw: ids))
            GROUP BY a.area_id, k.slug
            """
        ).rows(PeriodCounts.self)
    }

    /// The force-wide total for the chosen categories and months.
    func forceTotal(_ o: AnalysisOptions, on db: any Database) async throws -> Int {
        try await monthlySeries(o, area: nil, months: o.period, on: db).values.reduce(0, +)
    }
}
