import CrimeData
import Fluent
import Foundation
import SQLKit

/// Reads what the police.uk-compatible API serves from the stored police.uk data.
struct PoliceAPIQueries: Sendable {
    /// The `data_slices.kind` values of each data set, as SQL lists.
    static let streetKinds = "('street', 'legacy-street')"
    static let stopKinds = "('stop-and-search')"
    static let outcomeKinds = "('outcomes')"

    /// Months with street data, newest first, with the forces that have stop and search
    /// data that month (police.uk's `crimes-street-dates`).
    func availability(on db: any Database) async throws -> [(month: Int, stopForces: [String])] {
        struct Row: Decodable { var month: Int; var kind: String; var forceId: String }
        let rows = try await db.sql.raw(
            """
            SELECT DISTINCT month, kind, force_id FROM data_slices
            WHERE kind IN ('street', 'legacy-street', 'stop-and-search') AND row_count > 0 ORDER BY month DESC, force_id
            """
        ).rows(Row.self)
        var months: [Int] = []
        var stops: [Int: [String]] = [:]
        for r in rows {
            if r.kind == "stop-and-search" {
                stops[r.month, default: []].append(r.forceId)
            } else if months.last != r.month {
                months.append(r.month)
            }
        }
        return months.map { ($0, stops[$0] ?? []) }
    }

    /// The newest month holding data of these kinds, or nil when there is none.
    func latestMonth(kinds: String = streetKinds, on db: any Database) async throws -> Int? {
        try await db.sql.raw(
            "SELECT MAX(month) AS m FROM data_slices WHERE kind IN \(unsafeRaw: kinds) AND row_count > 0"
        )
        .first(decodingColumn: "m", as: Int?.self) ?? nil
    }

    /// Forces that have any police.uk data stored.
    func forcesWithData(on db: any Database) async throws -> [String] {
        try await db.sql.raw("SELECT DISTINCT force_id FROM data_slices WHERE row_count > 0 ORDER BY force_id")
            .all(decodingColumn: "force_id", as: String.self)
    }

    func streetSlices(month: Int, forceID: String? = nil, on db: any Database) async throws -> [SliceVersion] {
        struct Row: Decodable { var id: Int; var updatedAt: String; var rowCount: Int }
        var query = SQLQueryString(
            """
            SELECT id, updated_at, row_count FROM data_slices
            WHERE kind IN \(unsafeRaw: Self.streetKinds) AND month = \(bind: month) AND row_count > 0
            """)
        if let forceID {
            query.appendInterpolation(unsafeRaw: " AND force_id = "); query.appendInterpolation(bind: forceID)
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY id")
        return try await db.sql.raw(query).rows(Row.self)
            .map { SliceVersion(id: $0.id, updatedAt: $0.updatedAt, rowCount: $0.rowCount) }
    }

    /// The category ids of a police.uk category slug as a lookup table (`table[id]`); every
    /// id for `all-crime`; nil for a slug police.uk does not have.
    func categoryIDs(slug: String, on db: any Database) async throws -> CategorySet? {
        struct Row: Decodable { var id: Int; var slug: String }
        let rows = try await db.sql.raw("SELECT id, slug FROM crime_categories").rows(Row.self)
        let ids = rows.filter { slug == "all-crime" || $0.slug == slug }.map(\.id)
        // A category police.uk has but no stored row uses yet answers with no crimes.
        if ids.isEmpty && slug != "all-crime" && !CrimeCategory.known.contains(where: { $0.slug == slug }) {
            return nil
        }
        return CategorySet(ids)
    }

    struct CrimeRow: Decodable {
        var id: Int64
        var crimeId: Data?
        var month: Int
        var slug: String
        var categoryId: Int
        var easting: Double?
        var northing: Double?
        var longitude: Double?
        var latitude: Double?
        var location: String
        var lastOutcome: String
        var context: String
        var reportedBy: String?
        var outcomeMonth: Int?

        var crime: PoliceAPIJSON.Crime {
            let location: PoliceAPIJSON.Location? =
                if let latitude, let longitude {
                    .init(latitude: latitude, longitude: longitude, streetName: self.location)
                } else { nil }
            let monthText = ByteParsing.monthString(month)
            return PoliceAPIJSON.Crime(
                category: slug, persistentID: crimeId.map(Self.hex) ?? "", id: id, month: monthText, context: context,
                location: location, locationType: reportedBy == "British Transport Police" ? "BTP" : "Force",
                outcome: lastOutcome.isEmpty
                    ? nil : (lastOutcome, outcomeMonth.map(ByteParsing.monthString) ?? monthText))
        }

        static func hex(_ data: Data) -> String { ByteParsing.hex(data) }
    }

    /// The columns of a crime as the API serves it, the latest outcome's month included
    /// (from the outcomes files; the crime's own month when none were imported).
    static let crimeColumns = """
        i.id, i.crime_id, i.month, c.slug, i.category_id, i.easting, i.northing, i.longitude, i.latitude, i.location,
        i.last_outcome, i.context, i.reported_by,
        (SELECT MAX(o.month) FROM outcomes o WHERE o.crime_id = i.crime_id) AS outcome_month
        """

    func loadSlice(_ version: SliceVersion, on db: any Database) async throws -> StreetSlice {
        let rows = try await db.sql.raw(
            """
            SELECT \(unsafeRaw: Self.crimeColumns)
            FROM incidents i JOIN crime_categories c ON c.id = i.category_id
            WHERE i.slice_id = \(bind: version.id)
            ORDER BY CASE WHEN i.northing IS NULL THEN 1 ELSE 0 END, i.northing, i.id
            """
        ).rows(CrimeRow.self)
        var slice = StreetSlice(
            version: version, bytes: [], ends: [], categoryIDs: [], easting: [], northing: [], locationIDs: [],
            located: rows.count { $0.northing != nil && $0.easting != nil })
        slice.bytes.reserveCapacity(rows.count * 360)
        for r in rows {
            let crime = r.crime
            crime.write(to: &slice.bytes)
            slice.ends.append(slice.bytes.count)
            slice.categoryIDs.append(Int32(r.categoryId))
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
        return try await db.sql.raw(
            """
            SELECT DISTINCT month, outcome FROM outcomes WHERE crime_id = \(bind: bytes) ORDER BY month, outcome
            """
        ).rows(Row.self)
            .map { PoliceAPIJSON.Outcome(name: $0.outcome, date: ByteParsing.monthString($0.month)) }
    }

    /// A persistent id (64 hexadecimal characters, either case) as the 32 bytes stored.
    static func unhex(_ text: String) -> Data? {
        var text = text
        var bytes = [UInt8](repeating: 0, count: 32)
        let ok = text.withUTF8 { b in
            bytes.withUnsafeMutableBufferPointer { out in
                guard let base = out.baseAddress else { return false }
                return ByteParsing.crimeID(b, into: base)
            }
        }
        return ok ? Data(bytes) : nil
    }
}
