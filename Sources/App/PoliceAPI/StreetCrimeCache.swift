import CrimeData
import Fluent
import Foundation
import SQLKit

/// One police.uk street slice (a force's month) held in memory for the police.uk-compatible
/// API, each crime already written as police.uk JSON, with its position and category
/// beside it, so a request is a scan of a few arrays and a copy of bytes: no rows are
/// read or encoded per request.
struct StreetSlice: Sendable {
    var version: SliceVersion
    /// The crimes' JSON objects, end to end; crime `i` is `bytes[start(i)..<ends[i]]`.
    var bytes: [UInt8]
    var ends: [Int]
    var categoryIDs: [Int32]
    /// British National Grid metres; NaN for a crime without a location.
    var easting: [Double]
    var northing: [Double]
    /// police.uk map point id (``PoliceLocationID``); 0 without a location.
    var locationIDs: [Int64]

    /// Crimes with a location come first, ordered by northing; `located` is their count.
    var located: Int

    var count: Int { ends.count }

    /// The located crimes whose northing lies in `low...high` (a binary search each end).
    func rows(northing low: Double, _ high: Double) -> Range<Int> {
        func firstIndex(where predicate: (Double) -> Bool) -> Int {
            var (lo, hi) = (0, located)
            while lo < hi {
                let mid = (lo + hi) / 2
                if predicate(northing[mid]) { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }
        let start = firstIndex { $0 >= low }
        return start..<max(start, firstIndex { $0 > high })
    }
    func start(_ i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }
    func object(_ i: Int) -> ArraySlice<UInt8> { bytes[start(i)..<ends[i]] }
    var memory: Int { bytes.count + ends.count * 8 * 4 + categoryIDs.count * 4 }
}

/// Category ids as a table indexed by id: one load per crime instead of a hash lookup.
struct CategorySet: Sendable {
    private var table: [Bool]

    init(_ ids: [Int]) {
        table = Array(repeating: false, count: (ids.max() ?? 0) + 1)
        for id in ids where id >= 0 { table[id] = true }
    }

    @inline(__always)
    func contains(_ id: Int32) -> Bool { Int(id) < table.count && id >= 0 && table[Int(id)] }
}

/// What identifies a slice's contents: a re-import that changes the slice changes
/// `updatedAt` or `rowCount`, and the cached copy is dropped.
struct SliceVersion: Hashable, Sendable {
    var id: Int
    var forceID: String
    var updatedAt: String
    var rowCount: Int
}

/// The street slices of recent requests, least recently used dropped first once the
/// cache holds more than `budget` bytes. Loads are shared: concurrent requests for a
/// slice that is being read wait for the one load.
actor StreetCrimeCache {
    let budget: Int
    private var entries: [SliceVersion: Task<StreetSlice, any Error>] = [:]
    private var sizes: [SliceVersion: Int] = [:]
    private var lastUse: [SliceVersion: UInt64] = [:]
    private var clock: UInt64 = 0

    init(budgetBytes: Int) {
        budget = budgetBytes
    }

    func slice(_ version: SliceVersion, load: @escaping @Sendable () async throws -> StreetSlice) async throws -> StreetSlice {
        clock += 1
        lastUse[version] = clock
        if let task = entries[version] { return try await task.value }
        // A newer version of the same slice replaces the old one.
        for old in entries.keys where old.id == version.id { drop(old) }
        let task = Task { try await load() }
        entries[version] = task
        do {
            let slice = try await task.value
            sizes[version] = slice.memory
            evict()
            return slice
        } catch {
            drop(version)
            throw error
        }
    }

    private func drop(_ version: SliceVersion) {
        entries[version] = nil
        sizes[version] = nil
        lastUse[version] = nil
    }

    private func evict() {
        var total = sizes.values.reduce(0, +)
        // Keep at least the newest slice whatever its size.
        while total > budget, sizes.count > 1,
              let oldest = sizes.keys.min(by: { (lastUse[$0] ?? 0) < (lastUse[$1] ?? 0) }) {
            total -= sizes[oldest] ?? 0
            drop(oldest)
        }
    }

    var cachedBytes: Int { sizes.values.reduce(0, +) }
}

/// Reads what the police.uk-compatible API serves from the stored police.uk data.
struct PoliceAPIQueries: Sendable {
    static let streetKinds = "('street', 'legacy-street')"

    /// Months with street data, newest first, with the forces that have stop and search
    /// data that month (police.uk's `crimes-street-dates`).
    func availability(on db: any Database) async throws -> [(month: Int, stopForces: [String])] {
        struct Row: Decodable { var month: Int; var kind: String; var force_id: String }
        let rows = try await db.sql.raw("""
            SELECT DISTINCT month, kind, force_id FROM data_slices
            WHERE kind IN ('street', 'legacy-street', 'stop-and-search') AND row_count > 0 ORDER BY month DESC, force_id
            """).all(decoding: Row.self)
        var months: [Int] = []
        var stops: [Int: [String]] = [:]
        for r in rows {
            if r.kind == "stop-and-search" {
                stops[r.month, default: []].append(r.force_id)
            } else if months.last != r.month {
                months.append(r.month)
            }
        }
        return months.map { ($0, stops[$0] ?? []) }
    }

    /// The newest month holding data of these kinds, or nil when there is none.
    func latestMonth(kinds: String = streetKinds, on db: any Database) async throws -> Int? {
        try await db.sql.raw("SELECT MAX(month) AS m FROM data_slices WHERE kind IN \(unsafeRaw: kinds) AND row_count > 0")
            .first(decodingColumn: "m", as: Int?.self) ?? nil
    }

    /// Forces that have any police.uk data stored.
    func forcesWithData(on db: any Database) async throws -> [String] {
        try await db.sql.raw("SELECT DISTINCT force_id FROM data_slices WHERE row_count > 0 ORDER BY force_id")
            .all(decodingColumn: "force_id", as: String.self)
    }

    func streetSlices(month: Int, forceID: String? = nil, on db: any Database) async throws -> [SliceVersion] {
        struct Row: Decodable { var id: Int; var force_id: String; var updated_at: String; var row_count: Int }
        var query = SQLQueryString("""
            SELECT id, force_id, updated_at, row_count FROM data_slices
            WHERE kind IN \(unsafeRaw: Self.streetKinds) AND month = \(bind: month) AND row_count > 0
            """)
        if let forceID { query.appendInterpolation(unsafeRaw: " AND force_id = "); query.appendInterpolation(bind: forceID) }
        query.appendInterpolation(unsafeRaw: " ORDER BY id")
        return try await db.sql.raw(query).all(decoding: Row.self)
            .map { SliceVersion(id: $0.id, forceID: $0.force_id, updatedAt: $0.updated_at, rowCount: $0.row_count) }
    }

    /// The category ids of a police.uk category slug as a lookup table (`table[id]`); every
    /// id for `all-crime`; nil for a slug police.uk does not have.
    func categoryIDs(slug: String, on db: any Database) async throws -> CategorySet? {
        struct Row: Decodable { var id: Int; var slug: String }
        let rows = try await db.sql.raw("SELECT id, slug FROM crime_categories").all(decoding: Row.self)
        let ids = rows.filter { slug == "all-crime" || $0.slug == slug }.map(\.id)
        // A category police.uk has but no stored row uses yet answers with no crimes.
        if ids.isEmpty && slug != "all-crime" && !CrimeCategory.known.contains(where: { $0.slug == slug }) { return nil }
        return CategorySet(ids)
    }

    struct CrimeRow: Decodable {
        var id: Int64
        var crime_id: Data?
        var month: Int
        var slug: String
        var category_id: Int
        var easting: Double?
        var northing: Double?
        var longitude: Double?
        var latitude: Double?
        var location: String
        var last_outcome: String
        var context: String
        var reported_by: String?
        var outcome_month: Int?

        var crime: PoliceAPIJSON.Crime {
            let location: PoliceAPIJSON.Location? = if let latitude, let longitude {
                .init(latitude: latitude, longitude: longitude, streetName: self.location)
            } else { nil }
            let monthText = ByteParsing.monthString(month)
            return PoliceAPIJSON.Crime(
                category: slug, persistentID: crime_id.map(Self.hex) ?? "", id: id, month: monthText, context: context,
                location: location, locationType: reported_by == "British Transport Police" ? "BTP" : "Force",
                outcome: last_outcome.isEmpty ? nil : (last_outcome, outcome_month.map(ByteParsing.monthString) ?? monthText))
        }

        static func hex(_ data: Data) -> String {
            let digits = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(data.count * 2)
            for b in data { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The columns of a crime as the API serves it, the latest outcome's month included
    /// (from the outcomes files; the crime's own month when none were imported).
    static let crimeColumns = """
        i.id, i.crime_id, i.month, c.slug, i.category_id, i.easting, i.northing, i.longitude, i.latitude, i.location,
        i.last_outcome, i.context, i.reported_by,
        (SELECT MAX(o.month) FROM outcomes o WHERE o.crime_id = i.crime_id) AS outcome_month
        """

    func loadSlice(_ version: SliceVersion, on db: any Database) async throws -> StreetSlice {
        let rows = try await db.sql.raw("""
            SELECT \(unsafeRaw: Self.crimeColumns)
            FROM incidents i JOIN crime_categories c ON c.id = i.category_id
            WHERE i.slice_id = \(bind: version.id)
            ORDER BY CASE WHEN i.northing IS NULL THEN 1 ELSE 0 END, i.northing, i.id
            """).all(decoding: CrimeRow.self)
        var slice = StreetSlice(version: version, bytes: [], ends: [], categoryIDs: [], easting: [], northing: [], locationIDs: [],
                                located: rows.count { $0.northing != nil && $0.easting != nil })
        slice.bytes.reserveCapacity(rows.count * 360)
        for r in rows {
            let crime = r.crime
            crime.write(to: &slice.bytes)
            slice.ends.append(slice.bytes.count)
            slice.categoryIDs.append(Int32(r.category_id))
            slice.easting.append(r.easting ?? .nan)
            slice.northing.append(r.northing ?? .nan)
            slice.locationIDs.append(crime.location?.id ?? 0)
        }
        return slice
    }

    /// A crime by its police.uk persistent id, found through the (slice, row key) index:
    /// the row key of a crime is the hash of its Crime ID.
    func crime(persistentID: String, on db: any Database) async throws -> PoliceAPIJSON.Crime? {
        try await crimes(persistentIDs: [persistentID.lowercased()], on: db).first
    }

    /// Every outcome stored for a crime, oldest first.
    func outcomes(persistentID: String, on db: any Database) async throws -> [PoliceAPIJSON.Outcome] {
        guard let bytes = Self.unhex(persistentID) else { return [] }
        struct Row: Decodable { var month: Int; var outcome: String }
        return try await db.sql.raw("""
            SELECT DISTINCT month, outcome FROM outcomes WHERE crime_id = \(bind: bytes) ORDER BY month, outcome
            """).all(decoding: Row.self)
            .map { PoliceAPIJSON.Outcome(name: $0.outcome, date: ByteParsing.monthString($0.month)) }
    }

    static func unhex(_ text: String) -> Data? {
        let chars = Array(text.lowercased().utf8)
        guard chars.count == 64 else { return nil }
        var out = Data(capacity: 32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let hi = ByteParsing.hexValue(chars[i]), let lo = ByteParsing.hexValue(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }
}
