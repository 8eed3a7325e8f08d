import Analytics
import CrimeData
import Fluent
import PostgresKit
import SQLKit

/// The database side of ranking and hot spots: every query returns plain values, so the
/// statistics stay in `Analytics` and can be tested without a database.
struct AnalysisQueries: Sendable {
    let areas: AreaStore
    /// A force's LSOAs from the reference, kept until the data version moves on (the
    /// reference changes only with it): decoding a force's 1,388 rows was a sixth of a cold
    /// ranking's time.
    var lsoaCache: ResultCache<[LSOAInfo]>? = nil

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
    struct LSOAInfo: Sendable {
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
        try await ResultCache.cached(lsoaCache, key: force.id, on: db) {
            if let postgres = db as? any PostgresDatabase {
                return try await Self.postgresLSOAs(of: force, on: postgres)
            }
            var query = SQLQueryString("SELECT \(unsafeRaw: Self.lsoaColumns) FROM lsoas")
            Self.appendForce(force, column: "police_force", joiner: "WHERE", to: &query)
            // Read by column: the row decoder took 18% of a cold ranking for these rows.
            return try await db.sql.raw(query).all().map { r in
                LSOAInfo(
                    code: try r.decode(column: "code", as: String.self),
                    name: try r.decode(column: "name", as: String.self),
                    msoaCode: try r.decode(column: "msoa_code", as: String.self),
                    msoaName: try r.decode(column: "msoa_name", as: String.self),
                    ladCode: try r.decode(column: "lad_code", as: String.self),
                    ladName: try r.decode(column: "lad_name", as: String.self),
                    population: try r.decode(column: "population", as: Int.self),
                    easting: try r.decode(column: "easting", as: Double.self),
                    northing: try r.decode(column: "northing", as: Double.self))
            }
        }
    }

    /// The columns of ``LSOAInfo``, in its order.
    private static let lsoaColumns =
        "code, name, msoa_code, msoa_name, lad_code, lad_name, population, easting, northing"

    /// The same rows through PostgresNIO, decoded by position: PostgresKit's decoding by
    /// column name took 9 ms of a cold West Yorkshire ranking for these 12,492 values.
    private static func postgresLSOAs(of force: PoliceForce, on db: any PostgresDatabase) async throws
        -> [LSOAInfo]
    {
        var binds = PostgresBindings()
        var sql = "SELECT \(lsoaColumns) FROM lsoas"
        if force != AnalysisOptions.allForces {
            sql += " WHERE police_force = $1"
            binds.append(force.geographyName)
        }
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        let logger = db.logger
        let result = try await db.withConnection { $0.query(query, logger: logger) }.get()
        return try result.rows.map { row in
            let (code, name, msoaCode, msoaName, ladCode, ladName, population, easting, northing) = try row.decode(
                (String, String, String, String, String, String, Int, Double, Double).self)
            return LSOAInfo(
                code: code, name: name, msoaCode: msoaCode, msoaName: msoaName, ladCode: ladCode, ladName: ladName,
                population: population, easting: easting, northing: northing)
        }
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
    /// the maintained `counts_by_district` (every district lies inside one force), LSOAs and
    /// MSOAs from `counts_by_lsoa_year` and `counts_by_lsoa`.
    func placeCounts(_ o: AnalysisOptions, on db: any Database) async throws -> [PeriodCounts] {
        if o.level == .localAuthority {
            let sums = periodSums(o, column: "c.count")
            let ids = o.categoryIDs.map(String.init).joined(separator: ",")
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
        // LSOAs and MSOAs: the whole calendar years of each period from the yearly counts,
        // its other months month by month (a 36-month ranking from January reads a twelfth
        // of the rows).
        let windows = [o.period, o.period.previous, o.period.yearEarlier].map(\.byWholeYears)
        let years = windows.map { w in w.years.map { [$0] } ?? [] }
        let months = windows.map { w in w.months.map { $0.first...$0.last } }
        let flavor = SQLFlavor(db.sql)
        let packed = flavor.joined(
            "CAST(category_id AS TEXT) || ':' || CAST(current AS TEXT) || ':' || CAST(previous AS TEXT) || ':' || CAST(year_earlier AS TEXT)",
            by: "','")
        /// The sums by category (and by `place` when given) of the tables the periods read;
        /// two tables' sums are added together.
        func summed(place: String?) -> SQLQueryString? {
            var parts: [SQLQueryString] = []
            if years.contains(where: { !$0.isEmpty }) {
                parts.append(sums(o, place: place, table: "counts_by_lsoa_year", period: "year", windows: years))
            }
            if months.contains(where: { !$0.isEmpty }) {
                parts.append(sums(o, place: place, table: "counts_by_lsoa", period: "month", windows: months))
            }
            guard parts.count > 1 else { return parts.first }
            let keys = place == nil ? "category_id" : "place, category_id"
            return SQLQueryString(
                """
                SELECT \(unsafeRaw: keys), SUM(current) AS current, SUM(previous) AS previous,
                  SUM(year_earlier) AS year_earlier FROM (
                """) + parts.joined(separator: " UNION ALL ") + SQLQueryString(") u GROUP BY \(unsafeRaw: keys)")
        }
        let places: SQLQueryString
        if o.level == .lsoa {
            // Each LSOA of the force by its key: its few rows are read and grouped by
            // category in key order, with no large hash table (PostgreSQL: 73 → 34 ms for
            // West Yorkshire's 1,388 LSOAs, BENCHMARKS.md, issue 19).
            guard let perLSOA = summed(place: nil) else { return [] }
            var query = SQLQueryString("SELECT l.code AS place, (SELECT \(unsafeRaw: packed) FROM (") + perLSOA
            query.appendInterpolation(unsafeRaw: ") p) AS counts FROM lsoas l")
            Self.appendForce(o.force, column: "l.police_force", joiner: "WHERE", to: &query)
            places = query
        } else {
            guard let rows = summed(place: "l.msoa_code") else { return [] }
            places =
                SQLQueryString("SELECT place, \(unsafeRaw: packed) AS counts FROM (") + rows
                + SQLQueryString(") p GROUP BY place")
        }
        // All places in one text value: decoding a row cost more than the database's work
        // on it (18,223 rows by place and category for West Yorkshire, BENCHMARKS.md, issue 19).
        // A place with no counts has NULL for them, which the aggregate leaves out.
        let query =
            SQLQueryString("SELECT \(unsafeRaw: flavor.joined("place || '=' || counts", by: "';'")) AS counts FROM (")
            + places + SQLQueryString(") x")
        guard let text = try await db.sql.raw(query).first(decodingColumn: "counts", as: String?.self) ?? nil else {
            return []
        }
        return PackedCounts.parse(text, slugs: o.slugOfCategory)
    }

    /// Sums by category (and by `place` when given; otherwise of the LSOA `l.code` of an
    /// enclosing query) of `table`, whose `period` column is a month or a year, for the
    /// current period, the previous one and the one a year earlier: `windows` holds each
    /// one's ranges of `period` (none when it reads nothing from this table).
    private func sums(
        _ o: AnalysisOptions, place: String?, table: String, period: String, windows: [[ClosedRange<Int>]]
    ) -> SQLQueryString {
        func within(_ ranges: [ClosedRange<Int>]) -> String {
            ranges.isEmpty
                ? "1 = 0"
                : ranges.map { "c.\(period) BETWEEN \($0.lowerBound) AND \($0.upperBound)" }.joined(separator: " OR ")
        }
        // Summed as 32-bit integers (one place, category and month or year each), so
        // PostgreSQL adds in 64 bits rather than in numeric.
        let columns = zip(["current", "previous", "year_earlier"], windows).map { name, ranges in
            "SUM(CASE WHEN \(within(ranges)) THEN CAST(c.count AS INTEGER) ELSE 0 END) AS \(name)"
        }
        let all = windows.flatMap { $0 }
        let (low, high) = (all.map(\.lowerBound).min() ?? 0, all.map(\.upperBound).max() ?? 0)
        let keys = place.map { "\($0) AS place, c.category_id" } ?? "c.category_id"
        var query = SQLQueryString(
            """
            SELECT \(unsafeRaw: keys), \(unsafeRaw: columns.joined(separator: ", ")) FROM \(unsafeRaw: table) c
            """)
        if place != nil {
            query.appendInterpolation(unsafeRaw: " JOIN lsoas l ON l.code = c.lsoa_code")
            Self.appendForce(o.force, column: "l.police_force", joiner: "AND", to: &query)
        }
        query.appendInterpolation(
            unsafeRaw: """
                 WHERE c.\(period) BETWEEN \(low) AND \(high) AND (\(within(all)))
                  AND c.category_id IN (\(o.categoryIDs.map(String.init).joined(separator: ",")))
                """)
        if place == nil { query.appendInterpolation(unsafeRaw: " AND c.lsoa_code = l.code") }
        query.appendInterpolation(unsafeRaw: " GROUP BY \(place.map { "\($0), " } ?? "")c.category_id")
        return query
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
