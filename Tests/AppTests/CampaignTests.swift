@testable import App
import Analytics
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("campaigns, plans and actions inside organisation boundaries")
struct CampaignTests {

    struct World {
        var opcc: Session
        var bid: Session
        var police: Session
        var bidOrg: Int
        var policeOrg: Int
    }

    /// An OPCC analyst, a BID partner and a police partner; two areas.
    func world(_ app: Application) async throws -> World {
        try await app.makeUser("analyst@opcc.example", role: .opccStaff)
        let bid = try await app.makeUser(
            "ranger@bid.example", role: .partnerUser, organisation: "Norwich BID", kind: .businessImprovementDistrict)
        let police = try await app.makeUser(
            "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
        for (name, e) in [("Market", 622_900.0), ("Riverside", 624_000.0)] {
            try await AreaStore().create(
                AreaDraft(
                    name: name, kind: .radius, forceID: "norfolk",
                    shape: .circle(centre: GridPoint(easting: e, northing: 308_500), radius: 300), radius: 300),
                on: app.db)
        }
        return World(
            opcc: try await app.signIn("analyst@opcc.example"), bid: try await app.signIn("ranger@bid.example"),
            police: try await app.signIn("pc@police.example"), bidOrg: bid.organisationId,
            policeOrg: police.organisationId)
    }

    @Test("the OPCC builds a campaign and plan through the forms; bad input is shown and stores nothing")
    func build() async throws {
        try await withTestApp { app in
            let w = try await world(app)
            let bad = try await app.post(
                "/campaigns", ["name": "", "startsOn": "2025-13-01", "endsOn": "2025-06-30", "description": ""],
                as: w.opcc)
            #expect(bad.status == .badRequest)
            #expect(
                bad.body.string.contains("Enter the campaign&#39;s name")
                    || bad.body.string.contains("Enter the campaign's name"))
            #expect(bad.body.string.contains("Enter the start date as YYYY-MM-DD"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM campaigns") == 0)
            let made = try await app.post(
                "/campaigns", ["name": "Summer", "startsOn": "2025-07-01", "endsOn": "2025-09-30", "description": "x"],
                as: w.opcc)
            #expect(made.status == .seeOther && made.headers.first(name: .location) == "/campaigns/summer")
            let market = try #require(try await AreaStore().find(slug: "market", on: app.db))
            #expect(
                try await app.post("/campaigns/summer/areas", ["id": String(market.id)], as: w.opcc).status == .seeOther
            )
            #expect(
                try await app.post("/campaigns/summer/organisations", ["id": String(w.bidOrg)], as: w.opcc).status
                    == .seeOther)
            #expect(
                try await app.post("/campaigns/summer/organisations", ["id": String(w.policeOrg)], as: w.opcc).status
                    == .seeOther)
            let plan = try await app.post(
                "/campaigns/summer/areas/market/plan",
                [
                    "problemProfile": "Street drinking", "priorities": "Less ASB",
                    "evidenceURL": "/hotspots?area=market",
                ], as: w.opcc)
            #expect(plan.status == .seeOther)
            let action = try await app.post(
                "/campaigns/summer/areas/market/actions",
                [
                    "title": "Patrols", "ownerOrganisationID": String(w.policeOrg), "leadName": "Insp. Smith",
                    "dueOn": "2025-07-10", "status": "in-progress",
                ], as: w.opcc)
            #expect(action.status == .seeOther)
            let noOwner = try await app.post(
                "/campaigns/summer/areas/market/actions",
                ["title": "X", "ownerOrganisationID": "999", "leadName": "", "dueOn": "soon", "status": "maybe"],
                as: w.opcc)
            #expect(noOwner.status == .badRequest)
            #expect(noOwner.body.string.contains("Choose the organisation that owns this action"))
            let page = try await app.get("/campaigns/summer/areas/market", as: w.bid)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Street drinking") && page.body.string.contains("Patrols"))
            #expect(page.body.string.contains("Overdue"), "due in 2025 and not done")
            let csv = try await app.get("/campaigns/summer/priorities.csv", as: w.police)
            #expect(
                csv.body.string.hasPrefix(
                    "issue,issue-date,action,action-date\r\nMarket: Less ASB,2025-07-01,Patrols,2025-07-10\r\n"))
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM audit_log WHERE entity IN ('campaign', 'plan', 'action')") >= 6)
        }
    }

    @Test("planned amounts: the OPCC sets them on the plan; the plan and the dashboard show delivered against planned")
    func deliveredAgainstPlanned() async throws {
        try await withTestApp { app in
            let w = try await world(app)
            #expect(
                try await app.post(
                    "/campaigns",
                    ["name": "Summer", "startsOn": "2025-07-01", "endsOn": "2025-09-30", "description": ""], as: w.opcc
                ).status == .seeOther)
            for id in try await AreaStore().list(on: app.db).map(\.id) {
                #expect(
                    try await app.post("/campaigns/summer/areas", ["id": String(id)], as: w.opcc).status == .seeOther)
            }
            #expect(
                try await app.post("/campaigns/summer/organisations", ["id": String(w.policeOrg)], as: w.opcc).status
                    == .seeOther)
            let bad = try await app.post(
                "/campaigns/summer/areas/market/targets", ["targetType": "patrol", "targetAmount": "lots"], as: w.opcc)
            #expect(bad.status == .badRequest && bad.body.string.contains("Enter the planned amount as a number"))
            #expect(
                try await app.post(
                    "/campaigns/summer/areas/market/targets", ["targetType": "patrol", "targetAmount": "10"],
                    as: w.police
                ).status == .forbidden)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM plan_targets") == 0)
            for (area, amount) in [("market", "10"), ("riverside", "30")] {
                let r = try await app.post(
                    "/campaigns/summer/areas/\(area)/targets", ["targetType": "patrol", "targetAmount": amount],
                    as: w.opcc)
                #expect(r.status == .seeOther)
            }
            #expect(
                try await app.post(
                    "/campaigns/summer/areas/market/targets", ["targetType": "youth-session", "targetAmount": "40"],
                    as: w.opcc
                ).status == .seeOther)
            #expect(
                try await app.post(
                    "/campaigns/summer/areas/market/targets", ["targetType": "youth-session", "targetAmount": "0"],
                    as: w.opcc
                ).status == .seeOther)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM plan_targets") == 2, "0 removes a target")
            for (area, hours) in [("market", "4"), ("market", "8"), ("riverside", "3")] {
                let r = try await app.post(
                    "/activities",
                    [
                        "type": "patrol", "date": "2025-07-12", "hours": hours, "officers": "2",
                        "style": "high-visibility",
                        "area": area, "campaign": "summer", "visibility": "shared",
                    ], as: w.police)
                #expect(r.status == .seeOther)
            }
            let plan = try await app.get("/campaigns/summer/areas/market", as: w.police).body.string
            #expect(
                plan.contains(
                    "<td class=\"numeric\">10 hours</td><td class=\"numeric\">12 hours</td><td class=\"numeric\"><strong class=\"tag tag--done\">120%</strong>"
                ))
            let dashboard = try await app.get("/campaigns/summer/dashboard", as: w.opcc).body.string
            #expect(
                dashboard.contains(
                    "<td class=\"numeric\">40 hours</td><td class=\"numeric\">15 hours</td><td class=\"numeric\">38%</td>"
                ))
        }
    }

    @Test("a partner sees only campaigns their organisation is in, and changes only their own actions (404, no change)")
    func boundaries() async throws {
        try await withTestApp { app in
            let w = try await world(app)
            let store = CampaignStore(audit: AuditLog())
            let shared = try await store.create(
                CampaignDraft(name: "Shared", description: "", startsOn: "2025-07-01", endsOn: "2025-09-30"), by: nil,
                on: app.db)
            let other = try await store.create(
                CampaignDraft(name: "Police only", description: "", startsOn: "2025-07-01", endsOn: "2025-09-30"),
                by: nil, on: app.db)
            let market = try #require(try await AreaStore().find(slug: "market", on: app.db))
            for c in [shared, other] { try await store.addArea(market.id, to: c, by: nil, on: app.db) }
            try await store.addOrganisation(w.bidOrg, to: shared, by: nil, on: app.db)
            for c in [shared, other] { try await store.addOrganisation(w.policeOrg, to: c, by: nil, on: app.db) }
            for c in [shared, other] {
                let plan = try await store.plan(c, areaSlug: "market", on: app.db)
                try await store.addAction(
                    ActionDraft(
                        title: "Police patrols", ownerOrganisationID: w.policeOrg, leadName: "Insp",
                        dueOn: "2025-08-01", status: "not-started"),
                    to: plan, campaign: c, by: nil, on: app.db)
            }
            let sharedPlan = try await store.plan(shared, areaSlug: "market", on: app.db)
            try await store.addAction(
                ActionDraft(
                    title: "BID radio link", ownerOrganisationID: w.bidOrg, leadName: "Manager", dueOn: "2025-08-01",
                    status: "not-started"),
                to: sharedPlan, campaign: shared, by: nil, on: app.db)
            let ids = try await app.db.sql.raw("SELECT id, title, plan_id FROM plan_actions ORDER BY id").rows(
                IDRow.self)
            let policeShared = ids[0].id, policeOther = ids[1].id, bidAction = ids[2].id

            let list = try await app.get("/campaigns", as: w.bid)
            #expect(list.body.string.contains("Shared") && !list.body.string.contains("Police only"))
            #expect(try await app.get("/campaigns/police-only", as: w.bid).status == .notFound)
            #expect(try await app.get("/campaigns/police-only/areas/market", as: w.bid).status == .notFound)
            #expect(try await app.get("/campaigns/police-only/priorities.csv", as: w.bid).status == .notFound)
            #expect(try await app.get("/campaigns/shared/areas/market", as: w.bid).status == .ok)

            // Guessing ids: another organisation's action, in a campaign they can or cannot see.
            for id in [policeShared, policeOther, 99_999] {
                let r = try await app.post("/actions/\(id)/updates", ["status": "done", "note": "Not ours"], as: w.bid)
                #expect(r.status == .notFound, "action \(id)")
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM action_updates") == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM plan_actions WHERE status = 'done'") == 0)
            // Their own action.
            let mine = try await app.post(
                "/actions/\(bidAction)/updates", ["status": "in-progress", "note": "Radios ordered"], as: w.bid)
            #expect(mine.status == .seeOther)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM plan_actions WHERE id = \(bidAction) AND status = 'in-progress'") == 1)
            // A partner cannot change the plan itself.
            let edit = try await app.post(
                "/campaigns/shared/areas/market/plan", ["problemProfile": "mine now"], as: w.bid)
            #expect(edit.status == .forbidden)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM plans WHERE problem_profile = 'mine now'") == 0)
        }
    }

    struct IDRow: Decodable { var id: Int; var title: String; var planId: Int }

    @Test("overdue and due-soon: past due and not done; due within 14 days")
    func urgency() throws {
        let today = try #require(CalendarDay("2025-08-01"))
        #expect(ActionUrgency.of(due: CalendarDay("2025-07-31")!, status: .inProgress, today: today) == .overdue)
        #expect(ActionUrgency.of(due: CalendarDay("2025-07-31")!, status: .done, today: today) == .done)
        #expect(ActionUrgency.of(due: CalendarDay("2025-08-15")!, status: .notStarted, today: today) == .dueSoon)
        #expect(ActionUrgency.of(due: CalendarDay("2025-08-16")!, status: .notStarted, today: today) == .onTrack)
        #expect(CalendarDay("2025-02-30") == nil && CalendarDay("2024-02-29") != nil)
    }
}
