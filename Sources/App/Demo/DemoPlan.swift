import Analytics
import Fluent
import Foundation

/// The demo's Police and Crime Plan: Norfolk's three objectives and four priority themes
/// (from the PCC's published priorities), 24 measures — 17 computed from the demo's
/// police.uk data and activity ledger, 7 entered with plausible synthetic figures, among
/// them one whose last 7 months fall, one with a month beyond its limits and one shift —
/// and the summer campaign linked to the themes it serves.
enum DemoPlan {
    static let draft = PlanStore.Draft(
        title: "Norfolk Police and Crime Plan", startsOn: "2022-04-01", endsOn: "2026-03-31",
        introduction:
            "The Police and Crime Commissioner's objectives for tackling crime and disorder in Norfolk, the priority themes that deliver them, and the measures the Commissioner uses to hold the Chief Constable to account.",
        objectives: [
            .init(title: "Reduce priority crime, anti-social behaviour and reoffending"),
            .init(title: "Reduce vulnerability, promote equality and support victims"),
            .init(
                title:
                    "Reduce the need for service through preventative and restorative approaches and joined-up working with partners"
            ),
        ],
        themes: [
            .init(
                slug: "domestic-abuse-and-sexual-violence", title: "Domestic abuse and sexual violence",
                description:
                    "Improving and maintaining support for victims of domestic abuse and sexual violence, and reducing reoffending.",
                leadName: "Domestic Abuse and Sexual Violence Coordinator", objectives: [1, 2]),
            .init(
                slug: "mental-health-drugs-and-alcohol", title: "Mental health, drugs and alcohol",
                description:
                    "The right support when people need it, so they do not reach crisis; drug and alcohol awareness, rehabilitation and support.",
                leadName: "Head of Commissioning", objectives: [2, 3]),
            .init(
                slug: "rehabilitation-of-offenders", title: "Rehabilitation of offenders",
                description:
                    "Stopping the revolving door: housing, jobs, health and an integrated programme for women, with the Norfolk Rehabilitation Board.",
                leadName: "Rehabilitation Coordinator", objectives: [1, 3]),
            .init(
                slug: "supporting-victims-and-witnesses", title: "Supporting victims and witnesses",
                description:
                    "Helping victims cope and recover, and supporting them through the criminal justice system, under the Victims' Code.",
                leadName: "Victims Lead, OPCC", objectives: [2]),
            .init(
                slug: "safer-neighbourhoods", title: "Safer neighbourhoods",
                description: "Priority crime and anti-social behaviour in the places that suffer most.",
                leadName: "Head of Performance, OPCC", objectives: [1, 3]),
        ])

    static let baseline = (first: 202_210, last: 202_309)

    static func crimes(
        _ slug: String, _ name: String, _ categories: [String], geography: MeasureGeography = .force,
        id: String = "norfolk", perThousand: Bool = false, target: Double? = nil, themes: [String],
        definition: String
    ) -> MeasureDraft {
        MeasureDraft(
            slug: slug, name: name, definition: definition, unit: perThousand ? "per 1,000 residents" : "",
            frequency: .monthly, direction: .down, owner: "Norfolk Constabulary", source: .crimes,
            categories: categories, geography: geography, geographyID: id, perThousand: perThousand,
            baselineFirst: baseline.first, baselineLast: baseline.last,
            targetKind: target == nil ? .none : .percent, targetValue: target, targetBy: target == nil ? nil : 202_603,
            themes: themes)
    }

    static let measures: [MeasureDraft] = [
        crimes(
            "asb", "Anti-social behaviour", ["anti-social-behaviour"], target: -10, themes: ["safer-neighbourhoods"],
            definition: "Incidents of anti-social behaviour reported to Norfolk Constabulary (police.uk)."),
        crimes(
            "neighbourhood-crime", "Neighbourhood crime",
            ["burglary", "robbery", "theft-from-the-person", "vehicle-crime"], target: -10,
            themes: ["safer-neighbourhoods"],
            definition:
                "Burglary, robbery, theft from the person and vehicle crime: the Home Office's neighbourhood crime."),
        crimes(
            "violence-and-sexual-offences", "Violence and sexual offences", ["violent-crime"],
            themes: ["domestic-abuse-and-sexual-violence", "supporting-victims-and-witnesses"],
            definition: "Violence and sexual offences recorded (police.uk category)."),
        crimes(
            "drugs", "Drug offences", ["drugs"], themes: ["mental-health-drugs-and-alcohol"],
            definition: "Drug offences recorded: more often reflects proactive policing than prevalence."),
        crimes(
            "possession-of-weapons", "Possession of weapons", ["possession-of-weapons"],
            themes: ["safer-neighbourhoods"], definition: "Possession of weapons offences recorded."),
        crimes(
            "burglary", "Burglary", ["burglary"], themes: ["safer-neighbourhoods"],
            definition: "Residential and business burglary."),
        crimes(
            "vehicle-crime", "Vehicle crime", ["vehicle-crime"], themes: ["safer-neighbourhoods"],
            definition: "Theft of and from vehicles, and interference."),
        crimes(
            "shoplifting", "Shoplifting", ["shoplifting"], themes: ["rehabilitation-of-offenders"],
            definition: "Shoplifting recorded; a large share is committed by repeat offenders with drug needs."),
        crimes(
            "criminal-damage-arson", "Criminal damage and arson", ["criminal-damage-arson"],
            themes: ["safer-neighbourhoods"], definition: "Criminal damage and arson recorded."),
        crimes(
            "public-order", "Public order offences", ["public-order"], themes: ["safer-neighbourhoods"],
            definition: "Public order offences recorded."),
        crimes(
            "all-crime-rate", "All crime per 1,000 residents", ["all-crime"], perThousand: true,
            themes: ["safer-neighbourhoods"],
            definition: "Every crime recorded (not ASB) per 1,000 residents (ONS mid-year estimates)."),
        crimes(
            "asb-norwich", "ASB in Norwich", ["anti-social-behaviour"], geography: .localAuthority, id: "E07000148",
            target: -15, themes: ["safer-neighbourhoods"],
            definition: "Anti-social behaviour in Norwich local authority."),
        crimes(
            "asb-great-yarmouth", "ASB in Great Yarmouth", ["anti-social-behaviour"], geography: .localAuthority,
            id: "E07000145", themes: ["safer-neighbourhoods"],
            definition: "Anti-social behaviour in Great Yarmouth local authority."),
        crimes(
            "asb-kings-lynn", "ASB in King's Lynn and West Norfolk", ["anti-social-behaviour"],
            geography: .localAuthority, id: "E07000146", themes: ["safer-neighbourhoods"],
            definition: "Anti-social behaviour in King's Lynn and West Norfolk local authority."),
        crimes(
            "asb-rate-norwich", "ASB per 1,000 residents, Norwich", ["anti-social-behaviour"],
            geography: .localAuthority, id: "E07000148", perThousand: true, themes: ["safer-neighbourhoods"],
            definition: "Anti-social behaviour in Norwich per 1,000 residents."),
        MeasureDraft(
            slug: "stop-search-find-rate", name: "Stop and search find rate",
            definition:
                "The share of searches whose outcome was linked to the object searched for (police.uk stop and search data).",
            unit: "% of searches", frequency: .monthly, direction: .up, owner: "Norfolk Constabulary",
            source: .stopSearchFindRate, geography: .force, geographyID: "norfolk",
            baselineFirst: baseline.first, baselineLast: baseline.last, targetKind: .value, targetValue: 35,
            targetBy: 202_603, themes: ["safer-neighbourhoods"]),
        MeasureDraft(
            slug: "charge-summons-share", name: "Crimes with a charge or summons",
            definition:
                "The share of crimes recorded in the month whose outcomes (police.uk outcomes files) include a charge or summons.",
            unit: "% of crimes", frequency: .monthly, direction: .up, owner: "Norfolk Constabulary",
            source: .chargeSummonsShare, geography: .force, geographyID: "norfolk",
            baselineFirst: baseline.first, baselineLast: baseline.last,
            themes: ["supporting-victims-and-witnesses", "rehabilitation-of-offenders"]),
        MeasureDraft(
            slug: "patrol-hours", name: "Partnership patrol hours",
            definition: "Hours of visible patrol recorded by every partner in the activity ledger.",
            unit: "hours", frequency: .monthly, direction: .neutral, owner: "OPCC", source: .activity,
            activityType: "patrol", themes: ["safer-neighbourhoods"]),
        entered(
            "calls-999-within-10s", "999 calls answered within 10 seconds", unit: "% of calls", direction: .up,
            owner: "Norfolk Constabulary contact centre", target: 90, targetKind: .value,
            themes: ["supporting-victims-and-witnesses"],
            definition: "The share of 999 calls answered within 10 seconds (the national standard is 90%)."),
        entered(
            "victim-satisfaction", "Victim satisfaction", unit: "% satisfied", direction: .up, frequency: .quarterly,
            owner: "Norfolk Constabulary", target: 80, targetKind: .value,
            themes: ["supporting-victims-and-witnesses", "domestic-abuse-and-sexual-violence"],
            definition: "Victims satisfied with the whole experience (force victim survey), by quarter."),
        entered(
            "proven-reoffending", "Proven reoffending rate", unit: "% reoffending", direction: .down,
            frequency: .quarterly, owner: "Norfolk Rehabilitation Board",
            themes: ["rehabilitation-of-offenders"],
            definition: "Adults released or cautioned who reoffend within a year (Ministry of Justice), by quarter."),
        entered(
            "mental-health-incidents", "Mental health related incidents", direction: .down,
            owner: "Norfolk Constabulary", target: -10, targetKind: .percent,
            themes: ["mental-health-drugs-and-alcohol"],
            definition: "Incidents flagged as mental health related in the force's command and control system."),
        entered(
            "section-136", "Section 136 detentions", direction: .down, owner: "Norfolk Constabulary",
            themes: ["mental-health-drugs-and-alcohol"],
            definition: "Detentions under section 136 of the Mental Health Act 1983."),
        entered(
            "domestic-abuse-repeat-victims", "Repeat victims of domestic abuse", unit: "% of victims",
            direction: .down, owner: "Norfolk Constabulary", themes: ["domestic-abuse-and-sexual-violence"],
            definition: "Domestic abuse victims with another incident in the previous 12 months."),
        entered(
            "rj-referrals", "Restorative justice referrals", direction: .up, owner: "Restorative justice service",
            themes: ["supporting-victims-and-witnesses"],
            definition: "Referrals to the restorative justice service."),
    ]

    static func entered(
        _ slug: String, _ name: String, unit: String = "", direction: SPC.Direction,
        frequency: MeasureFrequency = .monthly, owner: String, target: Double? = nil,
        targetKind: MeasureTargetKind = .none, themes: [String], definition: String
    ) -> MeasureDraft {
        MeasureDraft(
            slug: slug, name: name, definition: definition, unit: unit, frequency: frequency, direction: direction,
            owner: owner, source: .entered, baselineFirst: baseline.first, baselineLast: baseline.last,
            targetKind: target == nil ? .none : targetKind, targetValue: target,
            targetBy: target == nil ? nil : 202_603, themes: themes)
    }

    /// Synthetic figures for the entered measures, 36 months (12 quarters) to 2025-09,
    /// deterministic. `mental-health-incidents` falls for its last 7 months (a trend);
    /// `section-136` has one month beyond its upper limit; `domestic-abuse-repeat-victims`
    /// shifts below its mean for the last 8 months.
    static func enteredValues() -> [(slug: String, period: Int, value: Double)] {
        var rng = SplitMix64(seed: 2022)
        func noise(_ scale: Double) -> Double { (Double(rng.next() % 10_000) / 10_000 - 0.5) * 2 * scale }
        let months = (0..<36).map { NorfolkDemo.month($0) }
        let quarters = months.filter { ($0 % 100 - 1) % 3 == 0 }
        var out: [(String, Int, Double)] = []
        for (k, m) in months.enumerated() {
            out.append(("calls-999-within-10s", m, (86 + noise(3)).rounded(to: 1)))
            // A falling run at the end: each of the last 7 months below the one before.
            let mh = k < 29 ? 1_450 + noise(80) : 1_430 - Double(k - 28) * 45
            out.append(("mental-health-incidents", m, mh.rounded()))
            out.append(("section-136", m, (k == 33 ? 78 : 42 + noise(6)).rounded()))
            out.append(("domestic-abuse-repeat-victims", m, ((k >= 28 ? 27.5 : 31) + noise(1.2)).rounded(to: 1)))
            out.append(("rj-referrals", m, (38 + Double(k) * 0.4 + noise(7)).rounded()))
        }
        for (k, q) in quarters.enumerated() {
            out.append(("victim-satisfaction", q, (74 + noise(2.5)).rounded(to: 1)))
            out.append(("proven-reoffending", q, (25.5 - Double(k) * 0.15 + noise(0.8)).rounded(to: 1)))
        }
        return out
    }

    /// Writes the plan, the measures and their figures, links the demo campaign to its
    /// themes, and computes the computed measures. Safe to repeat.
    static func create(on db: any Database) async throws {
        let plans = PlanStore(audit: AuditLog())
        let store = MeasureStore(audit: AuditLog())
        if try await plans.current(on: db) == nil { try await plans.publish(draft, by: nil, on: db) }
        struct Category: Decodable { var slug: String }
        let known = Set(try await db.sql.raw("SELECT slug FROM crime_categories").rows(Category.self).map(\.slug))
        var bySlug: [String: Measure] = [:]
        for d in measures { bySlug[d.slug] = try await store.save(d, knownCategories: known, by: nil, on: db) }
        let values = enteredValues().compactMap { v in
            bySlug[v.slug].map {
                EnteredValue(measure: $0, period: v.period, value: v.value, source: "Demo (synthetic)")
            }
        }
        try await store.enter(values, by: nil, origin: "demo", on: db)
        if let campaign = try await CampaignStore(audit: AuditLog()).lookup(slug: DemoCampaign.slug, on: db) {
            for theme in ["safer-neighbourhoods", "mental-health-drugs-and-alcohol"] {
                try await plans.link(campaignID: campaign.id, theme: theme, by: nil, on: db)
            }
        }
        try await PlanService(plans: plans, measures: store).refresh(on: db)
    }

    /// Publishes the scorecard on `/open/plan` and the latest quarter's statement of the
    /// national measures (the force's own figures synthetic, and said to be), once.
    static func publish(on db: any Database, threshold: Int) async throws {
        let publications = PlanPublicationStore(audit: AuditLog())
        let service = PlanService(plans: PlanStore(audit: AuditLog()), measures: MeasureStore(audit: AuditLog()))
        if try await publications.latest(kind: .scorecard, on: db) == nil {
            try await PlanPublisher(
                suppression: Suppression(threshold: threshold), service: service, publications: publications
            ).publish(by: nil, on: db)
        }
        let drafter = NationalStatementDraft()
        guard let quarter = try await drafter.latestQuarter(on: db),
            try await publications.latest(kind: .national, period: String(quarter), on: db) == nil
        else { return }
        var statement = try await drafter.generate(
            quarter: quarter, force: "norfolk", readings: try await service.scorecard(on: db).readings, on: db)
        statement.introduction =
            "The Commissioner's statement for the quarter. Figures from police.uk are computed by SaferStreets; the force's own figures in this demo are synthetic."
        let synthetic: [NationalPriority: String] = [
            .homicide: "2 homicides in the quarter; 7 in the 12 months to its end (demo figures).",
            .seriousViolence: "41 hospital admissions for assault with a sharp object in the 12 months (demo figure).",
            .drugSupply: "6 county lines closed in the quarter; 14 drug trafficking charges (demo figures).",
            .cyberCrime:
                "312 Action Fraud referrals disseminated to the force; 38 with a positive outcome (demo figures).",
            .victimSatisfaction:
                "74% of victims satisfied overall; 81% of domestic abuse victims (demo survey figures).",
        ]
        for k in statement.entries.indices where statement.entries[k].figure.isEmpty {
            statement.entries[k].figure = synthetic[statement.entries[k].priority] ?? "Not available this quarter."
        }
        for k in statement.entries.indices {
            statement.entries[k].comment = "The OPCC reviews this priority at the Police Accountability Forum."
        }
        let json = String(decoding: try JSONEncoder().encode(statement), as: UTF8.self)
        try await publications.saveDraft(quarter: quarter, fields: json, by: nil, on: db)
        try await publications.publish(
            .national, period: String(quarter), title: "National crime and policing measures, \(statement.label)",
            content: json, by: nil, on: db)
    }
}
