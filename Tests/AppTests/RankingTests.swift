@testable import App
import Analytics
import Foundation
import Testing
import VaporTesting

@Suite("area ranking through HTTP")
struct RankingTests {
    /// E01026764 (North Norfolk 002C, 1,195 residents): 30 ASB in June 2025, 10 in May
    /// 2025, 60 in June 2024. E01026791 (Norwich 005A, 1,475 residents): 5 ASB and 2
    /// burglaries in June 2025.
    func load(_ app: Application) async throws {
        var rows: [String] = []
        let a = "E01026764", b = "E01026791"
        rows += (0..<30).map { PoliceCSV.asb(month: "2025-06", lsoa: a, location: "On or near Place \($0)") }
        rows += (0..<10).map { PoliceCSV.asb(month: "2025-05", lsoa: a, location: "On or near Place \($0)") }
        rows += (0..<60).map { PoliceCSV.asb(month: "2024-06", lsoa: a, location: "On or near Place \($0)") }
        rows += (0..<5).map { PoliceCSV.asb(month: "2025-06", lsoa: b, location: "On or near Lane \($0)") }
        rows += (1...2).map { PoliceCSV.crime($0, month: "2025-06", lsoa: b) }
        let report = try await app.importFiles(try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "street.csv"))
        #expect(report.rejected == 0)
    }

    struct Ranking: Decodable {
        struct Row: Decodable {
            var rank: Int
            var id: String
            var count: Int
            var population: Int?
            var ratePer1000: Double?
            var shareOfForce: Double?
            var harm: Double
            var versusPrevious: CountComparison
            var versusYearEarlier: CountComparison
        }
        var rows: [Row]
        var forceTotal: Int
        var concentration: Concentration?
    }

    @Test("counts, rates, shares, changes and their exact tests, from the stored aggregates")
    func values() async throws {
        try await withTestApp { app in
            try await load(app)
            try await app.testing().test(.GET, "/api/v1/rankings?force=norfolk&from=2025-06&to=2025-06&sort=count") {
                res async throws in
                #expect(res.status == .ok)
                let r = try JSONDecoder().decode(Ranking.self, from: Data(buffer: res.body))
                let norfolkLSOAs = try await app.scalar(
                    "SELECT COUNT(*) AS n FROM lsoas WHERE police_force = 'Norfolk'")
                #expect(r.rows.count == norfolkLSOAs, "every LSOA of the force, those with no incidents included")
                #expect(r.forceTotal == 35)
                let top = r.rows[0]
                #expect(top.id == "E01026764" && top.rank == 1 && top.count == 30)
                #expect(top.population == 1195)
                #expect(abs(top.ratePer1000! - 30_000.0 / 1195) < 1e-12)
                #expect(abs(top.shareOfForce! - 30.0 / 35) < 1e-12)
                #expect(top.versusPrevious.baseline == 10)
                #expect(top.versusYearEarlier.baseline == 60)
                #expect(top.versusYearEarlier.rateRatio == 0.5)
                #expect(top.versusYearEarlier.p == CountComparison.binomialTwoSidedP(k: 30, n: 90, p: 0.5))
                #expect(r.rows[1].id == "E01026791" && r.rows[1].count == 5)
                #expect(r.rows[2].count == 0)
                let c = try #require(r.concentration)
                #expect(c.total == 35 && c.places == norfolkLSOAs)
                #expect(
                    c.shares[0].places == (norfolkLSOAs + 99) / 100 && c.shares[0].share == 1,
                    "the top 1% holds both LSOAs")
            }
            try await app.testing().test(
                .GET, "/api/v1/rankings?force=norfolk&from=2025-06&to=2025-06&category=all&sort=harm"
            ) { res async throws in
                let r = try JSONDecoder().decode(Ranking.self, from: Data(buffer: res.body))
                let b = try #require(r.rows.first { $0.id == "E01026791" })
                #expect(b.count == 7)
                #expect(
                    b.harm == 5 * HarmWeights.default.weight("anti-social-behaviour") + 2
                        * HarmWeights.default.weight("burglary"))
                #expect(r.rows[0].id == "E01026764", "30 ASB outweigh 5 ASB and 2 burglaries")
            }
            try await app.testing().test(
                .GET,
                "/api/v1/rankings?force=norfolk&from=2025-06&to=2025-06&category=all&sort=harm&weights=burglary=20,anti-social-behaviour=0.5"
            ) { res async throws in
                let r = try JSONDecoder().decode(Ranking.self, from: Data(buffer: res.body))
                #expect(
                    r.rows[0].id == "E01026791" && r.rows[0].harm == 5 * 0.5 + 2 * 20,
                    "your weights replace the defaults")
            }
            try await app.testing().test(.GET, "/api/v1/rankings?weights=burglary=lots,arson=2") { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("The weight for burglary must be a number"))
                #expect(res.body.string.contains("“arson=2” is not one"))
            }
            try await app.testing().test(
                .GET, "/api/v1/rankings?force=norfolk&from=2025-06&to=2025-06&level=local-authority"
            ) { res async throws in
                let r = try JSONDecoder().decode(Ranking.self, from: Data(buffer: res.body))
                #expect(r.rows.count == 7, "Norfolk's seven districts")
                #expect(r.rows.first { $0.id == "E07000147" }?.count == 30)
            }
        }
    }

    @Test("the page is a sortable table; the CSV has every row; bad input is a clear 400")
    func pageAndCSV() async throws {
        try await withTestApp { app in
            try await load(app)
            try await app.testing().test(.GET, "/rankings?force=norfolk&from=2025-06&to=2025-06") { res async in
                #expect(res.status == .ok)
                let html = res.body.string
                #expect(html.contains("North Norfolk 002C is affected most"))
                #expect(html.contains("aria-sort=\"descending\""))
                #expect(html.contains("sort=count"))
                #expect(html.contains("−50% *"), "a significant fall on a year earlier is marked")
            }
            try await app.testing().test(.GET, "/rankings/table.csv?force=norfolk&from=2025-06&to=2025-06") {
                res async throws in
                #expect(res.headers.contentType?.description.hasPrefix("text/csv") == true)
                let lines = res.body.string.split(separator: "\r\n")
                let norfolkLSOAs = try await app.scalar(
                    "SELECT COUNT(*) AS n FROM lsoas WHERE police_force = 'Norfolk'")
                #expect(lines.count == norfolkLSOAs + 1)
                #expect(lines[0].hasPrefix("rank,id,name,count,population,rate_per_1000"))
                #expect(lines[1].hasPrefix("1,E01026764,North Norfolk 002C,30,1195,"))
            }
            try await app.testing().test(.GET, "/rankings?from=2025-13&category=nonsense") { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("There is a problem"))
                #expect(res.body.string.contains("Enter a month as YYYY-MM"))
                #expect(res.body.string.contains("“nonsense” is not a police.uk crime type"))
            }
            try await app.testing().test(.GET, "/api/v1/rankings?level=parish") { res async in
                #expect(res.status == .badRequest)
                #expect(res.headers.contentType?.description.hasPrefix("application/problem+json") == true)
                #expect(res.body.string.contains("Level must be"))
            }
        }
    }

    @Test("with nothing imported the page says so instead of failing")
    func empty() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/rankings") { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("No street-level data has been imported yet"))
            }
        }
    }
}
