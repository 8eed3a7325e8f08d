import Fluent
import Foundation
import SQLKit

/// The demo's boards: the Commissioner's accountability forum (two past meetings with
/// questions, written answers, decisions and actions, one of them published; one
/// upcoming) and the two partnership boards the plan names, the Norfolk Rehabilitation
/// Board and the domestic abuse and sexual violence partnership, each with members, two
/// meetings and an action plan. Dates are set from today so that some actions are overdue.
/// Safe to repeat: a board that exists is left as it is.
enum DemoBoards {
    static let accountabilitySlug = "accountability-forum"
    static let rehabilitationSlug = "norfolk-rehabilitation-board"
    static let domesticAbuseSlug = "domestic-abuse-and-sexual-violence-partnership"

    static func day(_ offset: Int, from today: Date = Date()) -> String {
        CalendarDay(today.addingTimeInterval(Double(offset) * 86_400)).description
    }

    static func create(on db: any Database) async throws {
        let store = BoardStore(audit: AuditLog())
        struct Org: Decodable { var id: Int; var name: String }
        let orgs = try await db.sql.raw("SELECT id, name FROM organisations").rows(Org.self)
        func org(_ name: String) -> Int? { orgs.first { $0.name == name }?.id }
        struct UserRow: Decodable { var id: Int; var organisationId: Int }
        guard let chief = org("Office of the Chief Constable, Norfolk Constabulary"),
            let staffOfficer = try await db.sql.raw(
                "SELECT id, organisation_id FROM users WHERE email = 'staff-officer@chiefconstable.demo'"
            ).row(UserRow.self)
        else { return }
        let answerer = CurrentUser(
            id: staffOfficer.id, name: "", email: "", role: .partnerUser, organisationID: staffOfficer.organisationId,
            organisationName: "", csrfToken: "", sessionHash: "")
        let measures = Set(try await MeasureStore(audit: AuditLog()).all(on: db).map(\.slug))
        let themes = Set(DemoPlan.draft.themes.map(\.slug))

        // The accountability forum.
        if try await store.board(slug: accountabilitySlug, on: db) == nil {
            let b = try await store.create(
                .init(
                    name: "Police Accountability Forum", slug: accountabilitySlug,
                    kind: BoardKind.accountability.rawValue,
                    purpose:
                        "The Commissioner holds the Chief Constable to account for the delivery of the Police and Crime Plan and the efficiency and effectiveness of Norfolk Constabulary. Public meetings each quarter; private performance meetings between them.",
                    chair: "Police and Crime Commissioner for Norfolk", answeringOrganisationID: chief),
                members: [], by: nil, on: db)
            let members: Set<Int> = [chief]
            func items(_ m: Int) async throws -> [BoardStore.AgendaItem] {
                guard let meeting = try await store.meeting(id: m, of: b, on: db) else { return [] }
                return try await store.items(of: meeting, on: db)
            }
            // A public meeting twelve weeks ago: minutes published.
            let first = try await store.schedule(
                .init(
                    heldOn: day(-84), startsAt: "10:00", kind: MeetingKind.publicMeeting.rawValue,
                    location: "County Hall, Norwich, and online",
                    attendees:
                        "Police and Crime Commissioner (chair); Chief Constable; Deputy Chief Constable; OPCC Chief Executive; OPCC Chief Finance Officer"
                ), of: b, by: nil, on: db)
            guard var m1 = try await store.meeting(id: first, of: b, on: db) else { return }
            try await store.addItem(
                .init(
                    title: "Police and Crime Plan performance",
                    summary:
                        "The quarter's scorecard: neighbourhood crime, anti-social behaviour, 999 call handling and victim satisfaction.",
                    measures: ["neighbourhood-crime", "asb", "calls-999-within-10s", "victim-satisfaction"]
                        .filter(measures.contains), themes: ["safer-neighbourhoods"].filter(themes.contains)),
                to: m1, measures: measures, themes: themes, by: nil, on: db)
            try await store.addItem(
                .init(
                    title: "Domestic abuse: repeat victims",
                    summary: "The force's review of repeat victimisation and the response to high-risk cases.",
                    measures: ["domestic-abuse-repeat-victims"].filter(measures.contains),
                    themes: ["domestic-abuse-and-sexual-violence"].filter(themes.contains)),
                to: m1, measures: measures, themes: themes, by: nil, on: db)
            try await store.addItem(
                .init(
                    title: "Professional standards: a misconduct investigation", summary: "Progress of one case.",
                    restricted: true,
                    exemption:
                        "Personal information about an identifiable officer (Freedom of Information Act 2000, section 40)"
                ),
                to: m1, measures: measures, themes: themes, by: nil, on: db)
            let i1 = try await items(first)
            let q1 = try await store.ask(
                .init(
                    askedBy: QuestionAsker.pcc.rawValue,
                    question:
                        "Fewer 999 calls were answered within 10 seconds over the summer. What caused it, and what is the recovery plan?",
                    addressedTo: chief, itemID: i1.first?.id), in: m1, members: members, items: Set(i1.map(\.id)),
                by: nil, on: db)
            let q2 = try await store.ask(
                .init(
                    askedBy: QuestionAsker.member.rawValue, asker: "Resident of Great Yarmouth",
                    question:
                        "What is being done about anti-social behaviour in Great Yarmouth town centre in the evenings?",
                    addressedTo: chief, itemID: i1.first?.id), in: m1, members: members, items: Set(i1.map(\.id)),
                by: nil, on: db)
            let q3 = try await store.ask(
                .init(
                    askedBy: QuestionAsker.pcc.rawValue,
                    question: "Will the investigation be concluded by the end of March?",
                    addressedTo: chief, itemID: i1.last?.id), in: m1, members: members, items: Set(i1.map(\.id)),
                by: nil, on: db)
            let answers = [
                q1:
                    "Summer demand rose 11% on last year while two call-handler cohorts were still in training. Both cohorts are now answering calls; overtime covers Friday and Saturday evenings; the target is back above 90% by the end of the next quarter.",
                q2:
                    "The town centre is one of the Safer Norfolk hot spots. Neighbourhood officers and the council's wardens patrol Thursday to Saturday evenings, and a dispersal order was used twice in August.",
                q3: "The investigation is on course to conclude in February.",
            ]
            for (id, text) in answers {
                if let q = try await store.question(id: id, on: db) {
                    try await store.answer(q, with: text, by: answerer, on: db)
                }
            }
            try await store.decide(
                "The Commissioner accepted the force's 999 recovery plan and will review it at the next public meeting.",
                itemID: i1.first?.id, in: m1, items: Set(i1.map(\.id)), by: nil, on: db)
            let done = try await store.addAction(
                .init(
                    title: "Report on 999 call handling recovery", ownerOrganisationID: chief,
                    leadName: "Head of Contact and Control Room", dueOn: day(-40), meetingID: first,
                    itemID: i1.first?.id), to: b, members: members, by: nil, on: db)
            _ = try await store.addAction(
                .init(
                    title: "Publish the review of repeat domestic abuse victimisation", ownerOrganisationID: chief,
                    leadName: "Head of Safeguarding", dueOn: day(-6), meetingID: first, itemID: i1.dropFirst().first?.id
                ),
                to: b, members: members, by: nil, on: db)
            _ = try await store.addAction(
                .init(
                    title: "Confirm the misconduct hearing date", ownerOrganisationID: chief,
                    leadName: "Head of Professional Standards", dueOn: day(20), meetingID: first, itemID: i1.last?.id),
                to: b, members: members, by: nil, on: db)
            if let a = try await store.action(id: done, on: db) {
                try await store.addUpdate(
                    to: a, status: ActionStatus.done.rawValue,
                    note: "Recovery report sent to the OPCC; 999 answering back to 89% in the latest month.",
                    by: answerer, on: db)
            }
            try await store.saveMinutes(
                """
                1. Police and Crime Plan performance. The Chief Constable presented the scorecard. Neighbourhood crime continues to fall; anti-social behaviour is within its usual range. 999 call handling fell below target over the summer: the Commissioner asked for the recovery plan (question 1) and accepted it.
                2. Domestic abuse: repeat victims. The Deputy Chief Constable described the review of repeat victimisation; it will be published (action).
                3. A restricted item was taken in private.
                Questions from the public: one question was received in advance and answered in writing.
                """, of: m1, by: nil, on: db)
            m1 = try await store.meeting(id: first, of: b, on: db) ?? m1
            try await store.setPublished(true, m1, by: nil, on: db)

            // A private performance meeting four weeks ago: a question still open.
            let second = try await store.schedule(
                .init(
                    heldOn: day(-28), startsAt: "14:00", kind: MeetingKind.privateMeeting.rawValue,
                    location: "OPCC offices, Wymondham",
                    attendees: "Police and Crime Commissioner; Chief Constable; OPCC Chief Executive"), of: b, by: nil,
                on: db)
            if let m2 = try await store.meeting(id: second, of: b, on: db) {
                try await store.addItem(
                    .init(
                        title: "Stop and search: find rate",
                        summary:
                            "The share of searches that find what was searched for, and the scrutiny panel's review.",
                        measures: ["stop-search-find-rate"].filter(measures.contains)),
                    to: m2, measures: measures, themes: themes, by: nil, on: db)
                try await store.addItem(
                    .init(
                        title: "Mental health demand",
                        summary: "Section 136 detentions and mental health related incidents.",
                        measures: ["section-136", "mental-health-incidents"].filter(measures.contains),
                        themes: ["mental-health-drugs-and-alcohol"].filter(themes.contains)),
                    to: m2, measures: measures, themes: themes, by: nil, on: db)
                let i2 = try await store.items(of: m2, on: db)
                try await store.ask(
                    .init(
                        askedBy: QuestionAsker.pcc.rawValue,
                        question:
                            "Section 136 detentions spiked in one month this year. Was it one cause, and what has the force agreed with the NHS since?",
                        addressedTo: chief, itemID: i2.last?.id), in: m2, members: members, items: Set(i2.map(\.id)),
                    by: nil, on: db)
                try await store.saveMinutes(
                    "Stop and search: the find rate is stable. Mental health demand: the Commissioner asked about the spike in section 136 detentions; a written answer is awaited.",
                    of: m2, by: nil, on: db)
            }
            // The next public meeting.
            let third = try await store.schedule(
                .init(
                    heldOn: day(21), startsAt: "10:00", kind: MeetingKind.publicMeeting.rawValue,
                    location: "County Hall, Norwich, and online",
                    attendees: "Police and Crime Commissioner (chair); Chief Constable; OPCC Chief Executive"), of: b,
                by: nil, on: db)
            if let m3 = try await store.meeting(id: third, of: b, on: db) {
                try await store.addItem(
                    .init(
                        title: "Quarterly performance: the national crime and policing measures",
                        summary: "The force's contribution to the national priorities, and the plan's scorecard.",
                        measures: [
                            "neighbourhood-crime", "violence-and-sexual-offences", "drugs", "calls-999-within-10s",
                        ]
                        .filter(measures.contains)),
                    to: m3, measures: measures, themes: themes, by: nil, on: db)
            }
        }

        try await partnership(
            store: store, slug: rehabilitationSlug, name: "Norfolk Rehabilitation Board",
            theme: "rehabilitation-of-offenders", chair: "Assistant Police and Crime Commissioner",
            purpose:
                "Brings together the agencies that help people leaving prison: accommodation on release, access to health and social care, employers and jobs, an integrated programme for women, and veterans' charities.",
            members: [
                "Probation Service, Norfolk", "Norfolk Integrated Care Board", "Change Grow Live Norfolk",
                "Norfolk County Council", "Norfolk Veterans' Support", "Norfolk Women's Centre", "Norfolk Constabulary",
            ],
            items: [
                (
                    "Accommodation on release",
                    "How many people leave prison with nowhere settled to live, and the plan to halve it."
                ),
                ("Employers and jobs", "The employer pledge and the first placements."),
            ],
            restricted: (
                "Case review: a high-risk individual", "Information about an identifiable person (data protection)"
            ),
            actions: [
                (
                    "Secure ten move-on beds for people released without accommodation", "Probation Service, Norfolk",
                    -10
                ),
                ("Register every prison leaver with a GP before release", "Norfolk Integrated Care Board", 30),
                ("Sign twenty employers up to the pledge", "Norfolk County Council", -45),
                ("Start the women's integrated programme in King's Lynn", "Norfolk Women's Centre", 60),
            ], measures: measures, themes: themes, orgs: org, on: db)
        try await partnership(
            store: store, slug: domesticAbuseSlug, name: "Domestic Abuse and Sexual Violence Partnership",
            theme: "domestic-abuse-and-sexual-violence", chair: "Domestic abuse and sexual violence coordinator",
            purpose:
                "The countywide partnership that steers the response to domestic abuse and sexual violence: prevention, support for victims and their children, and work with those who harm.",
            members: [
                "Norfolk Constabulary", "Norfolk Domestic Abuse Support Service", "Norfolk County Council",
                "Norfolk Integrated Care Board", "Norwich City Council",
            ],
            items: [
                ("Repeat victims", "The force's repeat victimisation figures and the independent advisers' caseloads."),
                ("Safe accommodation", "Refuge and dispersed accommodation places against the needs assessment."),
            ],
            restricted: nil,
            actions: [
                ("Recommission the independent domestic violence advisers", "Norfolk County Council", 45),
                ("Train 200 front-line staff in coercive control", "Norfolk Domestic Abuse Support Service", -3),
                ("Add a domestic abuse question to the GP safeguarding audit", "Norfolk Integrated Care Board", 90),
            ], measures: measures, themes: themes, orgs: org, on: db)
    }

    private static func partnership(
        store: BoardStore, slug: String, name: String, theme: String, chair: String, purpose: String,
        members: [String], items: [(String, String)], restricted: (String, String)?,
        actions: [(String, String, Int)], measures: Set<String>, themes: Set<String>, orgs: (String) -> Int?,
        on db: any Database
    ) async throws {
        guard try await store.board(slug: slug, on: db) == nil else { return }
        let memberIDs = members.compactMap(orgs)
        let b = try await store.create(
            .init(
                name: name, slug: slug, kind: BoardKind.partnership.rawValue,
                themeSlug: themes.contains(theme) ? theme : "",
                purpose: purpose, chair: chair), members: memberIDs, by: nil, on: db)
        let themeMeasures = try await MeasureStore(audit: AuditLog()).themes(on: db)
        let all = try await MeasureStore(audit: AuditLog()).all(on: db)
        let covered = all.filter { (themeMeasures[$0.id] ?? []).contains(theme) }.map(\.slug).filter(measures.contains)
        for (k, offset) in [-70, -14].enumerated() {
            let id = try await store.schedule(
                .init(
                    heldOn: day(offset), startsAt: "13:30", kind: MeetingKind.publicMeeting.rawValue,
                    location: "Online", attendees: members.joined(separator: "; ")), of: b, by: nil, on: db)
            guard var m = try await store.meeting(id: id, of: b, on: db) else { continue }
            let (title, summary) = items[k % items.count]
            try await store.addItem(
                .init(title: title, summary: summary, measures: covered, themes: themes.contains(theme) ? [theme] : []),
                to: m, measures: measures, themes: themes, by: nil, on: db)
            if let (rTitle, exemption) = restricted, k == 1 {
                try await store.addItem(
                    .init(title: rTitle, restricted: true, exemption: exemption), to: m, measures: measures,
                    themes: themes, by: nil, on: db)
            }
            let itemIDs = try await store.items(of: m, on: db)
            try await store.decide(
                "The board agreed the action plan's priorities for the next quarter.", itemID: itemIDs.first?.id, in: m,
                items: Set(itemIDs.map(\.id)), by: nil, on: db)
            try await store.saveMinutes(
                "\(title): \(summary) The board reviewed the theme's measures and its action plan.", of: m, by: nil,
                on: db)
            if k == 0 {
                m = try await store.meeting(id: id, of: b, on: db) ?? m
                try await store.setPublished(true, m, by: nil, on: db)
            }
        }
        for (title, owner, due) in actions {
            guard let o = orgs(owner) else { continue }
            let id = try await store.addAction(
                .init(title: title, ownerOrganisationID: o, leadName: "", dueOn: day(due)), to: b,
                members: Set(memberIDs), by: nil, on: db)
            // Long past due: the demo shows it done, with its update.
            if due < -30 {
                try await db.sql.raw(
                    """
                    INSERT INTO board_action_updates (action_id, at, user_id, status, note)
                    VALUES (\(bind: id), \(bind: Date().stored), NULL, 'done', 'Done: reported to the board.')
                    """
                ).run()
                try await db.sql.raw("UPDATE board_actions SET status = 'done' WHERE id = \(bind: id)").run()
            }
        }
    }
}
