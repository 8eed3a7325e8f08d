import Fluent
import Foundation
import SQLKit

/// The demo's restorative justice journeys and needs assessments.
extension DemoVictims {
    /// Restorative justice journeys at every stage: one for each referral the RJ service
    /// accepted (victim side), and some the probation service and prisons sent (offender
    /// side), each taken along a path (all the way, or ending where a party says no or the
    /// risk assessment finds it unsuitable) as far as its dates have reached.
    static func journeys(cipher: FieldCipher, rng: inout SplitMix64, now: Date, on db: any Database) async throws {
        typealias RJ = RestorativeJustice
        let full: [(RJ.Step, String)] = [
            (.eligibility, "accepts"), (.victimConsent, "given"), (.offenderConsent, "given"),
            (.riskAssessment, "suitable"), (.preparation, "held"), (.preparation, "held"), (.meeting, "conference"),
            (.agreement, "agreed"), (.agreementKept, "kept"), (.followUp, "done"), (.closed, "completed"),
        ]
        let paths: [[(RJ.Step, String)]] = [
            full,
            full.map { $0.0 == .meeting ? ($0.0, "indirect") : $0.0 == .agreementKept ? ($0.0, "partly") : $0 },
            [(.eligibility, "denies"), (.closed, "not-eligible")],
            [(.eligibility, "accepts"), (.victimConsent, "refused"), (.closed, "victim-withdrew")],
            [
                (.eligibility, "accepts"), (.victimConsent, "given"), (.offenderConsent, "given"),
                (.riskAssessment, "not-suitable"), (.closed, "not-suitable"),
            ],
        ]
        struct Org: Decodable { var id: Int }
        guard
            let rj = try await db.sql.raw(
                "SELECT id FROM organisations WHERE name = \(bind: "Norfolk Restorative Justice Service")"
            ).row(Org.self)
        else { return }
        struct Accepted: Decodable { var id: Int; var decidedAt: String }
        let accepted = try await db.sql.raw(
            """
            SELECT id, decided_at FROM victim_onward_referrals
            WHERE to_organisation_id = \(bind: rj.id) AND status = 'accepted' ORDER BY id
            """
        ).rows(Accepted.self)
        let today = CalendarDay(now)
        // (onward referral or nil, referred on)
        var starts: [(onward: Int?, on: CalendarDay)] = accepted.compactMap { a in
            Date(stored: a.decidedAt).map { (a.id, CalendarDay($0)) }
        }
        for _ in 0..<14 {
            starts.append((nil, CalendarDay(dayNumber: today.dayNumber - Int.random(in: 10...300, using: &rng))))
        }
        let referrers: [RJ.Referrer] = [.probation, .probation, .prison, .youthJustice]
        for (n, start) in starts.enumerated() {
            let stamp = now.stored
            let id: Int
            if let onward = start.onward {
                id = try await db.sql.raw(
                    """
                    INSERT INTO rj_journeys (organisation_id, case_id, onward_id, side, referrer, crime_type,
                      crime_reference, referred_on, stage, status, updated_at)
                    SELECT x.to_organisation_id, c.id, x.id, 'victim', o.name, c.crime_type, c.crime_reference,
                      \(bind: start.on.description), 'Referred', 'open', \(bind: stamp)
                    FROM victim_onward_referrals x JOIN victim_cases c ON c.id = x.case_id
                    JOIN organisations o ON o.id = c.organisation_id WHERE x.id = \(bind: onward)
                    RETURNING id
                    """
                ).insertedID()
            } else {
                let first = firstNames[Int.random(in: 0..<firstNames.count, using: &rng)]
                let last = surnames[Int.random(in: 0..<surnames.count, using: &rng)]
                let parties = try cipher.seal(
                    "Offender: \(first) \(last), through the referring officer", field: "rj_parties")
                id = try await db.sql.raw(
                    """
                    INSERT INTO rj_journeys (organisation_id, side, referrer, crime_type, crime_reference, referred_on,
                      parties_sealed, stage, status, updated_at)
                    VALUES (\(bind: rj.id), 'offender', \(bind: referrers[n % referrers.count].rawValue),
                      \(bind: [Victims.CrimeType.burglary, .robbery, .violenceWithInjury, .criminalDamage][n % 4].rawValue),
                      '', \(bind: start.on.description), \(bind: parties), 'Referred', 'open', \(bind: stamp))
                    RETURNING id
                    """
                ).insertedID()
            }
            let path = paths[
                Int.random(in: 0..<10, using: &rng) < 6
                    ? Int.random(in: 0...1, using: &rng) : Int.random(in: 2...4, using: &rng)]
            var day = start.on.dayNumber
            var done: [RJ.Recorded] = []
            for (step, result) in path {
                day += Int.random(in: 4...21, using: &rng)
                guard day <= today.dayNumber else { break }
                try await db.sql.raw(
                    """
                    INSERT INTO rj_steps (journey_id, step, occurred_on, result, recorded_at)
                    VALUES (\(bind: id), \(bind: step.rawValue), \(bind: CalendarDay(dayNumber: day).description),
                      \(bind: result), \(bind: stamp))
                    """
                ).run()
                done.append(.init(step: step, result: result))
            }
            let closed = done.last?.step == .closed
            try await db.sql.raw(
                """
                UPDATE rj_journeys SET stage = \(bind: RJ.stage(done)), status = \(bind: closed ? "closed" : "open"),
                  closed_on = \(bind: closed ? CalendarDay(dayNumber: day).description : nil),
                  closure_reason = \(bind: closed ? done.last?.result ?? "" : "") WHERE id = \(bind: id)
                """
            ).run()
        }
    }

    /// Needs assessments for seven in ten of the cases contacted, a day or two after first
    /// contact, with the needs a case of its type tends to have (domestic abuse: safety, often
    /// housing and the children; sexual offences: health and emotional; property crime:
    /// practical and financial; …) and a DASH-style risk level for domestic abuse.
    static func assessments(caseWorker: Int?, rng: inout SplitMix64, on db: any Database) async throws {
        let cases = try await contacted(on: db)
        typealias N = Victims.Need
        for c in cases {
            guard Int.random(in: 0..<10, using: &rng) < 7, let first = Date(stored: c.firstContact) else { continue }
            var needs: [N: Victims.NeedLevel] = [:]
            func maybe(_ need: N, _ chance: Int, highChance: Int = 0, rng: inout SplitMix64) {
                guard Int.random(in: 0..<100, using: &rng) < chance else { return }
                needs[need] = Int.random(in: 0..<100, using: &rng) < highChance ? .high : .some
            }
            switch c.crimeType {
            case "domestic-abuse":
                maybe(.safety, 95, highChance: 60, rng: &rng)
                maybe(.housing, 40, highChance: 40, rng: &rng)
                maybe(.emotional, 80, highChance: 30, rng: &rng)
                maybe(.family, 45, highChance: 30, rng: &rng)
                maybe(.financial, 30, rng: &rng)
            case "sexual-offence":
                maybe(.health, 85, highChance: 55, rng: &rng)
                maybe(.emotional, 90, highChance: 60, rng: &rng)
                maybe(.justice, 70, rng: &rng)
            case "burglary", "theft", "criminal-damage-arson", "fraud", "robbery":
                maybe(.practical, 80, highChance: 10, rng: &rng)
                maybe(.safety, 50, highChance: 10, rng: &rng)
                maybe(.financial, 40, highChance: 15, rng: &rng)
                maybe(.emotional, 40, rng: &rng)
            case "violence-with-injury", "violence-without-injury", "hate-crime", "stalking-harassment":
                maybe(.health, 60, highChance: 20, rng: &rng)
                maybe(.emotional, 70, highChance: 20, rng: &rng)
                maybe(.safety, 50, highChance: 25, rng: &rng)
                maybe(.justice, 60, rng: &rng)
            default:
                maybe(.emotional, 70, highChance: 20, rng: &rng)
                maybe(.justice, 50, rng: &rng)
            }
            if c.ageBand == "under-18" { maybe(.family, 80, highChance: 30, rng: &rng) }
            let risk: Victims.Risk =
                c.crimeType == "domestic-abuse"
                ? [.standard, .standard, .medium, .medium, .high][Int.random(in: 0..<5, using: &rng)] : .notAssessed
            let at = first.addingTimeInterval(Double(Int.random(in: 1...3, using: &rng)) * 86_400)
            try await db.sql.raw(
                """
                INSERT INTO victim_assessments (case_id, version, assessed_at, needs, risk, plan_sealed, user_id)
                VALUES (\(bind: c.id), 1, \(bind: at.stored), \(bind: VictimStore.storedNeeds(needs)),
                  \(bind: risk.rawValue), '', \(bind: caseWorker))
                """
            ).run()
        }
    }
}
