import Fluent
import Foundation
import SQLKit

/// Restorative justice journeys, held by the RJ service they were referred to and read only
/// by its people. A victim-side journey opens when the RJ service accepts an onward referral
/// for restorative justice; its every opening is a disclosure logged in the victim's case read
/// log. The holding victim service sees only the stage a journey of its case has reached.
extension VictimStore {
    struct Journey: Sendable {
        var id: Int
        var organisationId: Int
        var caseId: Int?
        var holderId: Int?
        var onwardId: Int?
        var side: RestorativeJustice.Side
        var referrer: String
        var crimeType: Victims.CrimeType
        var crimeReference: String
        var referredOn: String
        var parties: String
        var stage: String
        var status: String
        var closedOn: String?
    }

    struct JourneyStep: Sendable {
        var id: Int
        var step: RestorativeJustice.Step
        var occurredOn: String
        var result: String
        var note: String
        var userName: String
    }

    /// A journey in a list: no one named.
    struct JourneySummary: Decodable, Sendable {
        var id: Int
        var side: String
        var crimeType: String
        var referredOn: String
        var stage: String
        var status: String
        var updatedAt: String
    }

    /// The journeys `organisation` holds, open first then newest (at most `limit`).
    func journeys(holder organisation: Int, status: String, limit: Int, on db: any Database) async throws
        -> [JourneySummary]
    {
        try await db.sql.raw(
            """
            SELECT id, side, crime_type, referred_on, stage, status, updated_at FROM rj_journeys
            WHERE organisation_id = \(bind: organisation) AND status = \(bind: status)
            ORDER BY referred_on DESC, id DESC LIMIT \(bind: limit)
            """
        ).rows(JourneySummary.self)
    }

    func journeyCounts(holder organisation: Int, on db: any Database) async throws -> [String: Int] {
        struct Row: Decodable { var status: String; var n: Int }
        return Dictionary(
            try await db.sql.raw(
                "SELECT status, COUNT(*) AS n FROM rj_journeys WHERE organisation_id = \(bind: organisation) GROUP BY status"
            ).rows(Row.self).map { ($0.status, $0.n) }, uniquingKeysWith: +)
    }

    /// The stage of each journey of a case, by onward referral: what the referring service
    /// sees ("where the victim is"), nothing the RJ service wrote.
    func journeyStages(ofCase id: Int, on db: any Database) async throws -> [Int: String] {
        struct Row: Decodable { var onwardId: Int; var stage: String; var status: String }
        return Dictionary(
            try await db.sql.raw(
                "SELECT onward_id, stage, status FROM rj_journeys WHERE case_id = \(bind: id) AND onward_id IS NOT NULL"
            ).rows(Row.self).map { ($0.onwardId, $0.stage.isEmpty ? "Referred" : $0.stage) },
            uniquingKeysWith: { a, _ in a })
    }

    /// Opens a victim-side journey for an accepted onward referral (inside its transaction).
    func openJourney(forOnward onward: Int, by user: CurrentUser, on tx: any Database) async throws {
        try await tx.sql.raw(
            """
            INSERT INTO rj_journeys (organisation_id, case_id, onward_id, side, referrer, crime_type, crime_reference,
              referred_on, stage, status, created_by, updated_at)
            SELECT x.to_organisation_id, c.id, x.id, 'victim', o.name, c.crime_type, c.crime_reference,
              SUBSTR(x.referred_at, 1, 10), 'Referred', 'open', \(bind: user.id), \(bind: now().stored)
            FROM victim_onward_referrals x JOIN victim_cases c ON c.id = x.case_id
            JOIN organisations o ON o.id = c.organisation_id WHERE x.id = \(bind: onward)
            """
        ).run()
    }

    /// Records an offender-side referral for `viewer`'s organisation; returns its number.
    func createJourney(
        referrer: RestorativeJustice.Referrer, crimeType: Victims.CrimeType, crimeReference: String,
        referredOn: CalendarDay, parties: String, viewer: CurrentUser, on db: any Database
    ) async throws -> Int {
        let cipher = try requireCipher()
        let sealed = parties.isEmpty ? "" : try cipher.seal(parties, field: "rj_parties")
        return try await db.transaction { tx -> Int in
            let id = try await tx.sql.raw(
                """
                INSERT INTO rj_journeys (organisation_id, side, referrer, crime_type, crime_reference, referred_on,
                  parties_sealed, stage, status, created_by, updated_at)
                VALUES (\(bind: viewer.organisationID), 'offender', \(bind: referrer.rawValue),
                  \(bind: crimeType.rawValue), \(bind: crimeReference), \(bind: referredOn.description),
                  \(bind: sealed), 'Referred', 'open', \(bind: viewer.id), \(bind: now().stored))
                RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "rj_journeys", id: String(id), before: nil as String?,
                after: ["side": "offender", "referrer": referrer.rawValue], by: viewer, on: tx)
            return id
        }
    }

    /// The journey and its steps, opened, if `viewer`'s organisation holds it; a victim-side
    /// journey's opening is logged in the case's read log (a disclosure to the RJ service).
    func openJourney(
        _ id: Int, viewer: CurrentUser, purpose: Victims.Purpose, justification: String, on db: any Database
    ) async throws -> (Journey, [JourneyStep])? {
        let cipher = try requireCipher()
        struct Row: Decodable {
            var id: Int; var organisationId: Int; var caseId: Int?; var holderId: Int?; var onwardId: Int?
            var side: String; var referrer: String; var crimeType: String; var crimeReference: String
            var referredOn: String; var partiesSealed: String; var stage: String; var status: String
            var closedOn: String?
        }
        struct StepRow: Decodable {
            var id: Int; var step: String; var occurredOn: String; var result: String; var noteSealed: String
            var userName: String?
        }
        return try await db.transaction { tx -> (Journey, [JourneyStep])? in
            guard
                let r = try await tx.sql.raw(
                    """
                    SELECT j.id, j.organisation_id, j.case_id, c.organisation_id AS holder_id, j.onward_id, j.side,
                      j.referrer, j.crime_type, j.crime_reference, j.referred_on, j.parties_sealed, j.stage, j.status,
                      j.closed_on
                    FROM rj_journeys j LEFT JOIN victim_cases c ON c.id = j.case_id
                    WHERE j.id = \(bind: id) AND j.organisation_id = \(bind: viewer.organisationID)
                    """
                ).row(Row.self)
            else { return nil }
            if let caseID = r.caseId, let holder = r.holderId {
                try await logRead(
                    caseID, holder: holder, viewer: viewer, what: "restorative justice journey J\(id)",
                    purpose: purpose, justification: justification, recipient: viewer.organisationName, on: tx)
            }
            let steps = try await tx.sql.raw(
                """
                SELECT s.id, s.step, s.occurred_on, s.result, s.note_sealed, u.name AS user_name
                FROM rj_steps s LEFT JOIN users u ON u.id = s.recorded_by WHERE s.journey_id = \(bind: id) ORDER BY s.id
                """
            ).rows(StepRow.self).map {
                JourneyStep(
                    id: $0.id, step: RestorativeJustice.Step(rawValue: $0.step) ?? .followUp, occurredOn: $0.occurredOn,
                    result: $0.result,
                    note: $0.noteSealed.isEmpty ? "" : try cipher.open($0.noteSealed, field: "rj_note"),
                    userName: $0.userName ?? "")
            }
            let journey = Journey(
                id: r.id, organisationId: r.organisationId, caseId: r.caseId, holderId: r.holderId,
                onwardId: r.onwardId,
                side: RestorativeJustice.Side(rawValue: r.side) ?? .victim, referrer: r.referrer,
                crimeType: Victims.CrimeType(rawValue: r.crimeType) ?? .other, crimeReference: r.crimeReference,
                referredOn: r.referredOn,
                parties: r.partiesSealed.isEmpty ? "" : try cipher.open(r.partiesSealed, field: "rj_parties"),
                stage: r.stage, status: r.status, closedOn: r.closedOn)
            return (journey, steps)
        }
    }

    enum StepOutcome: Equatable, Sendable {
        case recorded
        case notFound
        case refused(String)
    }

    /// Records a step of a journey `viewer`'s organisation holds, if the rules allow it now
    /// (RestorativeJustice.problem) and its date is neither before the referral nor after
    /// today; closing records the reason and closes the journey.
    func addStep(
        _ id: Int, step: RestorativeJustice.Step, result: String, on day: CalendarDay, note: String,
        viewer: CurrentUser, on db: any Database
    ) async throws -> StepOutcome {
        let cipher = try requireCipher()
        let sealed = note.isEmpty ? "" : try cipher.seal(note, field: "rj_note")
        let today = CalendarDay(now())
        return try await db.transaction { tx -> StepOutcome in
            struct Row: Decodable { var referredOn: String }
            guard
                let j = try await tx.sql.raw(
                    """
                    SELECT referred_on FROM rj_journeys
                    WHERE id = \(bind: id) AND organisation_id = \(bind: viewer.organisationID)
                    """
                ).row(Row.self)
            else { return .notFound }
            struct Done: Decodable { var step: String; var result: String }
            let done = try await tx.sql.raw(
                "SELECT step, result FROM rj_steps WHERE journey_id = \(bind: id) ORDER BY id"
            ).rows(Done.self).compactMap { d in
                RestorativeJustice.Step(rawValue: d.step).map {
                    RestorativeJustice.Recorded(step: $0, result: d.result)
                }
            }
            if let problem = RestorativeJustice.problem(adding: step, result: result, after: done) {
                return .refused(problem)
            }
            if day.description < j.referredOn { return .refused("The date is before the referral (\(j.referredOn)).") }
            if day > today { return .refused("The date is in the future.") }
            try await tx.sql.raw(
                """
                INSERT INTO rj_steps (journey_id, step, occurred_on, result, note_sealed, recorded_by, recorded_at)
                VALUES (\(bind: id), \(bind: step.rawValue), \(bind: day.description), \(bind: result), \(bind: sealed),
                  \(bind: viewer.id), \(bind: now().stored))
                """
            ).run()
            let stage = RestorativeJustice.stage(done + [.init(step: step, result: result)])
            let closing = step == .closed
            try await tx.sql.raw(
                """
                UPDATE rj_journeys SET stage = \(bind: stage), updated_at = \(bind: now().stored),
                  status = \(bind: closing ? "closed" : "open"), closed_on = \(bind: closing ? day.description : nil),
                  closure_reason = \(bind: closing ? result : "") WHERE id = \(bind: id)
                """
            ).run()
            try await audit.record(
                "rj-step", entity: "rj_journeys", id: String(id), before: nil as String?,
                after: ["step": step.rawValue, "result": result, "on": day.description], by: viewer, on: tx)
            return .recorded
        }
    }

    // MARK: Retention

    /// Erases the journeys of erased cases (inside the case erasure's transaction); returns
    /// how many records each case had there.
    func eraseJourneys(ofCases ids: [Int], on tx: any Database) async throws -> [Int: Int] {
        struct Count: Decodable { var caseId: Int; var n: Int }
        var records: [Int: Int] = [:]
        for r in try await tx.sql.raw(
            """
            SELECT j.case_id, COUNT(*) + (SELECT COUNT(*) FROM rj_steps s WHERE s.journey_id = j.id) AS n
            FROM rj_journeys j WHERE j.case_id IN (\(binds: ids)) GROUP BY j.case_id, j.id
            """
        ).rows(Count.self) {
            records[r.caseId, default: 0] += r.n
        }
        try await tx.sql.raw(
            "DELETE FROM rj_steps WHERE journey_id IN (SELECT id FROM rj_journeys WHERE case_id IN (\(binds: ids)))"
        ).run()
        try await tx.sql.raw("DELETE FROM rj_journeys WHERE case_id IN (\(binds: ids))").run()
        return records
    }

    /// Erases closed offender-side journeys past the schedule's `closed-rj-journey` line, each
    /// with a line in the erasure log (journey number, no one named). Returns how many went.
    func eraseDueJourneys(by user: CurrentUser?, on db: any Database) async throws -> Int {
        let months = try await retentionRules(on: db).first { $0.recordType == "closed-rj-journey" }?.months ?? 72
        let cutoff = String(Self.monthsBefore(now().stored, months: months).prefix(10))
        let at = now()
        return try await db.transaction { tx -> Int in
            struct Row: Decodable { var id: Int; var organisationId: Int; var n: Int }
            let due = try await tx.sql.raw(
                """
                SELECT j.id, j.organisation_id, 1 + (SELECT COUNT(*) FROM rj_steps s WHERE s.journey_id = j.id) AS n
                FROM rj_journeys j WHERE j.case_id IS NULL AND j.status = 'closed' AND j.closed_on < \(bind: cutoff)
                ORDER BY j.id LIMIT 10000
                """
            ).rows(Row.self)
            guard !due.isEmpty else { return 0 }
            for chunk in due.map(\.id).chunks(of: 500) {
                try await tx.sql.raw("DELETE FROM rj_steps WHERE journey_id IN (\(binds: Array(chunk)))").run()
                try await tx.sql.raw("DELETE FROM rj_journeys WHERE id IN (\(binds: Array(chunk)))").run()
            }
            for d in due {
                try await tx.sql.raw(
                    """
                    INSERT INTO victim_erasures (case_id, holder_id, erased_at, reason, rule, records, user_id, user_name)
                    VALUES (0, \(bind: d.organisationId), \(bind: at.stored),
                      \(bind: "restorative justice journey J\(d.id) (offender side)"), 'closed-rj-journey', \(bind: d.n),
                      \(bind: user?.id), \(bind: user?.name ?? "the daily retention job"))
                    """
                ).run()
            }
            try await audit.record(
                "erase", entity: "rj_journeys", id: "retention", before: nil as String?,
                after: ["journeys": String(due.count)], by: user, on: tx)
            return due.count
        }
    }
}
