import Fluent
import Foundation
import SQLKit

/// The demo's Safer Norfolk summer campaign: eleven town-centre areas, the partners, a plan
/// for each area with actions owned by different partners, and progress updates. Made once;
/// re-running the demo leaves it alone.
enum DemoCampaign {
    static let name = "Safer Norfolk: Safer Streets Summer Initiative"

    static func create(on db: any Database) async throws {
        let store = CampaignStore(audit: AuditLog())
        let slug = "safer-norfolk-safer-streets-summer-initiative"
        guard try await db.sql.raw("SELECT id FROM campaigns WHERE slug = \(bind: slug)").first(decodingColumn: "id", as: Int.self) == nil else { return }
        let campaign = try await store.create(
            CampaignDraft(
                name: name,
                description: "Partners working together in the eleven town centres where ASB was highest, with visible patrols, ASB powers, outreach and youth work through the summer.",
                startsOn: "2025-07-01", endsOn: "2025-09-30"),
            by: nil, on: db)
        let orgs = try await store.allOrganisations(on: db)
        for o in orgs { try await store.addOrganisation(o.id, to: campaign, by: nil, on: db) }
        let byName = Dictionary(uniqueKeysWithValues: orgs.map { ($0.name, $0.id) })
        let police = byName["Norfolk Constabulary"]!
        let county = byName["Norfolk County Council"]!
        let youth = byName["Norfolk Youth Service"]!
        let bid = byName["Norwich Business Improvement District"]!
        let districts: [String: Int] = [
            "Norwich": byName["Norwich City Council"]!, "Great Yarmouth": byName["Great Yarmouth Borough Council"]!,
            "Gorleston-on-Sea": byName["Great Yarmouth Borough Council"]!,
            "King's Lynn": byName["King's Lynn and West Norfolk Borough Council"]!,
            "Downham Market": byName["King's Lynn and West Norfolk Borough Council"]!,
        ]
        try await store.addLink(title: "Police and Crime Plan 2022–2026", url: "https://www.norfolk-pcc.gov.uk/", to: campaign, by: nil, on: db)
        let areas = try await AreaStore().list(on: db).filter { $0.name.hasSuffix("town centre") }
        for (k, area) in areas.enumerated() {
            try await store.addArea(area.id, to: campaign, by: nil, on: db)
            let plan = try await store.plan(campaign, areaSlug: area.slug, on: db)
            let town = area.name.replacingOccurrences(of: " town centre", with: "")
            try await store.updatePlan(
                plan,
                profile: "ASB in \(town) town centre concentrates around the shopping streets and the evening economy, peaking in July and August. Most reports are rowdy and inconsiderate behaviour by groups of young people, street drinking and misuse of e-scooters.",
                priorities: "Reduce ASB in the town centre by a quarter this summer without moving it to the streets around.",
                evidence: "/hotspots?force=norfolk&area=\(area.slug)&cell=150", by: nil, on: db)
            let district = districts[town] ?? county
            let actions: [(String, Int, String, String, ActionStatus)] = [
                ("Fifteen-minute high-visibility patrols in the hot-spot cells, three times a day", police, "Inspector for \(town)", "2025-07-07", .done),
                ("Review the public space protection order and its signage", district, "ASB lead officer", "2025-07-31", k % 3 == 0 ? .inProgress : .done),
                ("Detached youth work on Friday and Saturday evenings", youth, "Senior youth worker", "2025-08-15", k % 4 == 0 ? .blocked : .inProgress),
                ("Business watch briefing and radio link for shops", k == 0 ? bid : district, "Town centre manager", "2025-09-30", .notStarted),
            ]
            for (title, owner, lead, due, status) in actions {
                try await store.addAction(
                    ActionDraft(title: title, ownerOrganisationID: owner, leadName: lead, dueOn: due, status: status.rawValue),
                    to: plan, campaign: campaign, by: nil, on: db)
            }
        }
    }
}
