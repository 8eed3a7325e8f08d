@testable import App
import Foundation
import Testing
import VaporTesting

@Suite("police.uk import")
struct ImportTests {
    @Test("a street file imports once; the same file again changes nothing")
    func idempotentReimport() async throws {
        try await withTestApp { app in
            let path = try app.write(
                PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(1), PoliceCSV.crime(2), PoliceCSV.asb()]),
                to: "2024-06-norfolk-street.csv")
            let first = try await app.importFiles(path)
            #expect(first.filesImported == 1)
            #expect(first.rowsRead == 3)
            #expect(first.inserted == 3)
            let second = try await app.importFiles(path)
            #expect(second.inserted == 0)
            #expect(second.unchanged == 3)
            #expect(second.updated == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 3)
            #expect(try await app.scalar("SELECT SUM(count) AS n FROM counts_by_lsoa") == 3)
            #expect(try await app.scalar("SELECT SUM(count) AS n FROM counts_by_force") == 3)
        }
    }

    @Test("a byte-identical file is recognised and skipped; once its month changes, it is diffed again")
    func fingerprintShortcut() async throws {
        try await withTestApp { app in
            let rows = [PoliceCSV.crime(1), PoliceCSV.crime(2), PoliceCSV.asb(), PoliceCSV.asb()]
            let a = try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "2024-06-norfolk-street.csv")
            _ = try await app.importFiles(a)
            let same = try await app.importFiles(a)
            #expect(same.unchanged == 4)
            #expect(same.files[0].message.contains("identical to a file imported"))
            // Another file changes a row of the same month: the first file is no longer
            // a safe skip, and importing it again restores its version of the row.
            let b = try app.write(
                PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(1, outcome: "Offender fined")]), to: "b.csv")
            let changed = try await app.importFiles(b)
            #expect(changed.updated == 1)
            let again = try await app.importFiles(a)
            #expect(!again.files[0].message.contains("identical"))
            #expect(again.updated == 1)
            #expect(again.unchanged == 3)
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM incidents WHERE last_outcome = 'Offender fined'") == 0)
        }
    }

    @Test("a file of two months is skipped only while both its months carry its fingerprint")
    func fingerprintTwoMonths() async throws {
        try await withTestApp { app in
            let rows = [PoliceCSV.crime(1), PoliceCSV.asb(), PoliceCSV.crime(2, month: "2024-07")]
            let a = try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "two-months.csv")
            _ = try await app.importFiles(a)
            #expect(try await app.importFiles(a).files[0].message.contains("identical"))
            // July changes; June still carries the file's fingerprint, July no longer does.
            let july = try app.write(
                PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(2, month: "2024-07", outcome: "Offender fined")]),
                to: "july.csv")
            #expect(try await app.importFiles(july).updated == 1)
            let again = try await app.importFiles(a)
            #expect(!again.files[0].message.contains("identical"))
            #expect(again.updated == 1)
            #expect(again.unchanged == 2)
            #expect(try await app.importFiles(a).files[0].message.contains("identical"))
        }
    }

    @Test("the same rows in different bytes (CRLF instead of LF) are diffed and found unchanged")
    func sameRowsDifferentBytes() async throws {
        try await withTestApp { app in
            let rows = [PoliceCSV.crime(1), PoliceCSV.asb(), PoliceCSV.asb(), PoliceCSV.crime(2, month: "2024-07")]
            let lf = try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "lf.csv")
            let crlf = try app.write(PoliceCSV.file(PoliceCSV.street, rows, crlf: true), to: "crlf.csv")
            _ = try await app.importFiles(lf)
            let report = try await app.importFiles(crlf)
            #expect(!report.files[0].message.contains("identical"))
            #expect(report.unchanged == 4)
            #expect(report.inserted == 0)
            #expect(report.updated == 0)
        }
    }

    @Test("identical ASB rows are separate incidents, and stay so on re-import")
    func duplicateASB() async throws {
        try await withTestApp { app in
            let rows = [
                PoliceCSV.asb(), PoliceCSV.asb(), PoliceCSV.asb(), PoliceCSV.asb(location: "On or near Elm Hill"),
            ]
            let path = try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "asb.csv")
            let first = try await app.importFiles(path)
            #expect(first.inserted == 4)
            let again = try await app.importFiles(path)
            #expect(again.unchanged == 4)
            #expect(again.inserted == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 4)
            // A later file with one more identical row adds exactly one.
            let more = try app.write(PoliceCSV.file(PoliceCSV.street, rows + [PoliceCSV.asb()]), to: "asb2.csv")
            let third = try await app.importFiles(more)
            #expect(third.inserted == 1)
            #expect(third.unchanged == 4)
            #expect(try await app.scalar("SELECT SUM(count) AS n FROM counts_by_lsoa") == 5)
        }
    }

    @Test("a changed last outcome updates the row and keeps the aggregates right")
    func updatedRow() async throws {
        try await withTestApp { app in
            let v1 = try app.write(
                PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(1), PoliceCSV.crime(2)]), to: "v1.csv")
            _ = try await app.importFiles(v1)
            let v2 = try app.write(
                PoliceCSV.file(
                    PoliceCSV.street,
                    [
                        PoliceCSV.crime(1, outcome: "Offender given a caution"),
                        PoliceCSV.crime(2, type: "Shoplifting", lsoa: "E01026765"),
                        PoliceCSV.crime(3),
                    ]), to: "v2.csv")
            let report = try await app.importFiles(v2)
            #expect(report.updated == 2)
            #expect(report.inserted == 1)
            #expect(report.unchanged == 0)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM incidents WHERE last_outcome = 'Offender given a caution'") == 1)
            try await expectAggregatesMatchRows(app)
        }
    }

    @Test("two overlapping archives: the shared month is unchanged the second time")
    func overlappingArchives() async throws {
        try await withTestApp { app in
            func month(_ m: String, _ base: Int) -> String {
                PoliceCSV.file(
                    PoliceCSV.street,
                    (0..<5).map { PoliceCSV.crime(base + $0, month: m) } + [
                        PoliceCSV.asb(month: m), PoliceCSV.asb(month: m),
                    ])
            }
            let a = try TestZip.make(
                at: app.scratch.appendingPathComponent("a.zip"),
                entries: [
                    "2024-05/2024-05-norfolk-street.csv": month("2024-05", 100),
                    "2024-06/2024-06-norfolk-street.csv": month("2024-06", 200),
                ])
            let b = try TestZip.make(
                at: app.scratch.appendingPathComponent("b.zip"),
                entries: [
                    "2024-06/2024-06-norfolk-street.csv": month("2024-06", 200),
                    "2024-07/2024-07-norfolk-street.csv": month("2024-07", 300),
                ])
            let first = try await app.importFiles(a)
            #expect(first.inserted == 14)
            let second = try await app.importFiles(b)
            #expect(second.filesImported == 2)
            #expect(second.unchanged == 7)
            #expect(second.inserted == 7)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 21)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM data_slices") == 3)
            try await expectAggregatesMatchRows(app)
        }
    }

    @Test("a month whose rows come back later in the same file is still imported exactly once")
    func interleavedSlices() async throws {
        try await withTestApp { app in
            let rows = [
                PoliceCSV.crime(1, month: "2024-05"), PoliceCSV.asb(month: "2024-05"),
                PoliceCSV.crime(2, month: "2024-06"), PoliceCSV.asb(month: "2024-06"),
                // May again: an identical ASB row (a second real incident), a repeated
                // Crime ID (the same crime twice) and a new crime.
                PoliceCSV.asb(month: "2024-05"), PoliceCSV.crime(1, month: "2024-05"),
                PoliceCSV.crime(3, month: "2024-05"),
            ]
            let path = try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "interleaved.csv")
            let first = try await app.importFiles(path)
            #expect(first.inserted == 6)
            #expect(first.unchanged == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 6)
            let second = try await app.importFiles(path)
            #expect(second.inserted == 0)
            #expect(second.unchanged == 7)
            try await expectAggregatesMatchRows(app)
        }
    }

    @Test("outcomes files build each crime's outcome history")
    func outcomeHistory() async throws {
        try await withTestApp { app in
            let june = try app.write(
                PoliceCSV.file(
                    PoliceCSV.outcomes,
                    [
                        "\(PoliceCSV.id(1)),2024-06,Norfolk Constabulary,Norfolk Constabulary,1.297400,52.630900,On or near Castle Meadow,E01026764,Norwich 013A,Suspect charged"
                    ]), to: "2024-06-norfolk-outcomes.csv")
            let sept = try app.write(
                PoliceCSV.file(
                    PoliceCSV.outcomes,
                    [
                        "\(PoliceCSV.id(1)),2024-09,Norfolk Constabulary,Norfolk Constabulary,1.297400,52.630900,On or near Castle Meadow,E01026764,Norwich 013A,Offender sent to prison",
                        "\(PoliceCSV.id(2)),2024-09,Norfolk Constabulary,Norfolk Constabulary,,,No location,,,Investigation complete; no suspect identified",
                    ]), to: "2024-09-norfolk-outcomes.csv")
            _ = try await app.importFiles(june)
            let report = try await app.importFiles(sept, june)
            #expect(report.inserted == 2)
            #expect(report.unchanged == 1)
            let history = try await app.db.sql.raw(
                "SELECT month, outcome FROM outcomes ORDER BY month"
            ).all()
            #expect(history.count == 3)
            let outcomes = try history.map { try $0.decode(column: "outcome", as: String.self) }
            #expect(outcomes.contains("Suspect charged"))
            #expect(outcomes.contains("Offender sent to prison"))
        }
    }

    @Test("bad rows are rejected with their line; the rest of the file is imported")
    func rejectedRows() async throws {
        try await withTestApp { app in
            let path = try app.write(
                PoliceCSV.file(
                    PoliceCSV.street,
                    [
                        PoliceCSV.crime(1),
                        PoliceCSV.crime(2, month: "2024-13"),
                        PoliceCSV.crime(3, lon: "east", lat: "52.6"),
                        "short,row",
                        PoliceCSV.crime(4),
                    ]), to: "mixed.csv")
            let report = try await app.importFiles(path)
            #expect(report.inserted == 2)
            #expect(report.rejected == 3)
            let lines = report.rejects.map(\.line)
            #expect(lines == [3, 4, 5])
            #expect(report.rejects[0].reason.contains("Month"))
            #expect(report.rejects[1].reason.contains("Longitude"))
            #expect(report.rejects[2].reason.contains("expected 12 fields"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM import_rejects") == 3)
        }
    }

    @Test("crimes without a location are kept and counted")
    func noLocation() async throws {
        try await withTestApp { app in
            let path = try app.write(
                PoliceCSV.file(
                    PoliceCSV.street,
                    [
                        "\(PoliceCSV.id(9)),2024-06,Norfolk Constabulary,Norfolk Constabulary,,,No location,,,Other crime,Under investigation,"
                    ]), to: "noloc.csv")
            let report = try await app.importFiles(path)
            #expect(report.inserted == 1)
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM incidents WHERE longitude IS NULL AND easting IS NULL")
                    == 1)
            #expect(try await app.scalar("SELECT SUM(count) AS n FROM counts_by_lsoa WHERE lsoa_code = ''") == 1)
        }
    }

    @Test("BOM, CRLF and quoted fields are read as police.uk writes them")
    func bomCrlfQuotes() async throws {
        try await withTestApp { app in
            let text =
                "\u{FEFF}"
                + PoliceCSV.file(
                    PoliceCSV.street,
                    [
                        PoliceCSV.crime(1, location: "\"On or near Smith, Jones and \"\"Co\"\" Yard\""),
                        PoliceCSV.asb(),
                    ], crlf: true)
            let path = try app.write(text, to: "bom.csv")
            let report = try await app.importFiles(path)
            #expect(report.inserted == 2)
            #expect(report.rejected == 0)
            let location = try await app.db.sql.raw("SELECT location FROM incidents WHERE crime_id IS NOT NULL")
                .first(decodingColumn: "location", as: String.self)
            #expect(location == "On or near Smith, Jones and \"Co\" Yard")
        }
    }

    @Test("the 2010–2012 easting/northing layout is imported with WGS84 positions")
    func legacyLayout() async throws {
        try await withTestApp { app in
            let path = try app.write(
                PoliceCSV.file(
                    PoliceCSV.legacy,
                    [
                        "2012-03,Norfolk Constabulary,Norfolk Constabulary,623243,308787,On or near Castle Meadow,Burglary,",
                        "2012-03,Norfolk Constabulary,Norfolk Constabulary,623243,308787,On or near Castle Meadow,Burglary,",
                    ]), to: "2012-03-norfolk-street.csv")
            let report = try await app.importFiles(path)
            #expect(report.inserted == 2)
            let row = try #require(
                try await app.db.sql.raw("SELECT longitude, latitude FROM incidents LIMIT 1").first())
            let lon = try row.decode(column: "longitude", as: Double.self)
            let lat = try row.decode(column: "latitude", as: Double.self)
            #expect(abs(lon - 1.2974) < 0.0001)
            #expect(abs(lat - 52.6309) < 0.0001)
        }
    }

    @Test("stop and search takes its force from the file name")
    func stopAndSearch() async throws {
        try await withTestApp { app in
            let rows = [
                "Person search,2024-06-01T10:15:00+00:00,False,,52.630900,1.297400,Male,18-24,White - English/Welsh/Scottish/Northern Irish/British,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,False,False",
                "Vehicle search,2024-06-02T22:40:00+00:00,,,,,,,,,Police and Criminal Evidence Act 1984 (section 1),Stolen goods,Arrest,True,",
            ]
            let named = try app.write(PoliceCSV.file(PoliceCSV.stops, rows), to: "2024-06-norfolk-stop-and-search.csv")
            let report = try await app.importFiles(named)
            #expect(report.inserted == 2)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM data_slices WHERE kind = 'stop-and-search' AND force_id = 'norfolk'")
                    == 1)
            let unnamed = try app.write(PoliceCSV.file(PoliceCSV.stops, rows), to: "stops.csv")
            let refused = try await app.importFiles(unnamed)
            #expect(refused.filesRefused == 1)
            #expect(refused.files[0].message.contains("YYYY-MM-<force>-stop-and-search.csv"))
        }
    }

    @Test(
        "a file refused after thousands of rows were handed to the writer leaves nothing behind, and the next file imports"
    )
    func refusedAfterManyRows() async throws {
        try await withTestApp { app in
            // Three months of 3,000 crimes (several writer batches, three new slices, a new
            // category), then a quoted field that never closes: the file is refused whole.
            var rows = (0..<9_000).map {
                PoliceCSV.crime(0x10_0000 + $0, month: "2024-0\($0 / 3_000 + 1)", type: $0 == 42 ? "Drugs" : "Burglary")
            }
            rows.append("\"never closed,2024-03,Norfolk Constabulary")
            let bad = try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "2024-03-norfolk-street.csv")
            let refused = try await app.importFiles(bad)
            #expect(refused.filesRefused == 1)
            #expect(refused.inserted == 0)
            for table in [
                "incidents", "data_slices", "counts_by_lsoa", "counts_by_lsoa_year", "counts_by_force",
                "counts_by_district", "source_fingerprints",
            ] {
                #expect(try await app.scalar("SELECT COUNT(*) AS n FROM \(table)") == 0, "\(table)")
            }
            let good = try app.write(PoliceCSV.file(PoliceCSV.street, Array(rows.dropLast())), to: "good.csv")
            let imported = try await app.importFiles(good)
            #expect(imported.filesImported == 1)
            #expect(imported.inserted == 9_000)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 9_000)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM data_slices") == 3)
            try await expectAggregatesMatchRows(app)
        }
    }

    @Test("the real West Yorkshire month imports whole and again unchanged")
    func realMonth() async throws {
        try await withTestApp { app in
            let path = try #require(
                Bundle.module.path(forResource: "2016-07-west-yorkshire-street", ofType: "csv", inDirectory: "Fixtures")
            )
            let first = try await app.importFiles(path)
            #expect(first.rowsRead == 27_176)
            #expect(first.inserted == 27_176)
            #expect(first.rejected == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents WHERE crime_id IS NULL") == 7_429)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents WHERE longitude IS NULL") == 1_347)
            let second = try await app.importFiles(path)
            #expect(second.unchanged == 27_176)
            #expect(second.inserted == 0)
            try await expectAggregatesMatchRows(app)
        }
    }
}

/// The maintained aggregates must equal a fresh GROUP BY over the stored rows.
func expectAggregatesMatchRows(_ app: Application) async throws {
    // Each maintained table against a recount of the incidents: (table, its place column, the
    // recount's place expression and joins, its period column and the recount's period).
    let tables = [
        ("counts_by_lsoa", "lsoa_code", "i.lsoa_code", "", "month", "i.month"),
        ("counts_by_lsoa_year", "lsoa_code", "i.lsoa_code", "", "year", "i.month / 100"),
        ("counts_by_force", "force_id", "s.force_id", "JOIN data_slices s ON s.id = i.slice_id", "month", "i.month"),
        ("counts_by_district", "lad_code", "l.lad_code", "JOIN lsoas l ON l.code = i.lsoa_code", "month", "i.month"),
    ]
    for (table, column, place, join, period, recounted) in tables {
        let mismatches = try await app.scalar(
            """
            SELECT COUNT(*) AS n FROM (
              SELECT \(place) AS place, \(recounted) AS period, i.category_id, COUNT(*) AS c FROM incidents i \(join)
              GROUP BY \(place), \(recounted), i.category_id
            ) r FULL OUTER JOIN (SELECT * FROM \(table) WHERE count <> 0) a
              ON a.\(column) = r.place AND a.\(period) = r.period AND a.category_id = r.category_id
            WHERE a.count IS NULL OR r.c IS NULL OR a.count <> r.c
            """)
        #expect(mismatches == 0, "\(table) equals a recount of the incidents")
    }
}
