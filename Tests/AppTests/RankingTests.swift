@testable import App
import Analytics
import FluentKit
import Foundation
import SQLKit
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

    @Test(
        "the ranking on a map: the page draws it, and the GeoJSON holds every place in rank order with its count and fill"
    )
    func map() async throws {
        try await withTestApp { app in
            try await load(app)
            let query = "force=norfolk&from=2025-06&to=2025-06"
            try await app.testing().test(.GET, "/rankings?\(query)") { res async in
                let html = res.body.string
                #expect(html.contains("id=\"ranking-map\"") && html.contains("data-live-map"))
                #expect(
                    html.contains("data-features=\"/rankings/places.geojson?"), "the interactive map draws the download"
                )
                #expect(html.contains("<title>North Norfolk 002C: Rank 1: 30 incidents"))
            }
            struct Collection: Decodable {
                struct Feature: Decodable {
                    struct Properties: Decodable { var id: String; var rank: Int; var count: Int; var fill: String }
                    var properties: Properties
                }
                var features: [Feature]
            }
            try await app.testing().test(.GET, "/rankings/places.geojson?\(query)&level=lsoa") { res async throws in
                #expect(res.headers.contentType?.description == "application/geo+json")
                let c = try JSONDecoder().decode(Collection.self, from: Data(res.body.string.utf8))
                let norfolkLSOAs = try await app.scalar(
                    "SELECT COUNT(*) AS n FROM lsoas WHERE police_force = 'Norfolk'")
                #expect(c.features.count == norfolkLSOAs)
                #expect(c.features.map(\.properties.rank) == Array(1...c.features.count))
                let first = try #require(c.features.first?.properties)
                // Two places with incidents: quartiles 5, 5, 30, 30; the most is the darkest.
                #expect(first.id == "E01026764" && first.count == 30 && first.fill == SVGMap.countFills[3])
                #expect(c.features[1].properties.count == 5 && c.features[1].properties.fill == SVGMap.countFills[1])
                #expect(c.features.last?.properties.fill == "#ffffff", "no incidents: white")
            }
            // Local authorities: one disc each, at the population-weighted centre of its LSOAs.
            try await app.testing().test(.GET, "/rankings/places.geojson?\(query)&level=local-authority") {
                res async throws in
                let c = try JSONDecoder().decode(Collection.self, from: Data(res.body.string.utf8))
                #expect(c.features.count == 7 && c.features.first?.properties.id == "E07000147")
            }
        }
    }

    @Test("map classes: quartiles of the places with incidents (nearest rank), ties to the darker, none white")
    func mapClasses() {
        // 1…100: quartiles 25, 50, 75, 100 (nearest rank, as numpy.percentile(method="inverted_cdf")).
        let even = RankingMaps.Classes(counts: Array(0...100))
        #expect(even.uppers == [25, 50, 75, 100])
        #expect(
            even.fill(0) == "#ffffff" && even.fill(1) == SVGMap.countFills[0] && even.fill(26) == SVGMap.countFills[1])
        #expect(even.fill(75) == SVGMap.countFills[2] && even.fill(100) == SVGMap.countFills[3])
        #expect(
            even.legend.map(\.text) == [
                "No incidents", "1 to 25 incidents", "26 to 50 incidents", "51 to 75 incidents", "76 to 100 incidents",
            ])
        // Long-tailed: most places have 1, one has 500.
        let skewed = RankingMaps.Classes(counts: Array(repeating: 1, count: 9) + [500])
        #expect(skewed.uppers == [1, 1, 1, 500])
        #expect(skewed.fill(1) == SVGMap.countFills[2] && skewed.fill(500) == SVGMap.countFills[3])
        #expect(skewed.legend.map(\.text) == ["No incidents", "1 incident", "2 to 500 incidents"])
        #expect(RankingMaps.Classes(counts: [0, 0]).legend.count == 1)
    }

    @Test("all forces together: the national ranking of local authorities; Welsh LSOAs belong to their force")
    func allForces() async throws {
        try await withTestApp { app in
            try await load(app)
            // Four ASB incidents in Bridgend 010B, from South Wales Police's own file.
            let wales = (0..<4).map {
                PoliceCSV.asb(month: "2025-06", lsoa: "W01001000", location: "On or near Road \($0)")
                    .replacingOccurrences(of: "Norfolk Constabulary", with: "South Wales Police")
            }
            let report = try await app.importFiles(
                try app.write(PoliceCSV.file(PoliceCSV.street, wales), to: "2025-06-south-wales-street.csv"))
            #expect(report.rejected == 0)
            let month = "from=2025-06&to=2025-06"
            try await app.testing().test(.GET, "/api/v1/rankings?force=south-wales&\(month)") { res async throws in
                let r = try JSONDecoder().decode(Ranking.self, from: Data(buffer: res.body))
                #expect(r.rows.count == 810, "South Wales Police's 810 LSOAs, none of them blank in the reference")
                #expect(r.rows[0].id == "W01001000" && r.rows[0].count == 4 && r.forceTotal == 4)
            }
            try await app.testing().test(.GET, "/api/v1/rankings?force=all&level=local-authority&\(month)&sort=count") {
                res async throws in
                #expect(res.status == .ok)
                let r = try JSONDecoder().decode(Ranking.self, from: Data(buffer: res.body))
                let districts = try await app.scalar("SELECT COUNT(DISTINCT lad_code) AS n FROM lsoas")
                #expect(r.rows.count == districts, "every local authority of England and Wales")
                #expect(r.forceTotal == 39, "35 in Norfolk and 4 in South Wales")
                #expect(r.rows.map(\.id).prefix(3) == ["E07000147", "E07000148", "W06000013"])
                #expect(r.rows.map(\.count).prefix(4) == [30, 5, 4, 0])
                let bridgend = try #require(r.rows.first { $0.id == "W06000013" })
                #expect(abs((bridgend.shareOfForce ?? 0) - 4.0 / 39) < 1e-12)
            }
            try await app.testing().test(.GET, "/rankings?force=all&\(month)") { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("<option value=\"all\" selected>All forces together</option>"))
                #expect(res.body.string.contains("in England and Wales; 39 incidents in all forces"))
            }
            try await app.testing().test(.GET, "/api/v1/hotspots?force=all&\(month)") { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("Choose one force: “all” is for rankings only"))
            }
        }
    }

    @Test("a ranking is kept until the data changes: an import moves the data version on and the next answer is new")
    func keptUntilTheDataChanges() async throws {
        try await withTestApp { app in
            try await load(app)
            let url = "/api/v1/rankings?force=norfolk&from=2025-06&to=2025-06&sort=count"
            func top() async throws -> Int {
                var count = -1
                try await app.testing().test(.GET, url) { res async throws in
                    count = try JSONDecoder().decode(Ranking.self, from: Data(buffer: res.body)).rows[0].count
                }
                return count
            }
            let before = try await DataVersion.current(on: app.db)
            #expect(try await top() == 30)
            #expect(try await top() == 30, "answered again from the kept copy")
            let more = (0..<3).map {
                PoliceCSV.asb(month: "2025-06", lsoa: "E01026764", location: "On or near Yard \($0)")
            }
            let report = try await app.importFiles(
                try app.write(PoliceCSV.file(PoliceCSV.street, more), to: "2025-06-norfolk-more-street.csv"))
            #expect(report.inserted == 3)
            #expect(try await DataVersion.current(on: app.db) == before + 1, "one file, one step")
            #expect(try await top() == 33, "the import's commit is seen at once")
        }
    }

    @Test("the kept results: least recently used dropped first, all dropped for a newer version, an older one not kept")
    func resultCache() async {
        let cache = ResultCache<Int>(name: "test", capacity: 2)
        await cache.store(1, for: "a", at: 5)
        await cache.store(2, for: "b", at: 5)
        #expect(await cache.value("a", at: 5) == 1)
        await cache.store(3, for: "c", at: 5)
        #expect(await cache.value("b", at: 5) == nil, "b was the least recently used")
        #expect(await cache.value("a", at: 5) == 1)
        #expect(await cache.value("c", at: 5) == 3)
        #expect(await cache.value("a", at: 6) == nil, "asked at another version")
        await cache.store(4, for: "d", at: 4)
        #expect(await cache.value("d", at: 4) == nil, "computed before the version held: not kept")
        await cache.store(5, for: "e", at: 6)
        #expect(await cache.value("a", at: 5) == nil)
        #expect(await cache.value("e", at: 6) == 5)
    }

    @Test("a database loaded before the reference named every LSOA's force gets the missing forces at start")
    func missingForcesFilled() async throws {
        try await withTestApp { app in
            try await app.db.sql.raw("UPDATE lsoas SET police_force = '' WHERE lad_code IN ('W06000013', 'E07000165')")
                .run()
            let config = try #require(app.storage[AppConfigKey.self])
            try await GeographyLoader(database: app.db, config: config, threadPool: app.threadPool).loadIfEmpty()
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM lsoas WHERE police_force = ''") == 0)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM lsoas WHERE lad_code = 'E07000165' AND police_force = 'North Yorkshire'")
                    > 0, "Harrogate is North Yorkshire's")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM lsoas WHERE police_force = 'South Wales'") == 810)
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
