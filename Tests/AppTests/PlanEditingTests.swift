@testable import App
import Analytics
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

/// Editing the plan in the browser's forms, on PlanTests' small world: a new version of the
/// plan (the old one kept), a measure defined and changed (computed at once), a rebase, a
/// campaign linked to a theme; bad input names the field and changes nothing.
@Suite("editing the plan: versions, measures, rebases, campaigns serving a theme")
struct PlanEditingTests {
    @Test("the edit form's fields read back as the plan they were made from")
    func formRoundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let back = PlanController.draft(from: PlanController.formFields(DemoPlan.draft))
        #expect(try encoder.encode(back) == encoder.encode(DemoPlan.draft))
    }

    @Test("an OPCC admin saves a new version of the plan; a bad one changes nothing; staff cannot")
    func planVersions() async throws {
        try await withTestApp { app in
            try await PlanTests().world(app)
            try await app.makeUser("admin@opcc.example", role: .opccAdmin)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let admin = try await app.signIn("admin@opcc.example")
            let analyst = try await app.signIn("analyst@opcc.example")
            let form = try await app.get("/plan/edit", as: admin)
            #expect(form.status == .ok && form.body.string.contains("Norfolk Police and Crime Plan"))
            #expect(try await app.get("/plan/edit", as: analyst).status == .forbidden)
            var fields = PlanController.formFields(DemoPlan.draft)
            fields["objective-3-title"] = ""  // drop the third objective …
            fields["theme-6-title"] = "Rural crime"  // … and add a theme serving the first
            fields["theme-6-objective-1"] = "on"
            let saved = try await app.post("/plan/edit", fields, as: admin)
            #expect(saved.status == .seeOther)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pcc_plans") == 2, "the first version is kept")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pcc_plans WHERE superseded_at IS NULL") == 1)
            let plan = try await app.get("/plan", as: admin).body.string
            #expect(plan.contains("Rural crime") && plan.contains("Version 2"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pcc_themes WHERE slug = 'rural-crime'") == 1)
            fields["endsOn"] = "2020-01-01"
            let refused = try await app.post("/plan/edit", fields, as: admin)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Give the plan&#39;s first and last days"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pcc_plans") == 2)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'plan'") == 2)
        }
    }

    @Test("a measure defined in the form is computed at once; a bad month is named; a rebase shows its reason")
    func measures() async throws {
        try await withTestApp { app in
            try await PlanTests().world(app)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let analyst = try await app.signIn("analyst@opcc.example")
            #expect(try await app.get("/plan/measures/new", as: analyst).status == .ok)
            var form = [
                "name": "Shoplifting", "source": "crimes", "categories[]": "shoplifting", "geography": "force",
                "geographyID": "norfolk", "frequency": "monthly", "direction": "down", "baselineFirst": "March",
                "themes[]": "safer-neighbourhoods",
            ]
            let refused = try await app.post("/plan/measures", form, as: analyst)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Give the month as YYYY-MM"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM measures WHERE slug = 'shoplifting'") == 0)
            form["baselineFirst"] = "2023-06"
            form["baselineLast"] = "2024-05"
            let saved = try await app.post("/plan/measures", form, as: analyst)
            #expect(saved.status == .seeOther && saved.headers.first(name: .location) == "/plan/measures/shoplifting")
            // Four shoplifting crimes a month in the world: computed on saving.
            let values = try await PlanTests().values(app, "shoplifting")
            #expect(values.count == 14 && values.values.allSatisfy { $0 == 4 })
            let edit = try await app.get("/plan/measures/shoplifting/edit", as: analyst).body.string
            #expect(edit.contains("value=\"2023-06\"") && edit.contains("name=\"slug\" value=\"shoplifting\""))
            form["targetKind"] = "percent"
            form["targetValue"] = "-10"
            form["targetBy"] = "2025-03"
            form["slug"] = "shoplifting"
            #expect(try await app.post("/plan/measures", form, as: analyst).status == .seeOther)
            #expect(
                try await app.get("/plan/measures/shoplifting", as: analyst).body.string.contains(
                    "−10% on the baseline"))
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'measure' AND entity_id = 'shoplifting'") == 2)

            let bad = try await app.post(
                "/plan/measures/shoplifting/rebases", ["period": "soon", "reason": ""], as: analyst)
            #expect(bad.status == .unprocessableEntity)
            let rebase = try await app.post(
                "/plan/measures/shoplifting/rebases", ["period": "2024-01", "reason": "New recording rules"],
                as: analyst)
            #expect(rebase.status == .seeOther)
            let page = try await app.get("/plan/measures/shoplifting", as: analyst).body.string
            #expect(page.contains("Rebased") && page.contains("New recording rules"))
        }
    }

    @Test("a campaign is linked to the theme it serves from the theme's page; the grant funds serving it are listed")
    func campaignServesTheme() async throws {
        try await withTestApp { app in
            try await PlanTests().world(app)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let analyst = try await app.signIn("analyst@opcc.example")
            try await CampaignStore(audit: AuditLog()).create(
                CampaignDraft(name: "Summer nights", description: "", startsOn: "2024-06-01", endsOn: "2024-08-31"),
                by: nil, on: app.db)
            let before = try await app.get("/plan/themes/safer-neighbourhoods", as: analyst).body.string
            #expect(before.contains("No campaign serves this theme yet") && before.contains("theme-campaign-form"))
            let res = try await app.post(
                "/plan/themes/safer-neighbourhoods/campaigns", ["campaign": "summer-nights"], as: analyst)
            #expect(res.status == .seeOther)
            let after = try await app.get("/plan/themes/safer-neighbourhoods", as: analyst).body.string
            #expect(after.contains("Summer nights") && after.contains("(campaign)"))
            // A grant fund serving the theme is listed with it.
            try await GrantStore(audit: AuditLog()).createFund(
                .init(
                    name: "Safer nights fund", slug: "safer-nights-fund", themes: ["safer-neighbourhoods"],
                    budget: "50,000"),
                themes: ["safer-neighbourhoods"], by: nil, on: app.db)
            let withFund = try await app.get("/plan/themes/safer-neighbourhoods", as: analyst).body.string
            #expect(
                withFund.contains("Safer nights fund: 0 grants, £0")
                    && withFund.contains("/grants/funds/safer-nights-fund"))
            #expect(
                try await app.post("/plan/themes/no-theme/campaigns", ["campaign": "summer-nights"], as: analyst).status
                    == .notFound)
        }
    }
}
