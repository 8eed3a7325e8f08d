@testable import App
import Foundation
import SQLKit
import Testing
import VaporTesting

/// The bulk path of an import, on whichever database the tests run against: on PostgreSQL
/// rows go as binary COPY in key order with ids reserved a block at a time, on SQLite
/// through the writer thread's multi-row inserts. Both must store the same values.
@Suite("bulk load of incidents")
struct BulkLoadTests {
    @Test("every column comes back as written: NULLs, escapes, non-ASCII text, rounded grid positions")
    func columnsRoundTrip() async throws {
        try await withTestApp { app in
            let odd = "\"On or near Back\\slash\tTab Lane, Café Row\""
            let rows = [
                PoliceCSV.crime(0xBEEF, location: odd),
                PoliceCSV.asb(location: "On or near Ünïcödé Street"),
                "\(PoliceCSV.id(7)),2024-06,Suffolk Constabulary,Norfolk Constabulary,,,No location,,,Other crime,,A note",
            ]
            let path = try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "2024-06-norfolk-street.csv")
            let report = try await app.importFiles(path)
            #expect(report.inserted == 3)
            #expect(report.rejected == 0)

            struct Row: Decodable {
                var crime_id: String?
                var month: Int
                var longitude: Double?
                var latitude: Double?
                var easting: Double?
                var northing: Double?
                var location: String
                var lsoa_code: String
                var last_outcome: String
                var context: String
                var reported_by: String?
            }
            let hex =
                SQLFlavor(app.db.sql) == .postgres ? "encode(crime_id, 'hex')" : "nullif(lower(hex(crime_id)), '')"
            let stored = try await app.db.sql.raw(
                """
                SELECT \(unsafeRaw: hex) AS crime_id, month, longitude, latitude, easting, northing, location, lsoa_code, last_outcome,
                  context, reported_by FROM incidents ORDER BY location
                """
            ).all(decoding: Row.self)
            try #require(stored.count == 3)
            let crime = try #require(stored.first { $0.location.hasPrefix("On or near Back") })
            #expect(crime.location == "On or near Back\\slash\tTab Lane, Café Row")
            #expect(crime.crime_id == PoliceCSV.id(0xBEEF))
            #expect(crime.month == 202_406)
            #expect(crime.longitude == 1.2974)
            #expect(crime.latitude == 52.6309)
            let easting = try #require(crime.easting), northing = try #require(crime.northing)
            #expect(abs((easting * 10).rounded() - easting * 10) < 1e-6)
            #expect(abs(easting - 623_100) < 1_000 && abs(northing - 308_600) < 1_000)
            #expect(crime.lsoa_code == "E01026764")
            #expect(crime.last_outcome == "Under investigation")
            #expect(crime.context == "")
            #expect(crime.reported_by == nil)

            let asb = try #require(stored.first { $0.location.contains("Street") })
            #expect(asb.location == "On or near Ünïcödé Street")
            #expect(asb.crime_id == nil)

            let nowhere = try #require(stored.first { $0.location == "No location" })
            #expect(nowhere.longitude == nil && nowhere.latitude == nil)
            #expect(nowhere.easting == nil && nowhere.northing == nil)
            #expect(nowhere.lsoa_code == "")
            #expect(nowhere.context == "A note")
            #expect(nowhere.reported_by == "Suffolk Constabulary")
        }
    }

    @Test("a slice larger than one batch: every row once, distinct ids, and the next file's ids follow on")
    func manyBatches() async throws {
        try await withTestApp { app in
            // 70,000 rows of one force-month: more than one batch (65,536 rows) of one slice.
            let big = (0..<70_000).map {
                PoliceCSV.crime(0x20_0000 + $0, lsoa: $0 % 2 == 0 ? "E01026764" : "E01026765")
            }
            let first = try app.write(PoliceCSV.file(PoliceCSV.street, big), to: "2024-06-norfolk-street.csv")
            let report = try await app.importFiles(first)
            #expect(report.inserted == 70_000)
            #expect(try await app.scalar("SELECT COUNT(DISTINCT row_key) AS n FROM incidents") == 70_000)
            #expect(try await app.scalar("SELECT COUNT(DISTINCT id) AS n FROM incidents") == 70_000)
            let firstMax = try await app.scalar("SELECT MAX(id) AS n FROM incidents")
            try await expectAggregatesMatchRows(app)

            let next = (0..<10).map { PoliceCSV.crime(0x30_0000 + $0, month: "2024-07") }
            let second = try app.write(PoliceCSV.file(PoliceCSV.street, next), to: "2024-07-norfolk-street.csv")
            #expect(try await app.importFiles(second).inserted == 10)
            #expect(try await app.scalar("SELECT MIN(id) AS n FROM incidents WHERE month = 202407") > firstMax)
            #expect(try await app.scalar("SELECT COUNT(DISTINCT id) AS n FROM incidents") == 70_010)
            if SQLFlavor(app.db.sql) == .postgres {
                // The ids reserved and not used were given back: no gap after the last row.
                let maxID = try await app.scalar("SELECT MAX(id) AS n FROM incidents")
                let next = try await app.scalar(
                    "SELECT nextval(pg_get_serial_sequence('incidents', 'id')) AS n")
                #expect(next == maxID + 1)
            }
            // The same file again: recognised row by row once its fingerprint is forgotten.
            try await app.db.sql.raw("DELETE FROM source_fingerprints").run()
            let again = try await app.importFiles(first)
            #expect(again.unchanged == 70_000)
            #expect(again.inserted == 0)
        }
    }

    @Test("a changed row is updated in place through its slice and key; its id stays")
    func updateKeepsID() async throws {
        try await withTestApp { app in
            let path = try app.write(
                PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(1), PoliceCSV.crime(2)]),
                to: "2024-06-norfolk-street.csv")
            _ = try await app.importFiles(path)
            let idBefore = try await app.scalar(
                "SELECT id AS n FROM incidents WHERE location = 'On or near Castle Meadow' ORDER BY row_key LIMIT 1")
            let changed = try app.write(
                PoliceCSV.file(
                    PoliceCSV.street,
                    [PoliceCSV.crime(1, outcome: "Offender given a caution"), PoliceCSV.crime(2)]),
                to: "2024-06-norfolk-street-v2.csv")
            let report = try await app.importFiles(changed)
            #expect(report.updated == 1)
            #expect(report.unchanged == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 2)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM incidents WHERE last_outcome = 'Offender given a caution'") == 1)
            let idAfter = try await app.scalar(
                "SELECT id AS n FROM incidents WHERE location = 'On or near Castle Meadow' ORDER BY row_key LIMIT 1")
            #expect(idAfter == idBefore)
            try await expectAggregatesMatchRows(app)
        }
    }

    @Test("a second file adds to counts already stored and creates new ones, and the aggregates equal a recount")
    func countsAddUp() async throws {
        try await withTestApp { app in
            let norfolk = (0..<5).map { PoliceCSV.crime(0x40_0000 + $0) }
            let first = try app.write(PoliceCSV.file(PoliceCSV.street, norfolk), to: "2024-06-norfolk-street.csv")
            _ = try await app.importFiles(first)
            // Another force in the same month: the same LSOA and crime type (a stored key),
            // another crime type and another LSOA (new keys).
            let suffolk =
                (0..<3).map {
                    "\(PoliceCSV.id(0x50_0000 + $0)),2024-06,Suffolk Constabulary,Suffolk Constabulary,1.297400,52.630900,"
                        + "On or near Castle Meadow,E01026764,Norwich 013A,Burglary,Under investigation,"
                } + [
                    PoliceCSV.crime(0x50_0010, type: "Drugs").replacingOccurrences(of: "Norfolk", with: "Suffolk"),
                    PoliceCSV.crime(0x50_0011, lsoa: "E01026765").replacingOccurrences(of: "Norfolk", with: "Suffolk"),
                ]
            let second = try app.write(PoliceCSV.file(PoliceCSV.street, suffolk), to: "2024-06-suffolk-street.csv")
            #expect(try await app.importFiles(second).inserted == 5)
            #expect(
                try await app.scalar(
                    """
                    SELECT count AS n FROM counts_by_lsoa c JOIN crime_categories k ON k.id = c.category_id
                    WHERE c.lsoa_code = 'E01026764' AND c.month = 202406 AND k.name = 'Burglary'
                    """) == 8)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM counts_by_lsoa") == 3)
            #expect(try await app.scalar("SELECT SUM(count) AS n FROM counts_by_lsoa") == 10)
            // E01026764 and E01026765 are both in North Norfolk (E07000147): one district.
            #expect(
                try await app.scalar(
                    "SELECT SUM(count) AS n FROM counts_by_district WHERE lad_code = 'E07000147' AND month = 202406")
                    == 10)
            try await expectAggregatesMatchRows(app)
        }
    }
}
