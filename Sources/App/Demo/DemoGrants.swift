import Fluent
import Foundation
import SQLKit

/// The demo's grants: the £250,000 drug and alcohol fund with a closed round (25
/// applications from synthetic organisations, two panel members' scores, one declared
/// conflict, a moderation, 12 awards and the rest declined with reasons) and an open round
/// (the Norwich BID's draft in it); and the victims' services fund with the four specialist
/// services commissioned directly (IDVA, ISVA, children's service, restorative justice).
/// Every organisation and figure here is synthetic. Safe to repeat: an existing fund is
/// left as it is.
enum DemoGrants {
    static let drugFund = "drug-and-alcohol-grants-2025-26"
    static let victimsFund = "victims-services-2025-26"

    static let applicants: [(String, String)] = [
        ("Breckland Recovery Network", "Peer support groups for people leaving drug treatment in Thetford and Dereham"),
        ("Yarmouth Young People's Project", "Evening drop-ins on alcohol and drugs for 13 to 18 year olds"),
        ("Fenland Edge Community Trust", "Family support where a parent misuses alcohol"),
        ("Norwich Street Outreach", "Night-time outreach on Prince of Wales Road"),
        ("King's Lynn Recovery Café", "A weekly recovery café with housing and benefits advice"),
        ("Broadland Men's Shed", "Workshops for older men drinking alone"),
        ("Waveney Valley Youth Forum", "Drug awareness sessions in rural schools"),
        ("Cromer Coastal Community Hub", "Outreach to seasonal workers on drink and drugs"),
        ("Dereham Family Network", "Kinship carers of children affected by parental drug use"),
        ("Norfolk Sober Sport", "Sport and fitness for people in recovery"),
        ("Thetford Multicultural Forum", "Drug and alcohol awareness in community languages"),
        ("Swaffham Rural Support", "Transport to treatment appointments in rural West Norfolk"),
        ("North Walsham Youth Hub", "Detached youth work on weekend evenings"),
        ("Great Yarmouth Harbour Mission", "A safe space and referrals for street drinkers"),
        ("Wymondham Parents Together", "Courses for parents on teenage drug use"),
        ("Diss Recovery Allotment", "Therapeutic gardening for people in recovery"),
        ("Attleborough Community Kitchen", "Cooking and life skills for people leaving rehab"),
        ("Hunstanton Seafront Project", "Summer outreach on underage drinking"),
        ("Norwich Student Safety Partnership", "Harm reduction at freshers' events"),
        ("Downham Market Care Circle", "Befriending for isolated people drinking heavily"),
        ("Sheringham Arts for Recovery", "Creative workshops for people in treatment"),
        ("Aylsham Young Carers", "Respite for young carers of parents who misuse drugs"),
        ("Watton Community Outreach", "Needle exchange signposting in market towns"),
        ("Gorleston Women's Group", "Women-only recovery support"),
        ("Loddon Village Link", "Rural drug awareness for parish councils and clubs"),
    ]

    static func create(on db: any Database) async throws {
        let store = GrantStore(audit: AuditLog())
        guard try await store.fund(slug: drugFund, on: db) == nil else { return }
        let users = UserStore(audit: AuditLog())
        struct UserRow: Decodable { var id: Int; var organisationId: Int; var name: String; var email: String }
        func account(_ email: String) async throws -> CurrentUser? {
            try await db.sql.raw("SELECT id, organisation_id, name, email FROM users WHERE email = \(bind: email)")
                .row(UserRow.self).map {
                    CurrentUser(
                        id: $0.id, name: $0.name, email: $0.email, role: .partnerUser,
                        organisationID: $0.organisationId,
                        organisationName: "", csrfToken: "", sessionHash: "")
                }
        }
        guard let officer = try await account("analyst@opcc.demo"), let panel = try await account("panel@council.demo")
        else { return }
        let staff = CurrentUser(
            id: officer.id, name: officer.name, email: officer.email, role: .opccStaff,
            organisationID: officer.organisationID, organisationName: "", csrfToken: "", sessionHash: "")
        let themes = Set(DemoPlan.draft.themes.map(\.slug))
        let fund = try await store.createFund(
            .init(
                name: "Drug and alcohol grants 2025/26", slug: drugFund,
                description:
                    "Grants to local organisations working to improve drug and alcohol awareness and provide rehabilitation and support services.",
                themes: ["mental-health-drugs-and-alcohol", "rehabilitation-of-offenders"].filter(themes.contains),
                moneySource: "Police and Crime Commissioner's community safety fund", budget: "250,000"),
            themes: themes, by: staff, on: db)
        let now = Date()
        func at(_ days: Int) -> Date { now.addingTimeInterval(Double(days) * 86_400) }
        let questions: [GrantStore.RoundDraft.QuestionDraft] = [
            .init(
                kind: .eligibility,
                prompt: "Is your organisation a charity, community group or social enterprise working in Norfolk?",
                failReason: "The fund supports voluntary and community organisations working in Norfolk."),
            .init(kind: .text, prompt: "What will you do, and for whom?", wordLimit: 300),
            .init(kind: .text, prompt: "What evidence is there of the need?", wordLimit: 300),
            .init(kind: .budget, prompt: "Your budget"),
            .init(kind: .outputs, prompt: "What you will achieve"),
            .init(kind: .places, prompt: "Where the work happens"),
        ]
        let criteria: [GrantStore.RoundDraft.CriterionDraft] = [
            .init(name: "Need and evidence", weight: 3, maxScore: 5),
            .init(name: "Quality of the plan", weight: 2, maxScore: 5),
            .init(name: "Value for money", weight: 2, maxScore: 5),
            .init(name: "Fit with the Police and Crime Plan", weight: 1, maxScore: 5),
        ]
        let closed = try await store.createRound(
            .init(
                name: "Round one", slug: "round-one",
                guidance:
                    "Grants of £5,000 to £30,000 for up to two years. Applications are scored by a panel against four weighted criteria.",
                opensAt: at(-330).stored, closesAt: at(-270).stored, minimumScore: 60, questions: questions,
                criteria: criteria), in: fund, by: staff, on: db)
        try await store.addPanelMember(email: "analyst@opcc.demo", to: closed, by: staff, on: db)
        try await store.addPanelMember(email: "panel@council.demo", to: closed, by: staff, on: db)
        let qs = try await store.questions(of: closed, on: db)
        let cs = try await store.criteria(of: closed, on: db)
        let areas = try await AreaStore().list(on: db).prefix(11).map(\.slug)
        var rng = SplitMix64(seed: 250_000)
        var standing: [(Int, Double, Int)] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (k, (name, project)) in applicants.enumerated() {
            let org = try await users.organisation(named: name, kind: .voluntary, by: nil, on: db)
            let applicant = CurrentUser(
                id: officer.id, name: "", email: "", role: .partnerUser, organisationID: org.id, organisationName: name,
                csrfToken: "", sessionHash: "")
            if case .success(let identifier) = OrgIdentifier.make(.charityEnglandWales, String(1_170_000 + k * 731)) {
                try await store.setIdentifier(identifier, organisation: org.id, by: nil, on: db)
            }
            let id = try await store.start(in: closed, title: project, by: applicant, now: at(-300), on: db)
            guard let a = try await store.application(id: id, on: db) else { continue }
            let amount = (5 + Int(rng.next() % 26)) * 100_000  // £5,000 to £30,000
            let target = 40 + Int(rng.next() % 400)
            let place = areas.isEmpty ? "lad:E07000148" : "area:\(areas[k % areas.count])"
            let answers: [Int: String] = [
                qs[0].id: k == 24 ? "no" : "yes",
                qs[1].id: "\(project). Sessions weekly through the year, led by trained staff and volunteers.",
                qs[2].id: "Local treatment data and our own waiting list show demand we cannot meet.",
                qs[3].id: String(
                    decoding: try encoder.encode([
                        Grants.BudgetLine(item: "Staff", years: [amount * 7 / 10, 0, 0]),
                        Grants.BudgetLine(item: "Running costs", years: [amount - amount * 7 / 10, 0, 0]),
                    ]), as: UTF8.self),
                qs[4].id: String(
                    decoding: try encoder.encode([Grants.Commitment(name: "People reached", target: Double(target))]),
                    as: UTF8.self),
                qs[5].id: String(decoding: try encoder.encode([place]), as: UTF8.self),
            ]
            try await store.saveDraft(a, title: project, answers: answers, questions: qs, by: applicant, on: db)
            guard let saved = try await store.application(id: id, on: db) else { continue }
            _ = try await store.submit(saved, round: closed, questions: qs, by: applicant, now: at(-275), on: db)
            guard let submitted = try await store.application(id: id, on: db), submitted.status == .submitted else {
                continue
            }
            // Two members score; the council's member declares a conflict on one application.
            let quality = Int(rng.next() % 5)  // 0 (weak) … 4 (strong)
            var members: [Double] = []
            for (m, member) in [staff, panel].enumerated() {
                if m == 1 && k == 6 {
                    try await store.declareConflict(
                        on: submitted, reason: "A council officer sits on the applicant's board", by: member, on: db)
                    continue
                }
                var scores: [Int: Int] = [:]
                for c in cs { scores[c.id] = min(5, max(0, quality + Int(rng.next() % 3) - (m == 0 ? 0 : 1) + 1)) }
                try await store.score(
                    submitted, scores: scores, comments: [cs[0].id: quality >= 3 ? "Well evidenced" : "Thin evidence"],
                    criteria: cs, submit: true, by: member, on: db)
                if let s = Scoring.weighted(scores, criteria: cs.map(\.scoring)) { members.append(s) }
            }
            if let mean = Scoring.summary(members, moderated: nil, minimum: closed.minimumScore).mean {
                standing.append((id, mean, amount))
            }
        }
        // Moderate one borderline score, then award the twelve strongest (one in part).
        standing.sort { $0.1 > $1.1 }
        if standing.count > 12, let a = try await store.application(id: standing[12].0, on: db) {
            try await store.moderate(
                a, score: standing[12].1 - 5, reason: "The plan repeats a service already funded in the same town",
                by: staff, on: db)
        }
        for (rank, (id, _, amount)) in standing.enumerated() {
            guard let a = try await store.application(id: id, on: db) else { continue }
            if rank < 12 {
                let part = rank == 11
                try await store.decide(
                    a, decision: part ? .awardInPart : .award,
                    reason: part
                        ? "Funded for the first year only: the panel asked for evidence of results before a second."
                        : "The panel scored the application highly on need and the quality of the plan.",
                    recommendation: "Fund", amountPence: part ? amount / 2 : amount,
                    startsOn: DemoBoards.day(-240), endsOn: DemoBoards.day(125), by: staff, on: db)
                try await monitor(a, index: rank, store: store, staff: staff, on: db)
            } else {
                try await store.decide(
                    a, decision: .decline,
                    reason:
                        "The panel scored the application below the strongest twelve in a round asking for more than the fund holds.",
                    recommendation: "Do not fund", amountPence: nil, startsOn: "", endsOn: "", by: staff, on: db)
            }
        }

        // The panel met ten days before the grants started (decide() stamps today).
        try await backdate(fund: fund.id, decided: at(-250), on: db)

        // An open round: the Norwich BID has a draft in it.
        let open = try await store.createRound(
            .init(
                name: "Round two", slug: "round-two",
                guidance: "Small grants of up to £10,000 for the night-time economy.",
                opensAt: at(-5).stored, closesAt: at(25).stored, minimumScore: 60, questions: questions,
                criteria: criteria),
            in: fund, by: staff, on: db)
        if let bid = try await account("ranger@norwichbid.demo") {
            _ = try await store.start(in: open, title: "Safe space on Prince of Wales Road", by: bid, now: now, on: db)
        }

        // The victims' services commissioned directly, so the victims' pages can refer to them.
        let victims = try await store.createFund(
            .init(
                name: "Victims' services 2025/26", slug: victimsFund,
                description:
                    "Specialist support services for victims, commissioned by the Police and Crime Commissioner.",
                themes: ["supporting-victims-and-witnesses", "domestic-abuse-and-sexual-violence"].filter(
                    themes.contains),
                moneySource: "Ministry of Justice victims' grant", budget: "1,200,000", openCall: false),
            themes: themes, by: staff, on: db)
        let commissioning = try await store.createRound(
            .init(
                name: "Commissioned services", slug: "commissioned",
                guidance: "Services commissioned after a competitive tender; recorded here for monitoring.",
                opensAt: at(-300).stored, closesAt: at(-280).stored, minimumScore: 0,
                questions: [.init(kind: .text, prompt: "The service", wordLimit: 500)],
                criteria: [.init(name: "Tender evaluation", weight: 1, maxScore: 100)]), in: victims, by: staff, on: db)
        let services: [(String, String, Int)] = [
            ("Norfolk Domestic Abuse Support Service", "Independent domestic violence advisers (IDVA)", 42_000_000),
            ("Norfolk Sexual Violence Support", "Independent sexual violence advisers (ISVA)", 31_000_000),
            ("Norfolk Children's Recovery Service", "Therapeutic support for children affected by crime", 22_000_000),
            ("Norfolk Restorative Justice Service", "Restorative justice for victims who choose it", 15_000_000),
        ]
        let vq = try await store.questions(of: commissioning, on: db)
        for (org, service, amount) in services {
            guard
                let o = try await db.sql.raw("SELECT id FROM organisations WHERE name = \(bind: org)").first(
                    decodingColumn: "id", as: Int.self)
            else { continue }
            let provider = CurrentUser(
                id: officer.id, name: "", email: "", role: .partnerUser, organisationID: o, organisationName: org,
                csrfToken: "", sessionHash: "")
            let id = try await store.start(in: commissioning, title: service, by: provider, now: at(-290), on: db)
            guard let a = try await store.application(id: id, on: db) else { continue }
            try await store.saveDraft(
                a, title: service, answers: [vq[0].id: service], questions: vq, by: provider, on: db)
            guard let saved = try await store.application(id: id, on: db) else { continue }
            _ = try await store.submit(saved, round: commissioning, questions: vq, by: provider, now: at(-285), on: db)
            guard let submitted = try await store.application(id: id, on: db) else { continue }
            try await store.decide(
                submitted, decision: .award, reason: "Commissioned after tender.", recommendation: "Commission",
                amountPence: amount, startsOn: DemoBoards.day(-240), endsOn: DemoBoards.day(490), by: staff, on: db)
            try await monitor(submitted, index: 0, store: store, staff: staff, on: db)
        }
        try await backdate(fund: victims.id, decided: at(-260), on: db)
    }

    /// A community group waiting for the OPCC's approval to apply (its organiser's password is
    /// random: the demo never signs in as them).
    static func registration(on db: any Database, pool: PasswordHasher) async throws {
        let store = RegistrationStore(audit: AuditLog(), users: UserStore(audit: AuditLog()))
        guard try await store.pending(on: db).isEmpty else { return }
        try await store.register(
            .init(
                organisationName: "Acle Community Larder", kind: OrganisationKind.voluntary.rawValue,
                register: "GB-CHC",
                number: "1190417",
                about: "A food larder and drop-in for families in Acle, with a recovery café on Fridays.",
                contactName: "Jo Reeve", email: "jo@aclelarder.demo",
                password: "larder " + UUID().uuidString), pool: pool, on: db)
    }

    /// Dates a fund's decisions and awards `decided` (the demo's panel met months ago).
    static func backdate(fund: Int, decided: Date, on db: any Database) async throws {
        try await db.sql.raw(
            """
            UPDATE awards SET award_date = \(bind: CalendarDay(decided).description) WHERE fund_id = \(bind: fund)
            """
        ).run()
        try await db.sql.raw(
            """
            UPDATE applications SET decided_at = \(bind: decided.stored)
            WHERE decided_at IS NOT NULL AND round_id IN (SELECT id FROM grant_rounds WHERE fund_id = \(bind: fund))
            """
        ).run()
    }

    /// Half the award paid at the start, half after a return is accepted; the returns that have
    /// fallen due: most accepted, some awaiting review, some (for every fourth grant) not sent.
    static func monitor(_ a: Grants.Application, index: Int, store: GrantStore, staff: CurrentUser, on db: any Database)
        async throws
    {
        guard let award = try await store.award(of: a, on: db), let start = CalendarDay(award.startsOn) else { return }
        let grantee = CurrentUser(
            id: staff.id, name: "", email: "", role: .partnerUser, organisationID: a.organisationId,
            organisationName: a.organisationName, csrfToken: "", sessionHash: "")
        let half = award.amountPence / 2
        try await store.addInstalment(
            to: award, dueOn: start.description, amountPence: half, needsAcceptedReturn: false, by: staff, on: db)
        try await store.addInstalment(
            to: award, dueOn: start.adding(days: 180).description, amountPence: award.amountPence - half,
            needsAcceptedReturn: true, by: staff, on: db)
        let instalments = try await store.instalments(of: award, on: db)
        if let first = instalments.first {
            try await store.pay(
                award, instalment: first, paidOn: start.description, amountPence: half, by: staff, on: db)
        }
        let today = CalendarDay(Date())
        let indicators = try await store.indicators(of: award, on: db)
        for (q, r) in try await store.returns(of: award, on: db).enumerated() {
            guard let due = CalendarDay(r.dueOn), due < today else { break }
            if index % 4 == 3 && q == 1 { continue }  // not sent: overdue
            let values = Dictionary(
                indicators.map { ($0.id, ($0.target / 4 * (0.8 + Double((index + q) % 4) / 10)).rounded()) }
            ) {
                x, _ in x
            }
            try await store.submitReturn(
                r, of: award,
                .init(
                    values: values, spendPence: half / 2 * (q + 1),
                    narrative: "Sessions ran as planned; referrals from the treatment service rose over the quarter.",
                    caseStudy: "A participant who first came to a drop-in is now a peer volunteer.",
                    risks: q == 0 ? "" : "Recruiting volunteers for winter evenings."), indicators: indicators,
                by: grantee, on: db)
            if index % 4 == 2 && q == 1 { continue }  // awaiting review
            if let sent = try await store.monitoringReturn(id: r.id, of: award, on: db) {
                try await store.review(sent, of: award, accept: true, note: "", by: staff, on: db)
            }
        }
        if instalments.count > 1, let second = try await store.instalments(of: award, on: db).last,
            let due = CalendarDay(second.dueOn), due < today
        {
            try? await store.pay(
                award, instalment: second, paidOn: due.description, amountPence: second.amountPence, by: staff, on: db)
        }
    }
}
