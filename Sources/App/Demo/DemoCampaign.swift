import Fluent
import Foundation
import SQLKit

/// The demo's Safer Norfolk summer campaign: eleven town-centre areas, the partners, a plan
/// for each area with actions owned by different partners, and progress updates. Made once;
/// re-running the demo leaves it alone.
enum DemoCampaign {
    static let name = "Safer Norfolk: Safer Streets Summer Initiative"

    static let slug = "safer-norfolk-safer-streets-summer-initiative"

    static func create(on db: any Database) async throws {
        let store = CampaignStore(audit: AuditLog())
        guard
            try await db.sql.raw("SELECT id FROM campaigns WHERE slug = \(bind: slug)").first(
                decodingColumn: "id", as: Int.self) == nil
        else { return }
        let campaign = try await store.create(
            CampaignDraft(
                name: name,
                description:
                    "Partners working together in the eleven town centres where ASB was highest, with visible patrols, ASB powers, outreach and youth work through the summer.",
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
        try await store.addLink(
            title: "Police and Crime Plan 2022–2026", url: "https://www.norfolk-pcc.gov.uk/", to: campaign, by: nil,
            on: db)
        let areas = try await AreaStore().list(on: db).filter { $0.name.hasSuffix("town centre") }
        for (k, area) in areas.enumerated() {
            try await store.addArea(area.id, to: campaign, by: nil, on: db)
            let plan = try await store.plan(campaign, areaSlug: area.slug, on: db)
            let town = area.name.replacingOccurrences(of: " town centre", with: "")
            try await store.updatePlan(
                plan,
                profile:
                    "ASB in \(town) town centre concentrates around the shopping streets and the evening economy, peaking in July and August. Most reports are rowdy and inconsiderate behaviour by groups of young people, street drinking and misuse of e-scooters.",
                priorities:
                    "Reduce ASB in the town centre by a quarter this summer without moving it to the streets around.",
                evidence: SiteURL.hotspots.with(query: "force=norfolk&area=\(area.slug)&cell=150"), by: nil, on: db)
            let district = districts[town] ?? county
            let actions: [(String, Int, String, String, ActionStatus)] = [
                (
                    "Fifteen-minute high-visibility patrols in the hot-spot cells, three times a day", police,
                    "Inspector for \(town)", "2025-07-07", .done
                ),
                (
                    "Review the public space protection order and its signage", district, "ASB lead officer",
                    "2025-07-31", k % 3 == 0 ? .inProgress : .done
                ),
                (
                    "Detached youth work on Friday and Saturday evenings", youth, "Senior youth worker", "2025-08-15",
                    k % 4 == 0 ? .blocked : .inProgress
                ),
                (
                    "Business watch briefing and radio link for shops", k == 0 ? bid : district, "Town centre manager",
                    "2025-09-30", .notStarted
                ),
            ]
            // What each plan means to deliver over the summer.
            let big = ["Norwich", "Great Yarmouth", "King's Lynn"].contains(town)
            for (type, amount) in [
                ("patrol", big ? "400" : "150"), ("youth-session", "250"), ("multi-agency-meeting", "6"),
            ] {
                try await store.setTarget(plan, type: type, amount: amount, by: nil, on: db)
            }
            try await activities(
                town: town, area: area, campaign: campaign, police: police, youth: youth, district: district, index: k,
                on: db)
            for (title, owner, lead, due, status) in actions {
                try await store.addAction(
                    ActionDraft(
                        title: title, ownerOrganisationID: owner, leadName: lead, dueOn: due, status: status.rawValue),
                    to: plan, campaign: campaign, by: nil, on: db)
            }
        }
        // The OPCC has published the result: the public page /open/campaigns/… exists.
        try await PublicationStore(audit: AuditLog()).set(campaign, published: true, by: nil, on: db)
    }

    /// A summer of deterministic activity records for one town centre: daily patrols (more
    /// in the bigger towns), weekly youth sessions, a PSPO, warnings and meetings.
    static func activities(
        town: String, area: AreaRecord, campaign: CampaignStore.Campaign, police: Int, youth: Int, district: Int,
        index: Int,
        on db: any Database
    ) async throws {
        let store = ActivityStore(audit: AuditLog())
        let areaMap = [area.slug: area.id], campaignMap = [campaign.slug: campaign.id]
        let today = CalendarDay(Date())
        let big = ["Norwich", "Great Yarmouth", "King's Lynn"].contains(town)
        var rng = UInt64(0x5AFE + index * 7919)
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        func check(_ d: ActivityDraft) -> ActivityDraft.Checked? {
            try? d.check(areas: areaMap, campaigns: campaignMap, today: today).get()
        }
        var policeRecords: [ActivityDraft.Checked] = [], youthRecords: [ActivityDraft.Checked] = [],
            districtRecords: [ActivityDraft.Checked] = []
        var day = CalendarDay("2025-07-01")!
        let end = CalendarDay("2025-09-30")!
        var n = 0
        while !(end < day) {
            for _ in 0..<(big ? 3 : 1) {
                policeRecords += [
                    check(
                        ActivityDraft(
                            type: "patrol", date: day.description, time: ["10:00", "15:30", "20:00"][next(3)],
                            area: area.slug, location: "",
                            campaign: campaign.slug, visibility: "shared",
                            fields: [
                                "hours": ["1", "1.5", "2"][next(3)], "officers": String(1 + next(3)),
                                "visits": String(2 + next(4)),
                                "style": next(10) < 8 ? "high-visibility" : "plain-clothes",
                            ]))
                ].compactMap { $0 }
            }
            if n % 7 == 4 {
                youthRecords += [
                    check(
                        ActivityDraft(
                            type: "youth-session", date: day.description, time: "18:30", area: area.slug,
                            campaign: campaign.slug,
                            visibility: "public", fields: ["attendance": String(8 + next(20))]))
                ].compactMap { $0 }
            }
            if n % 10 == 3 {
                policeRecords += [
                    check(
                        ActivityDraft(
                            type: next(2) == 0 ? "community-protection-warning" : "vehicle-warning",
                            date: day.description, area: area.slug,
                            campaign: campaign.slug, visibility: "private",
                            fields: [
                                "count": String(1 + next(3)), "warnings": String(1 + next(3)),
                                "vehicle": ["e-scooter", "e-bike", "car"][next(3)],
                            ]))
                ].compactMap { $0 }
            }
            if n % 14 == 0 {
                districtRecords += [
                    check(
                        ActivityDraft(
                            type: "multi-agency-meeting", date: day.description, area: area.slug,
                            campaign: campaign.slug, visibility: "shared",
                            fields: ["count": "1"]))
                ].compactMap { $0 }
            }
            day = CalendarDay(CalendarDay.calendar.date(byAdding: .day, value: 1, to: day.date)!)
            n += 1
        }
        if let pspo = check(
            ActivityDraft(
                type: "pspo", date: "2025-07-01", area: area.slug, location: "\(town) town centre",
                campaign: campaign.slug, visibility: "public",
                fields: [
                    "count": "1",
                    "prohibitions":
                        "No consumption of alcohol in public when asked to stop; no riding e-scooters on pavements",
                    "starts_on": "2023-01-01",
                    "expires_on": index % 4 == 0
                        ? CalendarDay(Date().addingTimeInterval(20 * 86_400)).description : "2026-12-31",
                ]))
        {
            districtRecords.append(pspo)
        }
        try await store.insert(
            policeRecords, organisationID: police, createdBy: nil, source: "demo", actor: nil, on: db)
        try await store.insert(youthRecords, organisationID: youth, createdBy: nil, source: "demo", actor: nil, on: db)
        try await store.insert(
            districtRecords, organisationID: district, createdBy: nil, source: "demo", actor: nil, on: db)
    }
}
