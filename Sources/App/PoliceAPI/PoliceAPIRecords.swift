import CrimeData
import Fluent
import Foundation
import SQLKit

/// Stop and search and outcome records for the police.uk-compatible API, read with SQL:
/// they are smaller than the street data and asked for less often, so they are not cached.
extension PoliceAPIQueries {
    struct StopRow: Decodable {
        var type: String
        var datetime: String
        var partOfOperation: String
        var operationName: String
        var latitude: Double?
        var longitude: Double?
        var gender: String
        var ageRange: String
        var selfDefinedEthnicity: String
        var officerDefinedEthnicity: String
        var legislation: String
        var objectOfSearch: String
        var outcome: String
        var outcomeLinkedToObject: String
        var removalOfMoreThanOuterClothing: String

        /// The stop as police.uk serves it. Stop and search files carry no "On or near"
        /// text, so the street name is empty.
        var stop: PoliceAPIJSON.Stop {
            let location: PoliceAPIJSON.Location? =
                if let latitude, let longitude {
                    .init(latitude: latitude, longitude: longitude, streetName: "")
                } else { nil }
            return .init(
                type: type, datetime: datetime, partOfOperation: partOfOperation, operationName: operationName,
                location: location, gender: gender, ageRange: ageRange, selfDefinedEthnicity: selfDefinedEthnicity,
                officerDefinedEthnicity: officerDefinedEthnicity, legislation: legislation,
                objectOfSearch: objectOfSearch,
                outcome: outcome, outcomeLinkedToObject: outcomeLinkedToObject,
                removalOfMoreThanOuterClothing: removalOfMoreThanOuterClothing)
        }
    }

    enum StopFilter {
        /// Stops with a location inside the region.
        case region(PoliceAPIRegion)
        /// Stops at one map point.
        case point(latitude: Double, longitude: Double)
        /// A force's stops: all of them, or only those without a location.
        case force(String, withoutLocationOnly: Bool)
    }

    func stops(month: Int, _ filter: StopFilter, on db: any Database) async throws -> [PoliceAPIJSON.Stop] {
        var query = SQLQueryString(
            """
            SELECT s.type, s.datetime, s.part_of_operation, s.operation_name, s.latitude, s.longitude, s.gender, s.age_range,
              s.self_defined_ethnicity, s.officer_defined_ethnicity, s.legislation, s.object_of_search, s.outcome,
              s.outcome_linked_to_object, s.removal_of_more_than_outer_clothing
            FROM stop_searches s JOIN data_slices d ON d.id = s.slice_id
            WHERE d.kind = 'stop-and-search' AND d.month = \(bind: month)
            """)
        var region: PoliceAPIRegion?
        switch filter {
        case .region(let r):
            region = r
            let box = r.geoBox
            query.appendInterpolation(
                unsafeRaw:
                    " AND s.latitude BETWEEN \(box.minLat) AND \(box.maxLat) AND s.longitude BETWEEN \(box.minLng) AND \(box.maxLng)"
            )
        case .point(let lat, let lng):
            query.appendInterpolation(
                unsafeRaw:
                    " AND s.latitude BETWEEN \(lat - 5e-7) AND \(lat + 5e-7) AND s.longitude BETWEEN \(lng - 5e-7) AND \(lng + 5e-7)"
            )
        case .force(let force, let withoutLocationOnly):
            query.appendInterpolation(unsafeRaw: " AND d.force_id = ")
            query.appendInterpolation(bind: force)
            if withoutLocationOnly { query.appendInterpolation(unsafeRaw: " AND s.latitude IS NULL") }
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY s.datetime, s.id")
        let rows = try await db.sql.raw(query).rows(StopRow.self)
        return rows.compactMap { row in
            if let region {
                guard let lat = row.latitude, let lng = row.longitude, region.contains(latitude: lat, longitude: lng)
                else { return nil }
            }
            return row.stop
        }
    }

    /// Outcomes given in `month` to crimes inside the region (or at one map point), each
    /// with its crime as police.uk serves it (found through the crimes' row keys; an
    /// outcome whose crime is not stored is left out, as police.uk cannot show it either).
    func outcomes(
        month: Int, region: PoliceAPIRegion?, point: (latitude: Double, longitude: Double)?,
        on db: any Database
    ) async throws -> [(outcome: PoliceAPIJSON.Outcome, crime: PoliceAPIJSON.Crime)] {
        struct Row: Decodable { var crimeId: Data; var outcome: String; var latitude: Double?; var longitude: Double? }
        var query = SQLQueryString(
            """
            SELECT o.crime_id, o.outcome, o.latitude, o.longitude FROM outcomes o JOIN data_slices d ON d.id = o.slice_id
            WHERE d.kind = 'outcomes' AND o.month = \(bind: month)
            """)
        if let region {
            let box = region.geoBox
            query.appendInterpolation(
                unsafeRaw:
                    " AND o.latitude BETWEEN \(box.minLat) AND \(box.maxLat) AND o.longitude BETWEEN \(box.minLng) AND \(box.maxLng)"
            )
        }
        if let (lat, lng) = point {
            query.appendInterpolation(
                unsafeRaw:
                    " AND o.latitude BETWEEN \(lat - 5e-7) AND \(lat + 5e-7) AND o.longitude BETWEEN \(lng - 5e-7) AND \(lng + 5e-7)"
            )
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY o.id")
        let rows = try await db.sql.raw(query).rows(Row.self).filter { row in
            guard let region else { return true }
            guard let lat = row.latitude, let lng = row.longitude else { return false }
            return region.contains(latitude: lat, longitude: lng)
        }
        let ids = Array(Set(rows.map { CrimeRow.hex($0.crimeId) })).sorted()
        var crimes: [String: PoliceAPIJSON.Crime] = [:]
        for chunk in ids.chunks(of: 500) {
            for crime in try await self.crimes(persistentIDs: Array(chunk), on: db) {
                crimes[crime.persistentID] = crime
            }
        }
        let monthText = ByteParsing.monthString(month)
        return rows.compactMap { row in
            crimes[CrimeRow.hex(row.crimeId)].map { (PoliceAPIJSON.Outcome(name: row.outcome, date: monthText), $0) }
        }
    }

    /// Crimes by persistent id, many at once (one index probe per id and street slice).
    func crimes(persistentIDs ids: [String], on db: any Database) async throws -> [PoliceAPIJSON.Crime] {
        guard !ids.isEmpty else { return [] }
        let wanted = Set(ids)
        let keys = ids.map { String(PoliceFileReader.crimeKey($0)) }.joined(separator: ",")
        let rows = try await db.sql.raw(
            """
            SELECT \(unsafeRaw: Self.crimeColumns)
            FROM incidents i JOIN crime_categories c ON c.id = i.category_id
            WHERE i.row_key IN (\(unsafeRaw: keys))
              AND i.slice_id IN (SELECT id FROM data_slices WHERE kind IN \(unsafeRaw: Self.streetKinds))
            """
        ).rows(CrimeRow.self)
        var seen = Set<String>()
        return rows.compactMap { row in
            guard let id = row.crimeId.map(CrimeRow.hex), wanted.contains(id), seen.insert(id).inserted else {
                return nil
            }
            return row.crime
        }
    }
}
