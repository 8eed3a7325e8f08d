@testable import App
import SQLKit
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("the activity ledger: form, CSV upload, organisation boundaries")
struct ActivityTests {

    func upload(_ app: Application, type: String, csv: String, as s: Session) async throws -> TestingHTTPResponse {
        var out: TestingHTTPResponse?
        try await app.testing().test(
            .POST, "/activities/upload",
            beforeRequest: { req in
                req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.cookie)=\(s.cookie)")
                req.headers.replaceOrAdd(name: "X-CSRF-Token", value: s.csrf)
                try req.content.encode(
                    ActivityController.UploadForm(
                        type: type, file: File(data: ByteBuffer(string: csv), filename: "patrols.csv")), as: .formData)
            }
        ) { res async in out = res }
        return out!
    }

    @Test("a patrol on the form; every bad field named; nothing stored until it is right")
    func form() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            let pc = try await app.signIn("pc@police.example")
            let page = try await app.get("/activities/new?type=patrol", as: pc)
            #expect(page.status == .ok && page.body.string.contains("Hours of patrol"))
            let bad = try await app.post(
                "/activities",
                [
                    "type": "patrol", "date": "2099-01-01", "time": "25:00", "hours": "30",
                    "officers": "0", "visibility": "everyone", "location": "",
                ], as: pc)
            #expect(bad.status == .badRequest)
            for message in [
                "The date is in the future", "Enter the time as HH:MM",
                "Hours of patrol must be a number from 0.25 to 24",
                "Officers must be a whole number from 1 to 200", "Enter high-visibility or plain clothes",
                "Give an area or a location",
                "Visibility is private, shared or public",
            ] {
                #expect(bad.body.string.contains(message), "\(message)")
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM activities") == 0)
            let ok = try await app.post(
                "/activities",
                [
                    "type": "patrol", "date": "2025-07-12", "time": "19:30", "hours": "1.5",
                    "officers": "2", "visits": "4", "style": "high-visibility",
                    "location": "Gentleman's Walk", "visibility": "shared",
                ], as: pc)
            #expect(ok.status == .seeOther && ok.headers.first(name: .location) == "/activities?saved=1")
            let details = try await app.db.sql.raw("SELECT details FROM activities").first(
                decodingColumn: "details", as: String.self)
            #expect(details == "{\"hours\":\"1.5\",\"officers\":\"2\",\"style\":\"high-visibility\",\"visits\":\"4\"}")
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM activities WHERE quantity = 1.5 AND start_time = '19:30'") == 1)
        }
    }

    @Test(
        "CSV upload: one bad row saves nothing and is reported by line and column; the corrected file saves every row")
    func csvUpload() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            let pc = try await app.signIn("pc@police.example")
            let template = try await app.get("/activities/templates/school-visit.csv", as: pc)
            #expect(template.body.string.hasPrefix("date,area,location,campaign,pupils,visibility\r\n"))
            let roundTrip = try await upload(app, type: "school-visit", csv: template.body.string, as: pc)
            #expect(roundTrip.status == .seeOther, "the template's example row is valid")
            let header = "date,time,location,hours,officers,visits,style,visibility,area,campaign"
            let good = "2025-07-01,19:00,Market Place,1.5,2,3,plain-clothes,private,,"
            let badCSV =
                [header, good, "2025-07-02,19:00,Market Place,thirty,2,3,plain-clothes,private,,", good].joined(
                    separator: "\r\n") + "\r\n"
            let r = try await upload(app, type: "patrol", csv: badCSV, as: pc)
            #expect(r.status == .badRequest)
            #expect(r.body.string.contains("1 problem in the file. Nothing was saved"))
            #expect(r.body.string.contains("<td class=\"numeric\">3</td><td>hours</td>"), "line 3, column hours")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM activities WHERE type = 'patrol'") == 0)
            let wrongHeader = try await upload(app, type: "patrol", csv: "when,what\r\n2025-07-01,patrol\r\n", as: pc)
            #expect(
                wrongHeader.body.string.contains("missing columns date, hours, officers")
                    || wrongHeader.body.string.contains("missing column"))
            let fixed =
                [header, good, "2025-07-02,19:00,Market Place,2,2,3,plain-clothes,private,,", good].joined(
                    separator: "\r\n") + "\r\n"
            let saved = try await upload(app, type: "patrol", csv: "\u{FEFF}" + fixed, as: pc)
            #expect(saved.status == .seeOther && saved.headers.first(name: .location) == "/activities?saved=3")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM activities WHERE type = 'patrol'") == 3)
            let list = try await app.get("/activities", as: pc)
            #expect(list.body.string.contains("5 hours"), "1.5 + 2 + 1.5 hours of patrol")
        }
    }

    @Test("partners see their own records, shared ones in their campaigns, and public ones; the OPCC sees all")
    func boundaries() async throws {
        try await withTestApp { app in
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let police = try await app.makeUser(
                "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerUser, organisation: "Norwich BID",
                kind: .businessImprovementDistrict)
            try await app.makeUser(
                "worker@youth.example", role: .partnerUser, organisation: "Youth Service", kind: .youthService)
            let store = CampaignStore(audit: AuditLog())
            let c = try await store.create(
                CampaignDraft(name: "Summer", description: "", startsOn: "2025-07-01", endsOn: "2025-09-30"), by: nil,
                on: app.db)
            try await store.addOrganisation(police.organisationId, to: c, by: nil, on: app.db)
            let bidOrg = try await app.db.sql.raw("SELECT id FROM organisations WHERE name = 'Norwich BID'").first(
                decodingColumn: "id", as: Int.self)!
            try await store.addOrganisation(bidOrg, to: c, by: nil, on: app.db)
            let pc = try await app.signIn("pc@police.example")
            for (vis, place) in [("private", "Private Lane"), ("shared", "Shared Street"), ("public", "Public Square")]
            {
                let r = try await app.post(
                    "/activities",
                    [
                        "type": "multi-agency-meeting", "date": "2025-07-03", "count": "1",
                        "location": place, "campaign": "summer", "visibility": vis,
                    ], as: pc)
                #expect(r.status == .seeOther)
            }
            let bid = try await app.get("/activities", as: try await app.signIn("ranger@bid.example")).body.string
            #expect(!bid.contains("Private Lane") && bid.contains("Shared Street") && bid.contains("Public Square"))
            let youth = try await app.get("/activities", as: try await app.signIn("worker@youth.example")).body.string
            #expect(
                !youth.contains("Private Lane") && !youth.contains("Shared Street") && youth.contains("Public Square"))
            let opcc = try await app.get("/activities", as: try await app.signIn("analyst@opcc.example")).body.string
            #expect(opcc.contains("Private Lane") && opcc.contains("Shared Street") && opcc.contains("Public Square"))
            // A partner cannot file a record under a campaign their organisation is not in.
            let r = try await app.post(
                "/activities",
                [
                    "type": "multi-agency-meeting", "date": "2025-07-03", "count": "1",
                    "location": "X", "campaign": "summer", "visibility": "private",
                ],
                as: try await app.signIn("worker@youth.example"))
            #expect(r.status == .badRequest && r.body.string.contains("is not a campaign your organisation is part of"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM activities") == 3)
            #expect(
                try await app.scalar("SELECT COUNT(DISTINCT organisation_id) AS n FROM activities") == 1,
                "records belong to the recorder's organisation")
        }
    }

    @Test(
        "the campaign dashboard sums what the user may see: patrol hours, types, areas, weeks, PSPOs expiring; and the CSV"
    )
    func dashboard() async throws {
        try await withTestApp { app in
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let pcUser = try await app.makeUser(
                "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerUser, organisation: "Norwich BID",
                kind: .businessImprovementDistrict)
            let store = CampaignStore(audit: AuditLog())
            let c = try await store.create(
                CampaignDraft(name: "Summer", description: "", startsOn: "2025-07-01", endsOn: "2025-09-30"), by: nil,
                on: app.db)
            let bidOrg = try await app.db.sql.raw("SELECT id FROM organisations WHERE name = 'Norwich BID'").first(
                decodingColumn: "id", as: Int.self)!
            for org in [pcUser.organisationId, bidOrg] {
                try await store.addOrganisation(org, to: c, by: nil, on: app.db)
            }
            let pc = try await app.signIn("pc@police.example")
            let soon = CalendarDay(Date().addingTimeInterval(10 * 86_400)).description
            let rows: [[String: String]] = [
                [
                    "type": "patrol", "date": "2025-07-07", "hours": "2", "officers": "2", "visits": "3",
                    "style": "high-visibility", "visibility": "shared",
                ],
                [
                    "type": "patrol", "date": "2025-07-08", "hours": "1.5", "officers": "1", "visits": "2",
                    "style": "high-visibility", "visibility": "shared",
                ],
                [
                    "type": "patrol", "date": "2025-07-15", "hours": "4", "officers": "1", "style": "plain-clothes",
                    "visibility": "private",
                ],
                [
                    "type": "pspo", "date": "2025-07-01", "count": "1", "prohibitions": "No drinking",
                    "starts_on": "2025-07-01", "expires_on": soon, "visibility": "public",
                ],
            ]
            for r in rows {
                let res = try await app.post(
                    "/activities", r.merging(["location": "Market Place", "campaign": "summer"]) { a, _ in a }, as: pc)
                #expect(res.status == .seeOther)
            }
            let opcc = try await app.get(
                "/campaigns/summer/dashboard", as: try await app.signIn("analyst@opcc.example")
            ).body.string
            #expect(opcc.contains("4 activity records in this campaign"))
            #expect(
                opcc.contains("4 hours of high-visibility patrols, with 5 hot-spot visits"),
                "2 + 1.5 rounds to 4; 3 + 2 visits")
            #expect(opcc.contains("w/c 7 July 2025") && opcc.contains("w/c 14 July 2025"))
            #expect(opcc.contains("Market Place") || opcc.contains("No named area"))
            #expect(opcc.contains(CalendarDay(soon)!.long), "the PSPO expiring in 10 days is listed")
            let bid = try await app.get("/campaigns/summer/dashboard", as: try await app.signIn("ranger@bid.example"))
                .body.string
            #expect(bid.contains("3 activity records in this campaign"), "the private patrol is not theirs to see")
            let csv = try await app.get("/campaigns/summer/activities.csv", as: pc)
            #expect(csv.body.string.split(separator: "\r\n").count == 5)
            #expect(
                csv.body.string.hasPrefix(
                    "id,date,time,type,organisation,area,location,quantity,unit,details,visibility\r\n"))
        }
    }

    @Test(
        "a partner cannot read, change or delete another organisation's private record by its id (404, nothing changes); their own they can"
    )
    func guessedIDs() async throws {
        try await withTestApp { app in
            let police = try await app.makeUser(
                "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerUser, organisation: "Norwich BID",
                kind: .businessImprovementDistrict)
            try await app.makeUser("admin@opcc.example", role: .opccAdmin)
            let store = CampaignStore(audit: AuditLog())
            let c = try await store.create(
                CampaignDraft(name: "Summer", description: "", startsOn: "2025-07-01", endsOn: "2025-09-30"), by: nil,
                on: app.db)
            let bidOrg = try await app.db.sql.raw("SELECT id FROM organisations WHERE name = 'Norwich BID'").first(
                decodingColumn: "id", as: Int.self)!
            for org in [police.organisationId, bidOrg] {
                try await store.addOrganisation(org, to: c, by: nil, on: app.db)
            }
            let pc = try await app.signIn("pc@police.example")
            let patrol = [
                "type": "patrol", "date": "2025-07-12", "hours": "2", "officers": "2", "visits": "3",
                "style": "high-visibility",
                "location": "Gentleman's Walk", "campaign": "summer",
            ]
            for vis in ["private", "shared"] {
                #expect(
                    try await app.post("/activities", patrol.merging(["visibility": vis]) { _, b in b }, as: pc).status
                        == .seeOther)
            }
            func id(_ visibility: String) async throws -> Int {
                try await app.db.sql.raw("SELECT id FROM activities WHERE visibility = \(bind: visibility)").first(
                    decodingColumn: "id", as: Int.self)!
            }
            let privateID = try await id("private"), sharedID = try await id("shared")
            func snapshot() async throws -> String {
                struct Row: Decodable, Equatable {
                    var id: Int; var quantity: Double; var location: String; var visibility: String
                }
                let rows = try await app.db.sql.raw(
                    "SELECT id, quantity, location, visibility FROM activities ORDER BY id"
                ).rows(Row.self)
                let totals = try await app.db.sql.raw("SELECT CAST(SUM(records) AS BIGINT) AS n FROM activity_totals")
                    .first(decodingColumn: "n", as: Int.self)
                return "\(rows) \(totals ?? -1)"
            }
            let before = try await snapshot()
            let bid = try await app.signIn("ranger@bid.example")
            // Another organisation's private record: invisible, unchangeable, undeletable; the same answer as a record that does not exist.
            #expect(try await app.get("/activities/\(privateID)", as: bid).status == .notFound)
            #expect(try await app.get("/activities/999999", as: bid).status == .notFound)
            #expect(
                try await app.post(
                    "/activities/\(privateID)", patrol.merging(["hours": "9", "visibility": "public"]) { _, b in b },
                    as: bid
                ).status == .notFound)
            #expect(try await app.post("/activities/\(privateID)/delete", [:], as: bid).status == .notFound)
            // A shared record is theirs to read, not to change.
            let shared = try await app.get("/activities/\(sharedID)", as: bid)
            #expect(
                shared.status == .ok && shared.body.string.contains("only they can change it")
                    && !shared.body.string.contains("activity-form"))
            #expect(
                try await app.post(
                    "/activities/\(sharedID)", patrol.merging(["hours": "9", "visibility": "shared"]) { _, b in b },
                    as: bid
                ).status == .notFound)
            #expect(try await app.post("/activities/\(sharedID)/delete", [:], as: bid).status == .notFound)
            #expect(try await snapshot() == before, "nothing changed")

            // The owner changes and deletes their own; the totals follow.
            let form = try await app.get("/activities/\(privateID)", as: pc)
            #expect(
                form.body.string.contains("action=\"/activities/\(privateID)\"")
                    && form.body.string.contains("value=\"Gentleman&#39;s Walk\""))
            let bad = try await app.post(
                "/activities/\(privateID)", patrol.merging(["hours": "99", "visibility": "private"]) { _, b in b },
                as: pc)
            #expect(
                bad.status == .badRequest
                    && bad.body.string.contains("Hours of patrol must be a number from 0.25 to 24"))
            #expect(try await snapshot() == before)
            let changed = try await app.post(
                "/activities/\(privateID)", patrol.merging(["hours": "3.5", "visibility": "private"]) { _, b in b },
                as: pc)
            #expect(
                changed.status == .seeOther
                    && changed.headers.first(name: .location) == "/activities?changed=\(privateID)")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM activities WHERE quantity = 3.5") == 1)
            #expect(try await app.post("/activities/\(sharedID)/delete", [:], as: pc).status == .seeOther)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM activities") == 1)
            let dashboard = try await app.get("/campaigns/summer/dashboard", as: pc).body.string
            #expect(
                dashboard.contains("1 activity record in this campaign")
                    && dashboard.contains("4 hours of high-visibility patrols, with 3 hot-spot visits"))
            // An OPCC admin may correct any record; every change is in the audit log with before and after.
            let admin = try await app.signIn("admin@opcc.example")
            #expect(
                try await app.post(
                    "/activities/\(privateID)", patrol.merging(["hours": "3", "visibility": "private"]) { _, b in b },
                    as: admin
                ).status == .seeOther)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'activity'") == 3)
        }
    }

    @Test("the maintained totals always equal totals rebuilt from the records")
    func totalsStayTrue() async throws {
        try await withTestApp { app in
            let police = try await app.makeUser(
                "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
            let store = ActivityStore(audit: AuditLog())
            let user = CurrentUser(
                id: police.id, name: "", email: "", role: .partnerUser, organisationID: police.organisationId,
                organisationName: "", csrfToken: "", sessionHash: "")
            var drafts: [ActivityDraft.Checked] = []
            for k in 0..<300 {
                let draft = ActivityDraft(
                    type: k % 3 == 0 ? "youth-session" : "patrol",
                    date: "2025-07-\(String(format: "%02d", 1 + k % 31))", location: "Street \(k % 7)",
                    visibility: ["private", "shared", "public"][k % 3],
                    fields: k % 3 == 0
                        ? ["attendance": "\(k % 20 + 1)"]
                        : [
                            "hours": "\(1 + k % 4)", "officers": "2", "visits": "\(k % 5)",
                            "style": k % 2 == 0 ? "high-visibility" : "plain-clothes",
                        ])
                drafts.append(try draft.check(areas: [:], campaigns: [:], today: CalendarDay("2026-01-01")!).get())
            }
            try await store.insert(drafts, by: user, source: "test", on: app.db)
            let records = try await store.latest(for: user, limit: 1000, on: app.db)
            for r in records.prefix(40) { try await store.delete(r, by: user, on: app.db) }
            for r in records.dropFirst(40).prefix(40) {
                var d = r.draft
                d.visibility = "public"; d.date = "2025-08-15"
                try await store.update(
                    r, to: try d.check(areas: [:], campaigns: [:], today: CalendarDay("2026-01-01")!).get(), by: user,
                    on: app.db)
            }
            struct Row: Decodable, Equatable {
                var campaignId: Int, organisationId: Int, areaId: Int, type: String, visibility: String, week: String
                var records: Int, quantity: Double, highVisibilityHours: Double, visits: Int
            }
            let query: SQLQueryString =
                "SELECT * FROM activity_totals ORDER BY campaign_id, organisation_id, area_id, type, visibility, week"
            let maintained = try await app.db.sql.raw(query).rows(Row.self)
            #expect(try await ActivityTotals.rebuild(on: app.db) == 260)
            let rebuilt = try await app.db.sql.raw(query).rows(Row.self)
            #expect(maintained == rebuilt)
            #expect(rebuilt.reduce(0) { $0 + $1.records } == 260)
            #expect(!maintained.contains { $0.records <= 0 }, "emptied keys are removed")
        }
    }

    @Test("weeks start on Monday")
    func weeks() {
        #expect(CalendarDay("2025-07-13")!.weekCommencing == CalendarDay("2025-07-07")!)  // a Sunday
        #expect(CalendarDay("2025-07-07")!.weekCommencing == CalendarDay("2025-07-07")!)
        #expect(CalendarDay("2025-07-09")!.weekCommencing == CalendarDay("2025-07-07")!)
    }
}
