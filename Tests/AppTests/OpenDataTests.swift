@testable import App
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("public pages and open data")
struct OpenDataTests {
    /// The small Norfolk data set, a Norwich area, and a campaign there with public,
    /// shared and private activity.
    static func setUp(_ app: Application) async throws -> (
        campaign: CampaignStore.Campaign, opcc: Session, partner: Session
    ) {
        try await PoliceAPIData.load(app)
        let area = try await AreaStore().create(
            AreaDraft(
                name: "Norwich centre", kind: .radius, forceID: "norfolk",
                shape: .circle(
                    centre: BritishNationalGrid.grid(from: GeoPoint(longitude: 1.2974, latitude: 52.6309)), radius: 800),
                radius: 800),
            on: app.db)
        _ = try await AreaStore().refreshCounts(on: app.db)
        _ = try await app.makeUser("analyst@opcc.example", role: .opccStaff)
        let partner = try await app.makeUser(
            "ranger@bid.example", role: .partnerUser, organisation: "Norwich BID", kind: .businessImprovementDistrict)
        let store = CampaignStore(audit: AuditLog())
        let campaign = try await store.create(
            CampaignDraft(name: "Summer in Norwich", description: "", startsOn: "2024-06-01", endsOn: "2024-06-30"),
            by: nil, on: app.db)
        _ = area
        try await store.addOrganisation(partner.organisationId, to: campaign, by: nil, on: app.db)
        try await store.addArea(area.id, to: campaign, by: nil, on: app.db)
        let ranger = try await app.signIn("ranger@bid.example")
        // Six public youth sessions, three public school visits (under 5: suppressed), and
        // private multi-agency meetings that must never show.
        for (type, count, visibility, quantity) in [
            ("youth-session", 6, "public", "12"), ("school-visit", 3, "public", "30"),
            ("multi-agency-meeting", 4, "private", "1"),
        ] {
            let template = try await app.get("/activities/templates/\(type).csv", as: ranger).body.string
            let header = template.components(separatedBy: .newlines)[0]
            let values = [
                "time": "18:00", "area": "norwich-centre", "location": "Castle Gardens",
                "campaign": "summer-in-norwich",
                "visibility": visibility, "attendance": quantity, "pupils": quantity, "count": quantity,
            ]
            var rows = [header]
            for d in 1...count {
                rows.append(
                    header.split(separator: ",").map { $0 == "date" ? "2024-06-0\(d)" : values[String($0)] ?? "" }
                        .joined(separator: ","))
            }
            let csv = rows.joined(separator: "\n") + "\n"
            let response = try await ActivityTests().upload(app, type: type, csv: csv, as: ranger)
            #expect(response.status == .seeOther, "\(type): \(csv)")
        }
        return (campaign, try await app.signIn("analyst@opcc.example"), ranger)
    }

    @Test("area pages and files: counts from the aggregates, small counts suppressed, nothing finer than the outline")
    func areaPage() async throws {
        try await withTestApp { app in
            _ = try await Self.setUp(app)
            try await app.testing().test(.GET, "/open/areas/norwich-centre") { res async in
                #expect(res.status == .ok)
                let html = res.body.string
                // June 2024 in the 800 m circle: 2 ASB and 4 other crimes: both under 5.
                #expect(html.contains("<td>2024-06</td><td>fewer than 5</td><td>fewer than 5</td>"))
                #expect(html.contains("id=\"trend\""))
                #expect(html.contains("<td>Youth engagement session</td><td>6</td><td>72 young people</td>"))
                #expect(html.contains("<td>School visit</td><td>fewer than 5</td><td></td>"))
                #expect(!html.contains("Multi-agency meeting"), "private records are not public")
                #expect(!html.contains("Castle Gardens"), "a record's place is never shown")
                #expect(!html.contains("Castle Meadow"), "no incident location is shown")
            }
            try await app.testing().test(.GET, "/open/areas/norwich-centre/monthly.csv") { res async in
                #expect(res.status == .ok)
                let lines = res.body.string.components(separatedBy: "\r\n")
                #expect(lines[0] == "month,anti_social_behaviour,other_crime,note")
                #expect(lines.contains("2024-06,,,empty: fewer than 5"))
            }
            try await app.testing().test(.GET, "/open/areas/norwich-centre/area.geojson") { res async in
                let text = res.body.string
                // Two ASB in the last twelve months (hidden); five other crimes (May and June: shown).
                #expect(
                    text.contains("\"asb_last_12_months\":null") && text.contains("\"other_crime_last_12_months\":5"))
            }
            try await app.testing().test(.GET, "/open") { res async in
                #expect(res.status == .ok && res.body.string.contains("Open data: Norfolk Constabulary"))
                #expect(res.body.string.contains("/open/areas/norwich-centre"))
            }
            try await app.testing().test(.GET, "/open/forces/norfolk/monthly.csv") { res async in
                #expect(res.body.string.contains("2024-05,0,,empty: fewer than 5"), "zero is shown, one is not")
            }
            try await app.testing().test(.GET, "/open/areas/nowhere") { res async in #expect(res.status == .notFound) }
        }
    }

    @Test("a campaign is public only once OPCC staff publish it, and stops being public when they take it down")
    func publishing() async throws {
        try await withTestApp { app in
            let (campaign, opcc, partner) = try await Self.setUp(app)
            let page = "/open/campaigns/\(campaign.slug)"
            try await app.testing().test(.GET, page) { res async in #expect(res.status == .notFound) }
            try await app.testing().test(.GET, "\(page)/results.csv") { res async in #expect(res.status == .notFound) }
            #expect(try await app.post("/campaigns/\(campaign.slug)/publish", [:], as: partner).status == .forbidden)
            try await app.testing().test(.POST, "/campaigns/\(campaign.slug)/publish") { res async in
                #expect(res.status != .seeOther)
            }
            try await app.testing().test(.GET, page) { res async in #expect(res.status == .notFound) }

            #expect(try await app.post("/campaigns/\(campaign.slug)/publish", [:], as: opcc).status == .seeOther)
            try await app.testing().test(.GET, page) { res async in
                #expect(res.status == .ok)
                let html = res.body.string
                #expect(html.contains("Summer in Norwich") && html.contains("Norwich centre"))
                #expect(html.contains("Youth engagement session"))
            }
            try await app.testing().test(.GET, "\(page)/results.csv") { res async in
                #expect(res.body.string.contains("activity,Norwich centre,Youth engagement session: records,6,"))
                #expect(res.body.string.contains("activity,Norwich centre,School visit: records,,,,fewer than 5"))
                #expect(!res.body.string.contains("Multi-agency"))
            }
            try await app.testing().test(.GET, "\(page)/areas.geojson") { res async in
                #expect(res.status == .ok && res.body.string.contains("\"slug\":\"norwich-centre\""))
            }
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'publish' AND entity = 'campaign'") == 1)

            #expect(try await app.post("/campaigns/\(campaign.slug)/unpublish", [:], as: opcc).status == .seeOther)
            try await app.testing().test(.GET, page) { res async in #expect(res.status == .notFound) }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'unpublish'") == 1)
        }
    }

    @Test("suppression: 1 to 4 hidden, 0 and 5 shown; the threshold is configurable")
    func suppression() throws {
        let s = Suppression(threshold: 5)
        #expect(s.text(0) == "0" && s.text(4) == "fewer than 5" && s.text(5) == "5" && s.text(1) == "fewer than 5")
        #expect(s.csv(3) == "" && s.csv(12) == "12" && s.chart(2).isNaN && s.chart(7) == 7)
        #expect(Suppression(threshold: 10).hides(9))
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["SAFERSTREETS_PUBLIC_MIN_COUNT": "0"]) }
        #expect(try AppConfig.fromEnvironment(["SAFERSTREETS_PUBLIC_MIN_COUNT": "10"]).publicMinimumCount == 10)
    }

    @Test("settings: every bad value is named, all at once; good ones are read")
    func settings() throws {
        do {
            _ = try AppConfig.fromEnvironment([
                "PORT": "0", "SAFERSTREETS_POLICE_API_CACHE_MB": "lots", "SAFERSTREETS_PUBLIC_MIN_COUNT": "101",
            ])
            Issue.record("bad settings were accepted")
        } catch let error as ConfigError {
            #expect(error.problems.count == 3)
            #expect(error.problems.contains("PORT must be a number from 1 to 65535 (got \"0\")"))
            #expect(
                error.problems.contains {
                    $0.hasPrefix("SAFERSTREETS_POLICE_API_CACHE_MB must be a number of megabytes")
                })
        }
        let config = try AppConfig.fromEnvironment(["PORT": "9000", "SAFERSTREETS_POLICE_API_CACHE_MB": "64"])
        #expect(config.port == 9000 && config.policeAPICacheBytes == 64 << 20 && config.publicMinimumCount == 5)
    }
}
