@testable import App
import Analytics
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

/// The Police and Crime Plan on a small, fully known world: street files for 14 months
/// in two local authorities, stop and search records, the demo's plan and a handful of
/// measures.
@Suite("the Police and Crime Plan: computed measures, the scorecard, entered figures")
struct PlanTests {
    static let northNorfolk = "E01026764"  // North Norfolk 002C, E07000147
    static let yarmouth = "E01026581"  // Great Yarmouth 008A, E07000145
    static let months = MonthPeriod(first: 202_306, last: 202_407).months

    /// Rows per month, varying so that no two months are alike; returns the raw lines.
    static func streetRows() -> [String] {
        var rows: [String] = []
        var n = 0
        for (k, m) in months.enumerated() {
            let month = ByteParsing.monthString(m)
            for _ in 0..<(3 + k % 4) { rows.append(PoliceCSV.asb(month: month, lsoa: northNorfolk)) }
            for _ in 0..<(1 + k % 3) { rows.append(PoliceCSV.asb(month: month, lsoa: yarmouth)) }
            for (type, count) in [
                ("Burglary", 1 + k % 2), ("Robbery", k % 3 == 0 ? 1 : 0), ("Vehicle crime", 2),
                ("Theft from the person", k % 5 == 0 ? 1 : 0), ("Shoplifting", 4),
            ] {
                for _ in 0..<count {
                    n += 1
                    rows.append(
                        PoliceCSV.crime(n, month: month, type: type, lsoa: k % 2 == 0 ? northNorfolk : yarmouth))
                }
            }
        }
        return rows
    }

    static func stopRows() -> [String] {
        // Five searches in 2024-07, two with the outcome linked to the object.
        ["True", "False", "True", "False", ""].map {
            "Person search,2024-07-03T10:00:00+00:00,False,,52.63,1.29,Male,18-24,,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,\($0),False"
        }
    }

    /// Outcomes for the crimes of `streetRows`: every third charged, every seventh summonsed
    /// by post, every fifth closed with no suspect (a crime can have several).
    static func outcomeRows() -> [String] {
        let crimes = streetRows().filter { !$0.hasPrefix(",") }.count
        var rows: [String] = []
        for n in 1...crimes {
            for (test, outcome) in [
                (n % 3 == 0, "Suspect charged"), (n % 7 == 0, "Summons / charged by post"),
                (n % 5 == 0, "Investigation complete; no suspect identified"),
            ] where test {
                rows.append(
                    "\(PoliceCSV.id(n)),2024-07,Norfolk Constabulary,Norfolk Constabulary,1.297400,52.630900,On or near Castle Meadow,E01026764,Norwich 013A,\(outcome)"
                )
            }
        }
        return rows
    }

    func world(_ app: Application) async throws {
        let street = try app.write(PoliceCSV.file(PoliceCSV.street, Self.streetRows()), to: "street.csv")
        #expect(try await app.importFiles(street).rejected == 0)
        let stops = try app.write(
            PoliceCSV.file(PoliceCSV.stops, Self.stopRows()), to: "2024-07/2024-07-norfolk-stop-and-search.csv")
        #expect(try await app.importFiles(stops).rejected == 0)
        let outcomes = try app.write(
            PoliceCSV.file(PoliceCSV.outcomes, Self.outcomeRows()), to: "2024-07/2024-07-norfolk-outcomes.csv")
        #expect(try await app.importFiles(outcomes).rejected == 0)
        try await PlanStore(audit: AuditLog()).publish(DemoPlan.draft, by: nil, on: app.db)
        let store = MeasureStore(audit: AuditLog())
        let known = Set(
            try await app.db.sql.raw("SELECT slug FROM crime_categories").all().map {
                try $0.decode(column: "slug", as: String.self)
            })
        let base = DemoPlan.measures.filter {
            [
                "asb", "neighbourhood-crime", "stop-search-find-rate", "charge-summons-share", "calls-999-within-10s",
                "victim-satisfaction",
            ]
            .contains($0.slug)
        }
        for d in base { try await store.save(d, knownCategories: known, by: nil, on: app.db) }
        var yarmouth = DemoPlan.measures[12]  // ASB in Great Yarmouth
        yarmouth.baselineFirst = 202_306
        yarmouth.baselineLast = 202_405
        try await store.save(yarmouth, knownCategories: known, by: nil, on: app.db)
        var rate = DemoPlan.measures[14]  // ASB per 1,000, Norwich: here North Norfolk
        rate.geographyID = "E07000147"
        rate.slug = "asb-rate-north-norfolk"
        try await store.save(rate, knownCategories: known, by: nil, on: app.db)
        var quarterly = DemoPlan.measures[1]
        quarterly.slug = "neighbourhood-crime-quarterly"
        quarterly.frequency = .quarterly
        try await store.save(quarterly, knownCategories: known, by: nil, on: app.db)
        try await PlanService(plans: PlanStore(audit: AuditLog()), measures: store).refresh(on: app.db)
    }

    func values(_ app: Application, _ slug: String) async throws -> [Int: Double] {
        let m = try #require(try await MeasureStore(audit: AuditLog()).find(slug: slug, on: app.db))
        let v = try await MeasureStore(audit: AuditLog()).values(of: m, on: app.db)
        return Dictionary(uniqueKeysWithValues: v.map { ($0.period, $0.value) })
    }

    @Test("computed measures equal a direct count of the raw rows, month by month and by quarter")
    func computedEqualDirectCount() async throws {
        try await withTestApp { app in
            try await world(app)
            // Count the raw lines directly: month is field 1, LSOA field 7, type field 9.
            let rows = Self.streetRows().map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            func count(_ month: Int, types: Set<String>, lsoa: String? = nil) -> Double {
                Double(
                    rows.filter {
                        $0[1] == ByteParsing.monthString(month) && types.contains($0[9])
                            && (lsoa == nil || $0[7] == lsoa)
                    }.count)
            }
            let asb = try await values(app, "asb")
            let neighbourhood = try await values(app, "neighbourhood-crime")
            let yarmouth = try await values(app, "asb-great-yarmouth")
            let rate = try await values(app, "asb-rate-north-norfolk")
            #expect(asb.count == 14 && neighbourhood.count == 14)
            for m in Self.months {
                #expect(asb[m] == count(m, types: ["Anti-social behaviour"]), "ASB \(m)")
                #expect(
                    neighbourhood[m]
                        == count(m, types: ["Burglary", "Robbery", "Vehicle crime", "Theft from the person"]),
                    "neighbourhood crime \(m)")
                #expect(yarmouth[m] == count(m, types: ["Anti-social behaviour"], lsoa: Self.yarmouth), "Yarmouth \(m)")
                // North Norfolk's population from the bundled ONS reference (sum of its LSOAs).
                let population = try await app.scalar(
                    "SELECT CAST(SUM(population) AS BIGINT) AS n FROM lsoas WHERE lad_code = 'E07000147'")
                let expected =
                    count(m, types: ["Anti-social behaviour"], lsoa: Self.northNorfolk) / Double(population) * 1_000
                #expect(abs((rate[m] ?? -1) - expected) < 1e-12, "rate \(m)")
            }
            // Quarters: only the four whole quarters held (Jul–Sep 2023 … Apr–Jun 2024).
            let quarterly = try await values(app, "neighbourhood-crime-quarterly")
            #expect(quarterly.keys.sorted() == [202_307, 202_310, 202_401, 202_404])
            let types: Set<String> = ["Burglary", "Robbery", "Vehicle crime", "Theft from the person"]
            #expect(
                quarterly[202_401] == count(202_401, types: types) + count(202_402, types: types)
                    + count(202_403, types: types))
            // Stop and search: 2 of the 5 searches in 2024-07 found what was searched for.
            let finds = try await values(app, "stop-search-find-rate")
            #expect(finds == [202_407: 40])
            // Charge or summons: crimes recorded in the month whose outcomes include either.
            let charged = Set(
                Self.outcomeRows().filter { $0.hasSuffix("Suspect charged") || $0.hasSuffix("charged by post") }.map {
                    String($0.prefix(64))
                })
            let share = try await values(app, "charge-summons-share")
            #expect(share.count == 14)
            for m in Self.months {
                let crimes = rows.filter { $0[1] == ByteParsing.monthString(m) && !$0[0].isEmpty }
                let expected = Double(crimes.filter { charged.contains($0[0]) }.count) / Double(crimes.count) * 100
                #expect(abs((share[m] ?? -1) - expected) < 1e-9, "charge share \(m): \(share[m] ?? -1) vs \(expected)")
            }
            // A re-import of the same file changes nothing; the values are recomputed.
            let street = try app.write(PoliceCSV.file(PoliceCSV.street, Self.streetRows()), to: "street.csv")
            _ = try await app.importFiles(street)
            #expect(try await values(app, "asb") == asb)
        }
    }

    @Test(
        "the working scorecard, a measure's page, a theme's page and the CSV are the OPCC's; partners are refused; the public signs in"
    )
    func pages() async throws {
        try await withTestApp { app in
            try await world(app)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let analyst = try await app.signIn("analyst@opcc.example")
            try await app.makeUser(
                "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            let partner = try await app.signIn("pc@police.example")
            let plan = try await app.get("/plan", as: analyst)
            #expect(plan.status == .ok, "\(plan.body.string.prefix(500))")
            let html = plan.body.string
            for text in [
                "Reduce priority crime", "Safer neighbourhoods", "Anti-social behaviour", "Neighbourhood crime",
                "spc-spark",
            ] {
                #expect(html.contains(text), "the scorecard shows \(text)")
            }
            let measure = try await app.get("/plan/measures/neighbourhood-crime", as: analyst)
            #expect(measure.status == .ok)
            #expect(measure.body.string.contains("spc-chart") && measure.body.string.contains("Process limits"))
            #expect(try await app.get("/plan/themes/safer-neighbourhoods", as: analyst).status == .ok)
            #expect(try await app.get("/plan/measures/nothing-here", as: analyst).status == .notFound)
            let csv = try await app.get("/plan/measures.csv", as: analyst)
            #expect(csv.body.string.hasPrefix("measure,name,period,value,mean,lower_limit,upper_limit"))
            try await app.testing().test(.GET, "/plan") { res async in #expect(res.status == .seeOther) }
            // Partners read the published scorecard on /open/plan, not the working one.
            for path in ["/plan", "/plan/measures/neighbourhood-crime", "/plan/measures.csv", "/plan/values"] {
                #expect(try await app.get(path, as: partner).status == .forbidden, "\(path)")
            }
        }
    }

    @Test(
        "entered figures: a CSV with a bad row saves nothing and names line and column; the fix saves all; the form and the API"
    )
    func enteredFigures() async throws {
        try await withTestApp { app in
            try await world(app)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let analyst = try await app.signIn("analyst@opcc.example")
            func upload(_ csv: String) async throws -> TestingHTTPResponse {
                var out: TestingHTTPResponse?
                try await app.testing().test(
                    .POST, "/plan/values",
                    beforeRequest: { req in
                        req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.cookie)=\(analyst.cookie)")
                        req.headers.replaceOrAdd(name: "X-CSRF-Token", value: analyst.csrf)
                        try req.content.encode(
                            FormDataFile(file: File(data: ByteBuffer(string: csv), filename: "figures.csv")),
                            as: .formData)
                    }
                ) { res async in out = res }
                return try #require(out)
            }
            let bad = """
                measure,period,value,source
                calls-999-within-10s,2024-05,88.5,Contact centre
                calls-999-within-10s,2024-13,87.0,Contact centre
                victim-satisfaction,2024-05,79,Survey
                asb,2024-05,10,Typed
                """
            let refused = try await upload(bad)
            #expect(refused.status == .badRequest)
            let body = refused.body.string
            #expect(body.contains("<td class=\"numeric\">3</td><td>period</td>"), "line 3, period")
            #expect(body.contains("quarter"), "victim satisfaction is quarterly")
            #expect(body.contains("computed from police.uk"), "ASB cannot be entered")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM measure_values WHERE computed = 0") == 0)
            let good = """
                measure,period,value,source
                calls-999-within-10s,2024-05,88.5,Contact centre
                calls-999-within-10s,2024-06,87.0,Contact centre
                victim-satisfaction,2024-04,79,Survey
                """
            let saved = try await upload(good)
            #expect(saved.status == .ok && saved.body.string.contains("3 figures saved"))
            let page = try await app.get("/plan/measures/calls-999-within-10s", as: analyst).body.string
            #expect(page.contains("88.5%") && page.contains("Contact centre"))
            let csv = try await app.get("/plan/measures.csv", as: analyst).body.string
            #expect(
                csv.contains("calls-999-within-10s") && csv.contains(",Contact centre") && csv.contains(",computed"))
            // One figure from the measure's page; a bad one is shown, not saved.
            let form = try await app.post(
                "/plan/measures/calls-999-within-10s/values", ["period": "2024-07", "value": "91.2", "source": "CC"],
                as: analyst)
            #expect(form.status == .seeOther)
            let wrong = try await app.post(
                "/plan/measures/calls-999-within-10s/values", ["period": "July", "value": "x", "source": ""],
                as: analyst)
            #expect(wrong.status == .badRequest && wrong.body.string.contains("YYYY-MM"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM measure_values WHERE computed = 0") == 4)
        }
    }

    @Test(
        "the JSON API: a police force's token sends figures (all or none, 422 by record and field); another partner's cannot"
    )
    func api() async throws {
        try await withTestApp { app in
            try await world(app)
            try await app.makeUser(
                "inspector@police.example", role: .partnerAdmin, organisation: "Norfolk Constabulary", kind: .police)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerAdmin, organisation: "Norwich BID",
                kind: .businessImprovementDistrict)
            let police = try await APITests().makeToken(app, as: try await app.signIn("inspector@police.example"))
            let bid = try await APITests().makeToken(app, as: try await app.signIn("ranger@bid.example"))
            func send(_ token: String, _ json: String) async throws -> TestingHTTPResponse {
                var out: TestingHTTPResponse?
                try await app.testing().test(
                    .POST, "/api/v1/plan/values",
                    headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                    body: ByteBuffer(string: json)
                ) { res async in out = res }
                return try #require(out)
            }
            let refused = try await send(
                police,
                #"{"values":[{"measure":"calls-999-within-10s","period":"2024-05","value":88},{"measure":"calls-999-within-10s","period":"2024-5","value":87}]}"#
            )
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains(#""record":2"#) && refused.body.string.contains(#""field":"period""#))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM measure_values WHERE computed = 0") == 0)
            let ok = try await send(
                police, #"{"values":[{"measure":"calls-999-within-10s","period":"2024-05","value":88,"source":"CAD"}]}"#
            )
            #expect(ok.status == .created)
            let other = try await send(
                bid, #"{"values":[{"measure":"calls-999-within-10s","period":"2024-06","value":88}]}"#)
            #expect(other.status == .forbidden)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM measure_values WHERE computed = 0") == 1)
        }
    }
}

/// A multipart form with one file field named `file`.
struct FormDataFile: Content {
    var file: File
}

@Suite("saferstreets plan")
struct PlanCommandTests {
    func run(_ app: Application, _ arguments: [String]) async throws {
        var context = CommandContext(
            console: Terminal(), input: CommandInput(arguments: ["saferstreets"] + arguments))
        context.application = app
        try await PlanCommand().run(using: &context)
    }

    @Test("load checks the whole file first: one bad measure changes nothing; the example loads as a new version")
    func load() async throws {
        try await withTestApp { app in
            let encoder = JSONEncoder()
            var file = PlanCommand.File(plan: DemoPlan.draft, measures: DemoPlan.measures)
            file.measures[3].categories = ["no-such-crime"]
            let bad = try app.write(String(decoding: try encoder.encode(file), as: UTF8.self), to: "bad.json")
            try await run(app, ["load", "--file", bad])
            #expect(app.storage[ExitStatusKey.self] == 2)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pcc_plans") == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM measures") == 0)
            app.storage[ExitStatusKey.self] = nil
            file.measures[3].categories = ["drugs"]
            let good = try app.write(String(decoding: try encoder.encode(file), as: UTF8.self), to: "good.json")
            try await run(app, ["load", "--file", good])
            try await run(app, ["load", "--file", good])
            #expect(app.storage[ExitStatusKey.self] == nil)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pcc_plans") == 2, "a second load is a new version")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pcc_plans WHERE superseded_at IS NULL") == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM measures") == DemoPlan.measures.count)
            let notJSON = try app.write("{\"plan\": 1}", to: "broken.json")
            try await run(app, ["load", "--file", notJSON])
            #expect(app.storage[ExitStatusKey.self] == 2)
        }
    }
}
