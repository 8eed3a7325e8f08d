@testable import App
import Analytics
import Foundation
import Testing
import Vapor
import VaporTesting

/// The campaign report on the whole Norfolk demo (36 months through the real import, the
/// eleven town centres, the Safer Norfolk campaign and its ~1,900 activity records). The
/// demo plants ASB reductions in four towns, with displacement in one (``NorfolkDemo``);
/// the evaluation must find exactly those and call the other seven not significant.
/// Built once and used by every check, since the import is the slow part.
@Suite("the campaign report on the Norfolk demo", .serialized)
struct ReportTests {
    static let slug = "safer-norfolk-safer-streets-summer-initiative"

    @Test(
        "finds the planted effects and displacement, serves the report, its CSVs, design, links and PDF, and renders in a real browser"
    )
    func demoReport() async throws {
        try await withTestApp { app in
            try await Self.buildDemo(app)
            try await plantedEffects(app)
            try await pages(app)
            try await designAndLinks(app)
            try await linkCrawl(app)
            if Browser.available { try await browser(app) }
        }
    }

    static func buildDemo(_ app: Application) async throws {
        let folder = app.scratch.appendingPathComponent("police-uk")
        _ = try await app.threadPool.runIfActive { try NorfolkDemo().write(to: folder) }
        let report = try await ImportStores.runImport(app: app, paths: [folder.path], origin: "demo")
        #expect(report.rejected == 0)
        try await NorfolkDemo.createTownAreas(on: app.db)
        _ = try await DemoAccounts.create(on: app.db, pool: app.passwordHasher)
        try await DemoCampaign.create(on: app.db)
        try await DemoPlan.create(on: app.db)
        try await DemoBoards.create(on: app.db)
        try await DemoGrants.create(on: app.db)
        try await DemoPlan.publish(on: app.db, threshold: app.appConfig.publicMinimumCount)
    }

    /// Every link on every page of the demo resolves, as the public and as each demo account.
    func linkCrawl(_ app: Application) async throws {
        var identities: [(String, Session?)] = [("signed out", nil)]
        for account in DemoAccounts.accounts {
            identities.append((account.email, try await app.signIn(account.email, password: account.password)))
        }
        let (broken, fetched) = try await LinkCrawl().run(app, identities: identities)
        print(
            "link crawl: \(fetched) pages and files fetched as \(identities.count) identities; \(broken.count) broken")
        #expect(fetched > 100, "the crawl reached the demo's pages")
        #expect(broken.isEmpty, "\(broken.prefix(30).joined(separator: "\n"))")
    }

    func plantedEffects(_ app: Application) async throws {
        let c = try #require(try await CampaignStore(audit: AuditLog()).lookup(slug: Self.slug, on: app.db))
        let e = try await EvaluationService().evaluate(c, viewer: .operator, on: app.db)
        #expect(e.areas.count == 11)
        for a in e.areas {
            let town = a.area.name.replacingOccurrences(of: " town centre", with: "")
            let verdict = EvaluationText.verdict(a)
            if let planted = NorfolkDemo.plantedEffects[town] {
                #expect(
                    verdict == .reduction,
                    "\(town): planted \(Int(planted.reduction * 100))% reduction, found \(verdict.label)")
                let res = try #require(a.measures.res.value)
                // The planted cut of 30–40% is RES 1.43–1.67; the interval must hold it.
                let plantedRES = 1 / (1 - planted.reduction)
                #expect(
                    res.lower95 <= plantedRES && plantedRES <= res.upper95,
                    "\(town): RES \(res) should cover \(plantedRES)")
                if planted.displaced > 0 {
                    #expect(
                        [.displacement, .displacementExceedsEffect].contains(a.measures.reading),
                        "\(town): displacement planted, read \(a.measures.reading)")
                    #expect((a.measures.wdq.value ?? 0) < 0, "\(town): a negative WDQ means displacement")
                } else {
                    #expect(
                        a.measures.reading == .noChange, "\(town): no displacement planted, read \(a.measures.reading)")
                }
                if case .value(let did) = a.did {
                    #expect(did.rateRatio.upper95 < 1, "\(town): DiD finds the fall too")
                }
            } else {
                #expect(verdict == .notSignificant, "\(town): nothing planted, found \(verdict.label)")
            }
            #expect(
                a.comparison.count >= 5 && Set(a.comparison).isDisjoint(with: a.bufferComparison),
                "\(town): two separate comparison groups")
            #expect(a.match.grade != "poor", "\(town): comparison matched \(a.match)")
            if case .value(let did) = a.did, case .value(let t) = did.preTrend {
                #expect(!t.diverges, "\(town): matched comparisons should not diverge before the campaign")
            }
            #expect(a.patrolHours > 0)
        }
        // Harm-weighted and a crime type evaluate too; an unknown outcome is refused by name.
        let harm = try await EvaluationService().evaluate(c, outcome: "harm", viewer: .operator, on: app.db)
        #expect(
            harm.outcome.isWeighted
                && harm.areas.allSatisfy {
                    $0.measures.counts.treatedBefore.variance > $0.measures.counts.treatedBefore.value
                })
        _ = try await EvaluationService().evaluate(
            c, outcome: "shoplifting", baseline: .lastYear, viewer: .operator, on: app.db)
        await #expect(throws: EvaluationError.self) {
            try await EvaluationService().evaluate(c, outcome: "kittens", viewer: .operator, on: app.db)
        }
    }

    func pages(_ app: Application) async throws {
        let analyst = try await app.signIn("analyst@opcc.demo", password: "demo-opcc-figures")
        let base = "/campaigns/\(Self.slug)"
        let page = try await app.get("\(base)/report", as: analyst)
        #expect(page.status == .ok)
        let html = page.body.string
        #expect(html.contains("in 4 of 11 areas: Great Yarmouth, King&#39;s Lynn, Norwich, Thetford."))
        #expect(html.contains("No significant change (not significant) in 7"))
        #expect(html.contains("Displacement to the surrounding streets was found around Great Yarmouth."))
        for heading in ["Effect", "Mechanism", "Moderators", "Implementation", "Economic cost"] {
            #expect(html.contains("<dt>\(heading)</dt>"), "EMMIE heading \(heading)")
        }
        #expect(html.components(separatedBy: "class=\"chart line-chart\"").count - 1 == 11)

        let csv = try await app.get("\(base)/report.csv", as: analyst)
        #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv")
        let lines = csv.body.string.components(separatedBy: "\r\n")
        #expect(lines[0] == EvaluationExport.header.joined(separator: ","))
        #expect(lines.filter { $0.contains(",relative effect size (RES),") }.count == 11)
        #expect(
            lines.contains {
                $0.hasPrefix("effect,Norwich town centre,verdict,") && $0.hasSuffix("Significant reduction")
            })

        // The JSON API gives the same figures, and lists the campaign with its eleven areas.
        let api = try await app.get("/api/v1/campaigns/\(Self.slug)/evaluation", as: analyst)
        #expect(api.status == .ok)
        let evaluation = try JSONValue.parse(Data(buffer: api.body))
        #expect(evaluation["figures"]?.array.count == lines.count - 2)
        #expect(
            evaluation["figures"]?.array.filter { $0["measure"] == .string("relative effect size (RES)") }.count == 11)
        #expect(
            evaluation["outcome"] == .string("anti-social-behaviour") && evaluation["baseline"] == .string("previous"))
        let listed = try JSONValue.parse(Data(buffer: try await app.get("/api/v1/campaigns?limit=5", as: analyst).body))
        #expect(listed["items"]?.array.first?["slug"] == .string(Self.slug))
        #expect(listed["items"]?.array.first?["areas"]?.array.count == 11)
        #expect(listed["total"] == .integer(1) && listed["limit"] == .integer(5) && listed["offset"] == .integer(0))
        #expect(try await app.get("/api/v1/campaigns?limit=0", as: analyst).status == .badRequest)
        #expect(
            try await app.get("/api/v1/campaigns/\(Self.slug)/evaluation?baseline=never", as: analyst).status
                == .badRequest)
        // An organisation outside the campaign: not listed, and its evaluation is a 404.
        _ = try await app.makeUser(
            "someone@charity.example", role: .partnerUser, organisation: "Another charity", kind: .voluntary)
        let outsider = try await app.signIn("someone@charity.example")
        let theirs = try JSONValue.parse(Data(buffer: try await app.get("/api/v1/campaigns", as: outsider).body))
        #expect(theirs["items"] == .array([]) && theirs["total"] == .integer(0))
        #expect(try await app.get("/api/v1/campaigns/\(Self.slug)/evaluation", as: outsider).status == .notFound)
        try await app.testing().test(.GET, "/api/v1/campaigns") { res async in #expect(res.status == .unauthorized) }

        let ret = try await app.get("\(base)/return.csv", as: analyst)
        let rows = ret.body.string.components(separatedBy: "\r\n")
        #expect(rows[0] == "campaign,period_start,period_end,area,activity_type,activity,records,quantity,unit")
        #expect(rows.contains { $0.contains(",Norwich town centre,patrol,Patrol,") })

        // A partner in the campaign reads the report but may not change the design.
        let partner = try await app.signIn("ranger@norwichbid.demo", password: "demo-bid-partner")
        #expect(try await app.get("\(base)/report", as: partner).status == .ok)
        #expect(
            try await app.post(
                "\(base)/evaluation/norwich-town-centre", ["buffer": "500", "comparison": ""], as: partner
            ).status == .forbidden)
        #expect(try await app.post("\(base)/report/links", ["label": "x"], as: partner).status == .forbidden)
        // No session: the report is not public.
        try await app.testing().test(.GET, "\(base)/report") { res async in #expect(res.status != .ok) }
        // A bad option is a clear error.
        let bad = try await app.get("\(base)/report?outcome=kittens", as: analyst)
        #expect(bad.status == .badRequest && bad.body.string.contains("“kittens” is not an outcome"))
    }

    func designAndLinks(_ app: Application) async throws {
        let analyst = try await app.signIn("analyst@opcc.demo", password: "demo-opcc-figures")
        let base = "/campaigns/\(Self.slug)"
        let design = "\(base)/evaluation/thetford-town-centre"
        #expect(try await app.get(design, as: analyst).status == .ok)
        let refused = try await app.post(design, ["buffer": "20", "comparison": "E01026741 NOTANLSOA"], as: analyst)
        #expect(refused.status == .badRequest)
        #expect(refused.body.string.contains("Enter the buffer width in metres, from 100 to 3,000"))
        #expect(refused.body.string.contains("Not LSOA codes of the bundled ONS reference: NOTANLSOA"))
        #expect(try await app.scalar("SELECT COUNT(*) AS n FROM evaluation_settings") == 0, "nothing saved")
        let chosen = "E01026741\nE01026937\nE01026449\nE01026917\nE01026563\nE01033040"
        #expect(try await app.post(design, ["buffer": "600", "comparison": chosen], as: analyst).status == .seeOther)
        let c = try #require(try await CampaignStore(audit: AuditLog()).lookup(slug: Self.slug, on: app.db))
        let e = try await EvaluationService().evaluate(c, viewer: .operator, on: app.db)
        let thetford = try #require(e.areas.first { $0.area.slug == "thetford-town-centre" })
        #expect(
            thetford.design.bufferMetres == 600 && thetford.comparison == chosen.split(separator: "\n").map(String.init)
        )
        #expect(
            try await app.post(design, ["buffer": "800", "comparison": "", "automatic": "yes"], as: analyst).status
                == .seeOther)

        // A read-only link: shown once, opens the report without an account, then withdrawn.
        let made = try await app.post("\(base)/report/links", ["label": "Police and crime panel"], as: analyst)
        #expect(made.status == .created)
        let link = try #require(made.body.string.firstMatch(of: /\/shared\/reports\/ssr_[A-Za-z0-9_-]+/)).0
        try await app.testing().test(.GET, String(link)) { res async in
            #expect(res.status == .ok)
            #expect(res.headers.first(name: "X-Robots-Tag") == "noindex, nofollow")
            #expect(res.body.string.contains("in 4 of 11 areas"))
            #expect(!res.body.string.contains("/evaluation/"), "no design links for the public")
            #expect(!res.body.string.contains("Make a read-only link"))
        }
        try await app.testing().test(.GET, "\(link)/report.csv") { res async in #expect(res.status == .ok) }
        let id = try #require(try await app.scalar("SELECT MAX(id) AS n FROM report_links"))
        #expect(try await app.post("\(base)/report/links/\(id)/revoke", [:], as: analyst).status == .seeOther)
        try await app.testing().test(.GET, String(link)) { res async in #expect(res.status == .notFound) }
        try await app.testing().test(.GET, "/shared/reports/ssr_guess") { res async in #expect(res.status == .notFound)
        }
        #expect(try await app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'report_link'") == 2)
    }

    /// The report in Chromium: key figures, charts and maps drawn; the print stylesheet
    /// gives an A4 PDF, both from the browser's print and from the server's download.
    func browser(_ app: Application) async throws {
        try await Browser.serving(app) { port in
            let site = "http://localhost:\(port)"
            let browser = try await WebDriver.start(client: app.client)
            do {
                try await browser.open("\(site)/login")
                try await browser.type("#email", "analyst@opcc.demo")
                try await browser.type("#password", "demo-opcc-figures")
                try await browser.click("form#login-form button[type=submit]")
                _ = try await browser.waitForURL { !$0.contains("/login") }
                try await browser.open("\(site)/campaigns/\(Self.slug)/report")
                #expect(try await browser.text("#summary").contains("in 4 of 11 areas"))
                #expect(
                    try await browser.text("#summary-table tr[data-area=norwich-town-centre]").lowercased().contains(
                        "significant reduction"))
                #expect(
                    try await browser.text("#great-yarmouth-town-centre").contains("moved to the surrounding streets"))
                let source = try await browser.source
                #expect(
                    source.components(separatedBy: "<polyline").count - 1 >= 33, "three lines a chart, eleven charts")
                #expect(source.contains("id=\"overview-map\"") && source.contains("id=\"map-10\""))
                let printed = try await browser.printPDF()
                try Self.checkPDF(printed, app: app, name: "browser")

                // The server's PDF download, through the same stylesheet.
                let cookie = try await app.signIn("analyst@opcc.demo", password: "demo-opcc-figures")
                let res = try await app.get("/campaigns/\(Self.slug)/report.pdf", as: cookie)
                #expect(res.status == .ok && res.headers.contentType?.subType == "pdf")
                try Self.checkPDF(Data(res.body.readableBytesView), app: app, name: "server")

                // At 1400 px: the report's overview map over the coastline, and the public page.
                #expect(source.contains("class=\"land\""), "the maps are drawn over the coastline")
                try await browser.resize(width: 1400, height: 1000)
                _ = try await browser.script("document.getElementById('overview-map').scrollIntoView(); return 1")
                try MapBrowserTests.save(try await browser.screenshot(), "campaign-report-1400.png")

                // The public campaign page, with its map over the same context.
                try await browser.open("\(site)\(SiteURL.open())")
                let href =
                    try await browser.script(
                        "const a = document.querySelector('a[href^=\"/open/campaigns/\"]'); return a ? a.getAttribute('href') : ''"
                    )
                    as? String ?? ""
                #expect(!href.isEmpty, "a published campaign on /open")
                if !href.isEmpty {
                    try await browser.open("\(site)\(href)")
                    #expect(try await browser.source.contains("class=\"land\""), "the public map shows the coastline")
                    let areas = try await MapBrowserTests.waitFor(
                        browser,
                        "return document.querySelectorAll('.live-map-wrap--ready .leaflet-overlay-pane path').length")
                    #expect(areas == 11, "the eleven areas on the interactive map")
                    _ = try await browser.script("document.querySelector('.live-map').scrollIntoView(); return 1")
                    try MapBrowserTests.save(try await browser.screenshot(), "open-campaign-1400.png")
                }
            } catch {
                await browser.stop()
                throw error
            }
            await browser.stop()
        }
    }

    /// A4 pages, and the first page reads as the report's opening (pdftotext from Debian's
    /// poppler-utils, installed by `.ci/run`).
    static func checkPDF(_ data: Data, app: Application, name: String) throws {
        #expect(data.starts(with: Data("%PDF".utf8)), "\(name): a PDF")
        let file = app.scratch.appendingPathComponent("\(name).pdf")
        try data.write(to: file)
        guard let info = run("pdfinfo", [file.path]),
            let text = run("pdftotext", ["-f", "1", "-l", "1", "-layout", file.path, "-"])
        else {
            #expect(
                ProcessInfo.processInfo.environment["SAFERSTREETS_REQUIRE_BROWSER"] != "1",
                "pdftotext (poppler-utils) is needed in CI")
            return
        }
        #expect(info.contains("(A4)"), "\(name): A4 pages: \(info)")
        let pages =
            Int(info.split(separator: "\n").first { $0.hasPrefix("Pages:") }?.split(separator: " ").last ?? "0") ?? 0
        #expect(pages >= 12, "\(name): a page for the summary and one for each area, got \(pages)")
        let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains("Did it work?"), "\(name): first page title: \(flat.prefix(300))")
        #expect(flat.contains("in 4 of 11 areas"), "\(name): first page summary: \(flat.prefix(400))")
        #expect(
            !flat.contains("Update the report") && !flat.contains("Skip to main content"),
            "\(name): no controls in print")
    }

    static func run(_ tool: String, _ arguments: [String]) -> String? {
        guard
            let path = ["/usr/bin/\(tool)", "/usr/local/bin/\(tool)"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
