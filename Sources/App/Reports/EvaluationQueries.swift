import Analytics
import CrimeData
import Fluent
import Foundation
import SQLKit

/// The evaluation's reads and writes: outcome-weighted monthly series, delivered activity,
/// the buffer counts, and an area's design.
extension EvaluationService {
    /// (key, month, category_id, count), weighted in SQL, with the Poisson variance Σw²n.
    func weighted<Key: Hashable & Decodable & Sendable>(
        keyColumn: String, table: String, filter: SQLQueryString, outcome: EvaluationOutcome, months: [Int],
        monthIndex: [Int: Int],
        on db: any Database
    ) async throws -> [Key: [WeightedCount]] {
        // An empty IN list is a syntax error on PostgreSQL: nothing to ask, nothing asked.
        guard !outcome.weights.isEmpty, let firstMonth = months.first, let lastMonth = months.last else { return [:] }
        var weight = SQLQueryString("CASE category_id")
        var square = SQLQueryString("CASE category_id")
        for (id, w) in outcome.weights.sorted(by: { $0.key < $1.key }) {
            weight.appendInterpolation(unsafeRaw: " WHEN \(id) THEN \(w)")
            square.appendInterpolation(unsafeRaw: " WHEN \(id) THEN \(w * w)")
        }
        weight.appendInterpolation(unsafeRaw: " ELSE 0 END")
        square.appendInterpolation(unsafeRaw: " ELSE 0 END")
        let out = SeriesCollector<Key>(months: months.count, monthIndex: monthIndex)
        try await db.sql.raw(
            """
            SELECT \(ident: keyColumn) AS k, month, CAST(SUM(count * \(weight)) AS DOUBLE PRECISION) AS value,
              CAST(SUM(count * \(square)) AS DOUBLE PRECISION) AS variance
            FROM \(ident: table)
            WHERE month BETWEEN \(bind: firstMonth) AND \(bind: lastMonth)
              AND category_id IN (\(binds: outcome.weights.keys.sorted())) AND \(filter)
            GROUP BY \(ident: keyColumn), month
            """
        ).run { row in out.add(row) }
        return out.series
    }

    /// Patrol hours and ASB powers used in each area of the campaign, from the partners'
    /// records the viewer may see (as totals only).
    func dose(campaignID: Int, viewer: ActivityViewer, on db: any Database) async throws -> [Int: (
        patrol: Double, powers: Double
    )] {
        struct Row: Decodable { var areaId: Int; var type: String; var quantity: Double }
        let rows = try await db.sql.raw(
            """
            SELECT area_id, type, CAST(SUM(quantity) AS DOUBLE PRECISION) AS quantity FROM activity_totals t
            WHERE campaign_id = \(bind: campaignID) AND \(viewer.condition("t")) GROUP BY area_id, type
            """
        ).rows(Row.self)
        var out: [Int: (patrol: Double, powers: Double)] = [:]
        for r in rows {
            var v = out[r.areaId] ?? (0, 0)
            if r.type == "patrol" { v.patrol += r.quantity }
            if ActivityType.named(r.type)?.group == "ASB powers", r.type != "pspo" { v.powers += r.quantity }
            out[r.areaId] = v
        }
        return out
    }

    /// The buffer of each area: incidents within the buffer width of its outline, outside it
    /// and outside every other treated area. Recounted only when the data (`version`, the
    /// latest import), the width or the set of treated areas changed.
    func countBuffers(
        campaign: CampaignStore.Campaign, areas: [AreaRecord], design: (AreaRecord) -> EvaluationDesign, months: [Int],
        version: Int, on db: any Database
    ) async throws {
        guard let firstMonth = months.first, let lastMonth = months.last else { return }
        let treatedIDs = areas.map(\.id).sorted().map(String.init).joined(separator: ",")
        struct State: Decodable { var areaId: Int; var signature: String }
        let states = Dictionary(
            uniqueKeysWithValues: try await db.sql.raw(
                """
                SELECT area_id, signature FROM evaluation_buffers WHERE campaign_id = \(bind: campaign.id)
                """
            ).rows(State.self).map { ($0.areaId, $0.signature) })
        let signatures = Dictionary(
            uniqueKeysWithValues: areas.map {
                ($0.id, "\(version)|\(design($0).bufferMetres)|\(treatedIDs)|\(firstMonth)-\(lastMonth)")
            })
        let stale = areas.filter { $0.shape != nil && states[$0.id] != signatures[$0.id] }
        if !stale.isEmpty {
            let counter = BufferCounter(
                stale: stale.map { ($0, design($0).bufferMetres) }, treated: areas.compactMap(\.shape))
            var boxes: [SQLQueryString] = []
            for (a, width) in counter.areas {
                guard let b = a.shape?.bounds else { continue }
                boxes.append(
                    """
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
            try await db.sql.raw(
                """
                SELECT easting, northing, month, category_id FROM incidents
                WHERE month BETWEEN \(bind: firstMonth) AND \(bind: lastMonth) AND \(any)
                """
            ).run { row in counter.add(row) }
            let counts = counter.counts
            try await db.transaction { tx in
                for a in stale {
                    try await tx.sql.raw(
                        "DELETE FROM evaluation_buffer_counts WHERE campaign_id = \(bind: campaign.id) AND area_id = \(bind: a.id)"
                    ).run()
                    try await tx.sql.raw(
                        "DELETE FROM evaluation_buffers WHERE campaign_id = \(bind: campaign.id) AND area_id = \(bind: a.id)"
                    ).run()
                    try await tx.sql.raw(
                        """
                        INSERT INTO evaluation_buffers (campaign_id, area_id, signature) VALUES (\(bind: campaign.id), \(bind: a.id), \(bind: signatures[a.id] ?? ""))
                        """
                    ).run()
                }
                let rows = counts.flatMap { area, byMonth in
                    byMonth.flatMap { month, byCategory in byCategory.map { (area, month, $0.key, $0.value) } }
                }.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
                for chunk in rows.chunks(of: 400) {
                    var insert = tx.sql.insert(into: "evaluation_buffer_counts").columns(
                        "campaign_id", "area_id", "month", "category_id", "count")
                    for r in chunk {
                        insert = insert.values(
                            SQLBind(campaign.id), SQLBind(r.0), SQLBind(r.1), SQLBind(r.2), SQLBind(r.3))
                    }
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
        guard let key = try? row.decode(column: "k", as: Key.self),
            let month = try? row.decode(column: "month", as: Int.self),
            let t = monthIndex[month], let value = try? row.decode(column: "value", as: Double.self),
            let variance = try? row.decode(column: "variance", as: Double.self)
        else { return }
        series[key, default: [WeightedCount](repeating: .zero, count: months)][t] = WeightedCount(
            value: value, variance: variance)
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
        guard let e = try? row.decode(column: "easting", as: Double?.self),
            let n = try? row.decode(column: "northing", as: Double?.self),
            let month = try? row.decode(column: "month", as: Int.self),
            let category = try? row.decode(column: "category_id", as: Int.self)
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
        campaignID: Int, areaID: Int, buffer: String, comparison: String, by user: CurrentUser, audit: AuditLog,
        on db: any Database
    ) async throws {
        var problems: [FieldError] = []
        let width = Double(buffer.trimmingCharacters(in: .whitespaces))
        if width == nil || !(100...3_000).contains(width!) {
            problems.append(FieldError(field: "buffer", message: "Enter the buffer width in metres, from 100 to 3,000"))
        }
        let codes = comparison.uppercased().split(whereSeparator: {
            $0 == " " || $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\t"
        })
        .map(String.init)
        var unique: [String] = []
        for c in codes where !unique.contains(c) { unique.append(c) }
        if unique.count > 300 {
            problems.append(FieldError(field: "comparison", message: "Choose at most 300 comparison LSOAs"))
        }
        if !unique.isEmpty {
            let known = Set(
                try await db.sql.raw("SELECT code FROM lsoas WHERE code IN (\(binds: unique))").all(
                    decodingColumn: "code", as: String.self))
            let unknown = unique.filter { !known.contains($0) }
            if !unknown.isEmpty {
                problems.append(
                    FieldError(
                        field: "comparison",
                        message:
                            "Not LSOA codes of the bundled ONS reference: \(unknown.prefix(5).joined(separator: ", "))\(unknown.count > 5 ? " and \(unknown.count - 5) more" : "")"
                    ))
            }
        }
        guard problems.isEmpty, let width else { throw FieldErrors(errors: problems) }
        let text = unique.joined(separator: " ")
        try await db.transaction { tx in
            try await tx.sql.raw(
                "DELETE FROM evaluation_settings WHERE campaign_id = \(bind: campaignID) AND area_id = \(bind: areaID)"
            ).run()
            try await tx.sql.raw(
                """
                INSERT INTO evaluation_settings (campaign_id, area_id, buffer_metres, comparison, updated_at, updated_by)
                VALUES (\(bind: campaignID), \(bind: areaID), \(bind: width), \(bind: text), \(bind: Date().stored), \(bind: user.id))
                """
            ).run()
            try await audit.record(
                "update", entity: "evaluation_design", id: "\(campaignID)/\(areaID)", before: nil as String?,
                after: ["buffer_metres": HotspotExport.number(width), "comparison": text.isEmpty ? "automatic" : text],
                by: user, on: tx)
        }
    }
}
