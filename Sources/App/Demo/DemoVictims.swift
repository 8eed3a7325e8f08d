import Fluent
import Foundation
import SQLKit

/// The demo's victim service: Norfolk Victim Care holds eighteen months of synthetic police
/// referrals (made-up people: invented surnames, telephone numbers from Ofcom's range kept
/// for drama, 07700 900000–900999, and example.org addresses), most contacted within a few
/// working days, some late, some never reached, and a few sent twice (linked, not doubled).
/// Every name and contact detail is sealed with the demo's own key like real ones.
enum DemoVictims {
    static let service = "Norfolk Victim Care"
    static let force = "Norfolk Constabulary"
    static let months = 18

    static let firstNames = [
        "Alex", "Sam", "Jordan", "Robin", "Morgan", "Casey", "Jamie", "Riley", "Taylor", "Avery", "Charlie", "Drew",
        "Emery", "Finley", "Harper", "Jesse", "Kai", "Logan", "Parker", "Quinn", "Reese", "Rowan", "Sage", "Skyler",
    ]
    static let surnames = [
        "Quillfeather", "Brambleby", "Thistlewood", "Marrowfield", "Pennyroyal", "Wickerdale", "Fenwhistle",
        "Copperkettle", "Larkspur", "Mosswell", "Nettlecombe", "Oakenshaw", "Puddlefoot", "Rushmere", "Saltmarsh",
        "Tumbledown", "Underhay", "Willowmere", "Yarrowby", "Ashcombe",
    ]

    /// Crime types in the proportions a county victim service sees them (weights).
    static let crimeMix: [(Victims.CrimeType, Int)] = [
        (.violenceWithoutInjury, 18), (.violenceWithInjury, 14), (.domesticAbuse, 16), (.theft, 12), (.burglary, 9),
        (.criminalDamage, 8), (.stalkingHarassment, 7), (.sexualOffence, 5), (.fraud, 4), (.robbery, 3),
        (.hateCrime, 2), (.bereaved, 1), (.modernSlavery, 1),
    ]

    /// Creates the service, its people and the referrals, once (nothing if any case exists).
    static func create(on db: any Database, cipher: FieldCipher, now: Date = Date()) async throws -> Int {
        let users = UserStore(audit: AuditLog())
        let service = try await users.organisation(named: Self.service, kind: .victimService, by: nil, on: db)
        let police = try await users.organisation(named: Self.force, kind: .police, by: nil, on: db)
        if try await VictimStore.anyCase(on: db) { return 0 }
        struct Row: Decodable { var id: Int }
        let caseWorker = try await db.sql.raw(
            "SELECT id FROM users WHERE email = \(bind: "caseworker@victimcare.demo")"
        ).row(Row.self)
        struct LA: Decodable { var ladCode: String }
        // Norfolk's seven districts (the LSOA lookup covers England and Wales).
        let authorities = try await db.sql.raw(
            "SELECT DISTINCT lad_code FROM lsoas WHERE police_force = 'Norfolk' ORDER BY lad_code"
        ).rows(LA.self)
            .map(\.ladCode)
        var rng = SplitMix64(seed: 18)
        let today = CalendarDay(now)
        let start = today.dayNumber - months * 30
        let weights = crimeMix.map(\.1).reduce(0, +)
        var made = 0
        var serial = 0
        var previous: ReferralDraft.Referral?
        for day in start..<today.dayNumber {
            let date = CalendarDay(dayNumber: day)
            guard WorkingDays.weekday(day) < 5 else { continue }  // the force sends on working days
            let count = Int.random(in: 0...3, using: &rng)
            var batch: [ReferralDraft.Referral] = []
            for _ in 0..<count {
                serial += 1
                var pick = Int.random(in: 0..<weights, using: &rng)
                var crime = Victims.CrimeType.other
                for (c, w) in crimeMix {
                    if pick < w {
                        crime = c
                        break
                    }
                    pick -= w
                }
                let age = Victims.AgeBand.allCases[Int.random(in: 0..<6, using: &rng)]
                var given = Set<Victims.Enhanced>()
                if Int.random(in: 0..<10, using: &rng) == 0 { given.insert(.persistentlyTargeted) }
                if Int.random(in: 0..<12, using: &rng) == 0 { given.insert(.intimidated) }
                if Int.random(in: 0..<15, using: &rng) == 0 { given.insert(.mentalDisorder) }
                let first = firstNames[Int.random(in: 0..<firstNames.count, using: &rng)]
                let last = surnames[Int.random(in: 0..<surnames.count, using: &rng)]
                let reported = CalendarDay(dayNumber: day - Int.random(in: 0...2, using: &rng))
                var r = ReferralDraft.Referral(
                    reference: "NC-\(String(date.year))-\(String(format: "%06d", serial))",
                    crimeReference: "36/\(String(format: "%05d", 10_000 + serial))/\(String(date.year % 100))",
                    crimeType: crime, reportedOn: reported, name: "\(first) \(last)", dateOfBirth: nil,
                    phone: "07700 900\(String(format: "%03d", Int.random(in: 0...999, using: &rng)))",
                    email: "\(first.lowercased()).\(last.lowercased())@example.org", address: "",
                    contactPreferences: ["Weekday evenings", "Mornings only", "Text first", ""][
                        Int.random(in: 0..<4, using: &rng)], language: "English", interpreter: false, ageBand: age,
                    enhanced: Victims.enhanced(given: given, crime: crime, age: age),
                    explicitConsent: crime.needsExplicitConsent || Int.random(in: 0..<3, using: &rng) == 0,
                    consentOn: reported, consentHow: .verbal,
                    localAuthority: authorities.isEmpty
                        ? "" : authorities[Int.random(in: 0..<authorities.count, using: &rng)])
                if !r.explicitConsent { (r.consentOn, r.consentHow) = (nil, nil) }
                // Now and then the force sends the same person for the same crime again.
                if let p = previous, Int.random(in: 0..<40, using: &rng) == 0 {
                    r.name = p.name
                    r.crimeReference = p.crimeReference
                }
                previous = r
                batch.append(r)
            }
            guard !batch.isEmpty else { continue }
            let received = date.date.addingTimeInterval(9 * 3600 + Double(Int.random(in: 0..<7200, using: &rng)))
            let store = VictimStore(cipher: cipher, audit: AuditLog(), now: { received })
            let result = try await store.receive(
                batch, holder: service.id, referredBy: police.id, source: .police, by: nil, on: db)
            made += result.created + result.duplicates
        }
        try await contacts(caseWorker: caseWorker?.id, cipher: cipher, rng: &rng, now: now, on: db)
        try await assessments(caseWorker: caseWorker?.id, rng: &rng, on: db)
        try await onward(caseWorker: caseWorker?.id, rng: &rng, now: now, on: db)
        try await journeys(cipher: cipher, rng: &rng, now: now, on: db)
        // Two of every three cases are the demo case worker's; the rest are not assigned yet.
        if let caseWorker {
            try await db.sql.raw(
                "UPDATE victim_cases SET assigned_to = \(bind: caseWorker.id) WHERE id % 3 <> 0"
            ).run()
        }
        // The contacts and events above were written straight into their tables: date the clocks.
        try await VictimStore(cipher: cipher, audit: AuditLog()).recomputeClocks(on: db)
        return made
    }

    /// First contacts: most within two working days, some later, some never reached; older
    /// cases closed.
    static func contacts(
        caseWorker: Int?, cipher: FieldCipher, rng: inout SplitMix64, now: Date, on db: any Database
    ) async throws {
        struct Case: Decodable { var id: Int; var receivedAt: String }
        let cases = try await db.sql.raw(
            "SELECT id, received_at FROM victim_cases WHERE status = 'open' ORDER BY id"
        ).rows(Case.self)
        let days = try WorkingDays.bundled()
        for c in cases {
            guard let received = Date(stored: c.receivedAt) else { continue }
            let roll = Int.random(in: 0..<100, using: &rng)
            guard roll < 92 else {
                // Never reached: closed after a month of trying, as a service would.
                if now.timeIntervalSince(received) > 30 * 86_400 {
                    try await insertContact(
                        c.id, at: received.addingTimeInterval(86_400), outcome: "no-answer", by: caseWorker, on: db)
                    try await db.sql.raw(
                        """
                        UPDATE victim_cases SET status = 'closed', closed_at = \(bind: received.addingTimeInterval(30 * 86_400).stored),
                          closure_reason = 'no-contact' WHERE id = \(bind: c.id)
                        """
                    ).run()
                }
                continue
            }
            let delay = roll < 70 ? Int.random(in: 0...1, using: &rng) : Int.random(in: 2...6, using: &rng)
            let day = days.adding(delay, to: CalendarDay(received))
            let at = day.date.addingTimeInterval(10 * 3600 + Double(Int.random(in: 0..<25_000, using: &rng)))
            guard at < now else { continue }
            if roll % 5 == 0 {
                try await insertContact(
                    c.id, at: at.addingTimeInterval(-3600), outcome: "no-answer", by: caseWorker, on: db)
            }
            try await insertContact(c.id, at: at, outcome: "made-contact", by: caseWorker, on: db)
            // The investigation: an arrest in about a third of cases, then for some a charge,
            // a hearing and a verdict; the victim usually told within a day, now and then late.
            var event = at
            for kind in ["arrest", "charge", "hearing-date", "verdict"] {
                guard Int.random(in: 0..<100, using: &rng) < (kind == "arrest" ? 35 : 55) else { break }
                event = event.addingTimeInterval(Double(Int.random(in: 2...40, using: &rng)) * 86_400)
                guard event < now else { break }
                let late = Int.random(in: 0..<100, using: &rng) < 12
                let told = days.adding(
                    late ? Int.random(in: 2...8, using: &rng) : Int.random(in: 0...1, using: &rng),
                    to: CalendarDay(event)
                )
                .date.addingTimeInterval(11 * 3600)
                // A quarter of hearing dates are the Witness Care Unit's to give: not applicable
                // to the service (chosen by case number, so the rest of the demo is unchanged).
                let witnessCare = kind == "hearing-date" && c.id % 4 == 0
                try await db.sql.raw(
                    """
                    INSERT INTO victim_case_events (case_id, kind, occurred_at, informed_at, not_applicable, recorded_by,
                      recorded_at)
                    VALUES (\(bind: c.id), \(bind: kind), \(bind: event.stored),
                      \(bind: told < now && !witnessCare ? told.stored : nil),
                      \(bind: witnessCare ? Victims.NotApplicable.anotherAgency.rawValue : ""), \(bind: caseWorker),
                      \(bind: event.stored))
                    """
                ).run()
            }
            if now.timeIntervalSince(at) > 120 * 86_400 {
                try await db.sql.raw(
                    """
                    UPDATE victim_cases SET status = 'closed', closed_at = \(bind: at.addingTimeInterval(60 * 86_400).stored),
                      closure_reason = 'support-completed' WHERE id = \(bind: c.id)
                    """
                ).run()
            }
        }
    }

    /// The specialist services the demo commissions (DemoGrants' victims fund) and who goes to
    /// each: domestic abuse to the IDVA service, sexual offences to the ISVA service, children to
    /// the children's service, some others to restorative justice.
    static let specialists: [(organisation: String, service: Victims.Specialist)] = [
        ("Norfolk Domestic Abuse Support Service", .idva), ("Norfolk Sexual Violence Support", .isva),
        ("Norfolk Children's Recovery Service", .children),
        ("Norfolk Restorative Justice Service", .restorativeJustice),
    ]

    /// A case the demo's service made contact with, and when first.
    struct Contacted: Decodable {
        var id: Int
        var crimeType: String
        var ageBand: String
        var firstContact: String
    }

    static func contacted(on db: any Database) async throws -> [Contacted] {
        try await db.sql.raw(
            """
            SELECT c.id, c.crime_type, c.age_band, MIN(k.contacted_at) AS first_contact FROM victim_cases c
            JOIN victim_contacts k ON k.case_id = c.id AND k.outcome = 'made-contact'
            GROUP BY c.id, c.crime_type, c.age_band ORDER BY c.id
            """
        ).rows(Contacted.self)
    }

    static func onward(caseWorker: Int?, rng: inout SplitMix64, now: Date, on db: any Database) async throws {
        struct Org: Decodable { var id: Int; var name: String }
        let orgs = try await db.sql.raw("SELECT id, name FROM organisations").rows(Org.self)
        let byName = Dictionary(orgs.map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })
        let cases = try await contacted(on: db)
        for c in cases {
            let pick: Int? =
                switch (c.crimeType, c.ageBand) {
                case ("domestic-abuse", _): 0
                case ("sexual-offence", _): 1
                case (_, "under-18"): 2
                case ("burglary", _), ("robbery", _), ("criminal-damage-arson", _):
                    Int.random(in: 0..<3, using: &rng) == 0 ? 3 : nil
                default: nil
                }
            guard let pick, let to = byName[specialists[pick].organisation], let first = Date(stored: c.firstContact),
                Int.random(in: 0..<10, using: &rng) < 7
            else { continue }
            let at = first.addingTimeInterval(Double(Int.random(in: 1...3, using: &rng)) * 86_400)
            guard at < now else { continue }
            let roll = Int.random(in: 0..<20, using: &rng)
            let decided = at.addingTimeInterval(Double(Int.random(in: 1...4, using: &rng)) * 86_400)
            let (status, reason) =
                decided > now
                ? ("pending", "")
                : roll < 15
                    ? ("accepted", "") : roll < 18 ? ("declined", "no-capacity") : ("declined", "victim-declined")
            try await db.sql.raw(
                """
                INSERT INTO victim_onward_referrals (case_id, to_organisation_id, service, note_sealed, referred_at,
                  referred_by, status, decided_at, decline_reason)
                VALUES (\(bind: c.id), \(bind: to), \(bind: specialists[pick].service.rawValue), '', \(bind: at.stored),
                  \(bind: caseWorker), \(bind: status), \(bind: status == "pending" ? nil : decided.stored), \(bind: reason))
                """
            ).run()
        }
    }

    private static func insertContact(_ id: Int, at: Date, outcome: String, by user: Int?, on db: any Database)
        async throws
    {
        try await db.sql.raw(
            """
            INSERT INTO victim_contacts (case_id, contacted_at, channel, outcome, note_sealed, user_id)
            VALUES (\(bind: id), \(bind: at.stored), 'phone', \(bind: outcome), '', \(bind: user))
            """
        ).run()
    }
}
