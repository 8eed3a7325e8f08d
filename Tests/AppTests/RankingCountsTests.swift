@testable import App
import Analytics
import CrimeData
import FluentKit
import Foundation
import SQLKit
import Testing
import VaporTesting

/// The ranking's reads of the yearly and monthly counts, and its hand-written JSON.
extension RankingTests {
    @Test(
        "periods of whole years, parts of years and both read the yearly and monthly counts to the same sums as month by month"
    )
    func yearlyCounts() async throws {
        try await withTestApp { app in
            // Four years of ASB and burglary in three LSOAs (two in one MSOA), a different
            // number each month.
            var rows: [String] = []
            var id = 0x30_0000
            let lsoas = ["E01026764", "E01026791", "E01026792"]
            for month in MonthPeriod(first: 202_201, last: 202_512).months {
                let m = ByteParsing.monthString(month)
                for (i, lsoa) in lsoas.enumerated() {
                    for n in 0..<((month * 7 + i * 3) % 5) {
                        rows.append(PoliceCSV.asb(month: m, lsoa: lsoa, location: "On or near Place \(n)"))
                    }
                    for _ in 0..<((month + i) % 3) {
                        id += 1
                        rows.append(PoliceCSV.crime(id, month: m, lsoa: lsoa))
                    }
                }
            }
            _ = try await app.importFiles(try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "street.csv"))
            try await expectAggregatesMatchRows(app)
            for (from, to) in [
                ("2025-01", "2025-12"), ("2023-01", "2025-12"), ("2024-07", "2025-06"), ("2023-03", "2025-10"),
                ("2025-02", "2025-04"), ("2024-01", "2025-12"),
            ] {
                let period = MonthPeriod(first: ByteParsing.month(from) ?? 0, last: ByteParsing.month(to) ?? 0)
                for level in ["lsoa", "msoa"] {
                    let url =
                        "/api/v1/rankings?force=norfolk&from=\(from)&to=\(to)&category=all&level=\(level)&sort=count"
                    try await app.testing().test(.GET, url) { res async throws in
                        let r = try JSONDecoder().decode(Ranking.self, from: Data(buffer: res.body))
                        let column = level == "lsoa" ? "c.lsoa_code" : "l.msoa_code"
                        for (name, p) in [
                            ("current", period), ("previous", period.previous), ("yearEarlier", period.yearEarlier),
                        ] {
                            // The reference: month by month from counts_by_lsoa.
                            let expected = try await app.db.sql.raw(
                                """
                                SELECT \(unsafeRaw: column) AS place, CAST(SUM(c.count) AS BIGINT) AS n FROM counts_by_lsoa c
                                JOIN lsoas l ON l.code = c.lsoa_code
                                WHERE l.police_force = 'Norfolk' AND c.month BETWEEN \(bind: p.first) AND \(bind: p.last)
                                GROUP BY \(unsafeRaw: column)
                                """
                            ).rows(PlaceTotal.self)
                            #expect(!expected.isEmpty || name != "current")
                            for e in expected {
                                let row = r.rows.first { $0.id == e.place }
                                var got: Double? = row.map { Double($0.count) }
                                if name == "previous" { got = row?.versusPrevious.baseline }
                                if name == "yearEarlier" { got = row?.versusYearEarlier.baseline }
                                #expect(got == Double(e.n), "\(level) \(e.place) \(name) of \(from) to \(to)")
                            }
                        }
                    }
                }
            }
        }
    }

    struct PlaceTotal: Decodable { var place: String; var n: Int }

    @Test("the API's JSON, written by hand, is byte for byte what JSONEncoder writes with sorted keys")
    func jsonAsEncoder() throws {
        func input(_ id: String, _ name: String, population: Int?, count: Int, previous: Int, yearEarlier: Int)
            -> AreaRanking.Input
        {
            AreaRanking.Input(
                id: id, name: name, population: population, current: ["burglary": count, "drugs": count % 7],
                previous: ["burglary": previous], yearEarlier: ["drugs": yearEarlier])
        }
        let rows = AreaRanking.rank(
            [
                input("E01", "Norwich 005A", population: 1_475, count: 30, previous: 10, yearEarlier: 60),
                input(
                    "E02", "Quote \" back\\slash\nnew line\ttab \u{01} é ✓", population: nil, count: 0, previous: 0,
                    yearEarlier: 0),
                input("E03", "", population: 3, count: 1_000_000, previous: 0, yearEarlier: 1),
                input("E04", "Tiny", population: 100_000_000, count: 1, previous: 1, yearEarlier: 123_456_789),
                input("E05", "None", population: 0, count: 0, previous: 3, yearEarlier: 0),
            ], forceTotal: 1_000_031, weights: HarmWeights.default, sortBy: .rate)
        let report = RankingReport(
            options: .init(
                force: "norfolk", from: "2025-06", to: "2025-06", previous: "2025-05", yearEarlier: "2024-06",
                categories: ["anti-social-behaviour", "burglary"], level: "lsoa", sort: "rate",
                harmWeights: ["burglary": 20, "anti-social-behaviour": 0.5, "drugs": 1e-05, "arson": 1e20],
                changeTest: "exact"),
            rows: rows, forceTotal: 7, concentration: Concentration(counts: rows.map { Double($0.count) }),
            populationNote: "ONS “mid-2020”")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(
            String(decoding: RankingJSON.bytes(report), as: UTF8.self)
                == String(decoding: try encoder.encode(report), as: UTF8.self))
        var empty = report
        empty.rows = []
        empty.concentration = nil
        #expect(RankingJSON.bytes(empty) == Array(try encoder.encode(empty)))
        for v in [0.0, -0.0, 2, 0.1 + 0.2, 1e-7, 123_456_789_012_345_678, -3.25, Double.leastNonzeroMagnitude] {
            #expect(
                RankingJSON.number(v) == String(decoding: try encoder.encode([v]).dropFirst().dropLast(), as: UTF8.self)
            )
        }
        #expect(RankingJSON.number(.nan) == "null" && RankingJSON.number(.infinity) == "null")
    }
}

@Suite("Packed counts")
struct PackedCountsTests {
    @Test("places and categories packed as text read back exactly; malformed groups are left out")
    func parse() {
        let slugs = [1: "anti-social-behaviour", 3: "burglary"]
        let rows = PackedCounts.parse("E01000001=1:10:8:9,3:2:0:1;E01000002=1:4:4:5", slugs: slugs)
        #expect(rows.map(\.place) == ["E01000001", "E01000001", "E01000002"])
        #expect(rows.map(\.slug) == ["anti-social-behaviour", "burglary", "anti-social-behaviour"])
        #expect(rows.map(\.current) == [10, 2, 4])
        #expect(rows.map(\.previous) == [8, 0, 4])
        #expect(rows.map(\.yearEarlier) == [9, 1, 5])
        // Counts past 32 bits, as the database may sum them.
        #expect(PackedCounts.parse("E0=3:5000000000:0:7", slugs: slugs).first?.current == 5_000_000_000)
        // An unknown category, a short group, a non-number, an overflow, an empty place, a
        // place with no '=', and an empty text: each left out, the good groups kept.
        let mixed = PackedCounts.parse(
            "A=2:1:1:1,1:1:1,1:x:1:1,1:99999999999999999999:1:1,3:1:2:3;=1:1:1:1;B;C=1:7:7:7;;", slugs: slugs)
        #expect(mixed.map(\.place) == ["A", "C"])
        #expect(mixed.map(\.current) == [1, 7])
        #expect(PackedCounts.parse("", slugs: slugs).isEmpty)
        #expect(PackedCounts.parse("E01=1:1:2", slugs: slugs).isEmpty)
        #expect(PackedCounts.parse("E01=1:-1:2:3", slugs: slugs).first?.current == -1)
    }
}
