import Analytics
import CrimeData
import Fluent
import Foundation
import SQLKit

/// The kinds of named area. Boundary areas have an outline; LSOA-set areas are lists of
/// LSOAs (ONS geography has no outlines bundled, only centroids).
enum AreaKind: String, Codable, Sendable, CaseIterable {
    case radius, polygon, lsoas, msoa, localAuthority = "local-authority"

    var hasBoundary: Bool { self == .radius || self == .polygon }

    var label: String {
        switch self {
        case .radius: "Radius around a point"
        case .polygon: "Boundary (GeoJSON)"
        case .lsoas: "Set of LSOAs"
        case .msoa: "MSOA"
        case .localAuthority: "Local authority"
        }
    }
}

/// A stored area, ready to use.
struct AreaRecord: Sendable {
    var id: Int
    var slug: String
    var name: String
    var kind: AreaKind
    var forceID: String?
    var description: String
    var shape: AreaShape?
    var centre: GridPoint
    var radius: Double?
    var bounds: Extent
    var population: Int
    var lsoaCount: Int
    var countsVersion: Int

    /// The name for a crowded map label or a list: without a trailing " town centre".
    var shortName: String {
        name.hasSuffix(" town centre") ? String(name.dropLast(" town centre".count)) : name
    }
}

/// What a user asks to create.
struct AreaDraft: Sendable {
    var name: String
    var kind: AreaKind
    var forceID: String?
    var description = ""
    /// For boundary areas.
    var shape: AreaShape?
    var radius: Double?
    /// For LSOA-set areas.
    var lsoaCodes: [String] = []
}

enum AreaError: Error, CustomStringConvertible {
    case duplicate(String)
    case invalid(String)
    case notFound(String)

    var description: String {
        switch self {
        case .duplicate(let name): "an area called “\(name)” already exists"
        case .invalid(let reason): reason
        case .notFound(let slug): "no area “\(slug)”"
        }
    }
}

/// Areas in the database: create, list, find, and keep boundary areas' counts current.
struct AreaStore: Sendable {
    /// Saves an area. With `replace`, an area of the same name is replaced (the demo uses
    /// this so re-running it is safe); otherwise a name in use is refused.
    @discardableResult
    func create(_ draft: AreaDraft, replace: Bool = false, on db: any Database) async throws -> AreaRecord {
        let name = draft.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 120 else {
            throw AreaError.invalid("an area needs a name of 1 to 120 characters")
        }
        let slug = CrimeCategory.slug(forName: name)
        guard !slug.isEmpty else { throw AreaError.invalid("an area name needs letters or digits") }
        let sql = db.sql
        var lsoas: [(code: String, population: Int, centre: GridPoint)] = []
        let centre: GridPoint
        let bounds: Extent
        var geometry: String?
        if draft.kind.hasBoundary {
            guard let shape = draft.shape else {
                throw AreaError.invalid("a \(draft.kind.label.lowercased()) needs an outline")
            }
            bounds = shape.bounds
            centre = shape.centroid
            geometry = GeoJSON.multiPolygon(shape.polygons.map { $0.map { $0.map(BritishNationalGrid.geo(from:)) } })
            let rows = try await sql.raw(
                """
                SELECT code, population, easting, northing FROM lsoas
                WHERE easting BETWEEN \(bind: bounds.minEasting) AND \(bind: bounds.maxEasting)
                  AND northing BETWEEN \(bind: bounds.minNorthing) AND \(bind: bounds.maxNorthing)
                """
            ).rows(LSOARow.self)
            lsoas = rows.map { ($0.code, $0.population, GridPoint(easting: $0.easting, northing: $0.northing)) }
                .filter { shape.contains($0.centre) }
        } else {
            let codes = Array(Set(draft.lsoaCodes)).sorted()
            guard !codes.isEmpty else { throw AreaError.invalid("an LSOA-set area needs at least one LSOA") }
            let rows = try await sql.raw(
                """
                SELECT code, population, easting, northing FROM lsoas WHERE code IN (\(binds: codes))
                """
            ).rows(LSOARow.self)
            let known = Set(rows.map(\.code))
            if let missing = codes.first(where: { !known.contains($0) }) {
                throw AreaError.invalid("\(missing) is not an LSOA code in the bundled ONS 2011 reference")
            }
            lsoas = rows.map { ($0.code, $0.population, GridPoint(easting: $0.easting, northing: $0.northing)) }
            guard let extent = Extent(points: lsoas.map { ($0.centre.easting, $0.centre.northing) }) else {
                throw AreaError.invalid("an LSOA-set area needs at least one LSOA")
            }
            bounds = extent
            let n = Double(lsoas.count)
            centre = GridPoint(
                easting: lsoas.reduce(0) { $0 + $1.centre.easting } / n,
                northing: lsoas.reduce(0) { $0 + $1.centre.northing } / n)
        }
        let population = lsoas.reduce(0) { $0 + $1.population }
        let (codes, geometryText) = (lsoas.map(\.code), geometry)
        let now = Date().stored
        return try await db.transaction { tx in
            let sql = tx.sql
            if let existing = try await sql.raw("SELECT id FROM areas WHERE slug = \(bind: slug)")
                .first(decodingColumn: "id", as: Int.self)
            {
                guard replace else { throw AreaError.duplicate(name) }
                try await sql.raw("DELETE FROM area_counts WHERE area_id = \(bind: existing)").run()
                try await sql.raw("DELETE FROM area_lsoas WHERE area_id = \(bind: existing)").run()
                try await sql.raw("DELETE FROM areas WHERE id = \(bind: existing)").run()
            }
            let id = try await sql.raw(
                """
                INSERT INTO areas (slug, name, kind, force_id, description, geometry, centre_easting, centre_northing,
                  radius, min_easting, min_northing, max_easting, max_northing, population, lsoa_count, created_at)
                VALUES (\(bind: slug), \(bind: name), \(bind: draft.kind.rawValue), \(bind: draft.forceID),
                  \(bind: draft.description), \(bind: geometryText), \(bind: centre.easting), \(bind: centre.northing),
                  \(bind: draft.radius), \(bind: bounds.minEasting), \(bind: bounds.minNorthing), \(bind: bounds.maxEasting),
                  \(bind: bounds.maxNorthing), \(bind: population), \(bind: codes.count), \(bind: now))
                RETURNING id
                """
            ).insertedID()
            for chunk in codes.chunks(of: 500) {
                var insert = sql.insert(into: "area_lsoas").columns("area_id", "lsoa_code")
                for code in chunk { insert = insert.values(SQLBind(id), SQLBind(code)) }
                try await insert.run()
            }
            return try await find(slug: slug, on: tx)!
        }
    }

    func list(on db: any Database) async throws -> [AreaRecord] {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM areas ORDER BY name")
            .rows(AreaRow.self).map { try $0.record() }
    }

    func find(slug: String, on db: any Database) async throws -> AreaRecord? {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM areas WHERE slug = \(bind: slug)")
            .row(AreaRow.self)?.record()
    }

    func lsoaCodes(of area: AreaRecord, on db: any Database) async throws -> [String] {
        try await db.sql.raw("SELECT lsoa_code FROM area_lsoas WHERE area_id = \(bind: area.id) ORDER BY lsoa_code")
            .all(decodingColumn: "lsoa_code", as: String.self)
    }

    func delete(slug: String, on db: any Database) async throws {
        guard let area = try await find(slug: slug, on: db) else { throw AreaError.notFound(slug) }
        try await db.transaction { tx in
            for table in ["area_counts", "area_lsoas"] {
                try await tx.sql.raw("DELETE FROM \(ident: table) WHERE area_id = \(bind: area.id)").run()
            }
            try await tx.sql.raw("DELETE FROM areas WHERE id = \(bind: area.id)").run()
        }
    }

    /// Recounts every boundary area whose counts predate the last import, in one pass over
    /// the incidents inside the union of their bounding boxes. Returns the areas recounted.
    /// Called after every import and after areas are made; pages only read `area_counts`.
    @discardableResult
    func refreshCounts(on db: any Database) async throws -> Int {
        let sql = db.sql
        let version =
            try await sql.raw("SELECT COALESCE(MAX(id), 0) AS v FROM imports")
            .first(decodingColumn: "v", as: Int.self) ?? 0
        let staleSlugs = Set(
            try await sql.raw(
                """
                SELECT slug FROM areas WHERE geometry IS NOT NULL AND counts_version <> \(bind: version)
                """
            ).all(decodingColumn: "slug", as: String.self))
        guard !staleSlugs.isEmpty else { return 0 }
        let stale = try await list(on: db).filter { staleSlugs.contains($0.slug) }
        let union = stale.dropFirst().reduce(stale[0].bounds) { $0.union($1.bounds) }
        let counter = AreaCounter(areas: stale)
        try await sql.raw(
            """
            SELECT easting, northing, month, category_id FROM incidents
            WHERE easting BETWEEN \(bind: union.minEasting) AND \(bind: union.maxEasting)
              AND northing BETWEEN \(bind: union.minNorthing) AND \(bind: union.maxNorthing)
            """
        ).run { row in counter.add(row) }
        let counts = counter.counts
        try await db.transaction { tx in
            let sql = tx.sql
            for area in stale {
                try await sql.raw("DELETE FROM area_counts WHERE area_id = \(bind: area.id)").run()
                try await sql.raw("UPDATE areas SET counts_version = \(bind: version) WHERE id = \(bind: area.id)")
                    .run()
            }
            for chunk in counts.sorted(by: { $0.key < $1.key }).chunks(of: 400) {
                var insert = sql.insert(into: "area_counts").columns("area_id", "month", "category_id", "count")
                for (key, n) in chunk {
                    insert = insert.values(SQLBind(key.area), SQLBind(key.month), SQLBind(key.category), SQLBind(n))
                }
                try await insert.run()
            }
        }
        return stale.count
    }

    static let columns = """
        id, slug, name, kind, force_id, description, geometry, centre_easting, centre_northing, radius,
        min_easting, min_northing, max_easting, max_northing, population, lsoa_count, counts_version
        """

    private struct LSOARow: Decodable {
        var code: String
        var population: Int
        var easting: Double
        var northing: Double
    }

    private struct AreaRow: Decodable {
        var id: Int
        var slug: String
        var name: String
        var kind: String
        var forceId: String?
        var description: String
        var geometry: String?
        var centreEasting: Double
        var centreNorthing: Double
        var radius: Double?
        var minEasting: Double
        var minNorthing: Double
        var maxEasting: Double
        var maxNorthing: Double
        var population: Int
        var lsoaCount: Int
        var countsVersion: Int

        func record() throws -> AreaRecord {
            var shape: AreaShape?
            if let geometry {
                let boundary = try GeoJSON.boundaries(from: Data(geometry.utf8), file: "area \(slug)")[0]
                shape = try AreaShape(
                    polygons: boundary.polygons.map { $0.map { $0.map(BritishNationalGrid.grid(from:)) } })
            }
            return AreaRecord(
                id: id, slug: slug, name: name, kind: AreaKind(rawValue: kind) ?? .polygon, forceID: forceId,
                description: description, shape: shape,
                centre: GridPoint(easting: centreEasting, northing: centreNorthing),
                radius: radius,
                bounds: Extent(
                    minEasting: minEasting, minNorthing: minNorthing, maxEasting: maxEasting,
                    maxNorthing: maxNorthing),
                population: population, lsoaCount: lsoaCount, countsVersion: countsVersion)
        }
    }
}

/// Counts incident rows into areas by point in polygon. Rows arrive one at a time from
/// the database driver.
private final class AreaCounter: @unchecked Sendable {
    struct Key: Hashable, Comparable {
        var area: Int
        var month: Int
        var category: Int
        static func < (a: Key, b: Key) -> Bool { (a.area, a.month, a.category) < (b.area, b.month, b.category) }
    }
    let areas: [(id: Int, shape: AreaShape)]
    var counts: [Key: Int] = [:]

    init(areas: [AreaRecord]) {
        self.areas = areas.compactMap { a in a.shape.map { (a.id, $0) } }
    }

    func add(_ row: any SQLRow) {
        guard let e = try? row.decode(column: "easting", as: Double?.self),
            let n = try? row.decode(column: "northing", as: Double?.self),
            let month = try? row.decode(column: "month", as: Int.self),
            let category = try? row.decode(column: "category_id", as: Int.self)
        else { return }
        let p = GridPoint(easting: e, northing: n)
        for a in areas where a.shape.contains(p) {
            counts[Key(area: a.id, month: month, category: category), default: 0] += 1
        }
    }
}
