import Fluent
import Foundation
import SQLKit

/// Onward referrals: made by the holding service to a commissioned specialist service, seen
/// by the receiving organisation for that referral only (the victim's name, how to reach them,
/// the crime type and the note), every opening logged in the case's read log.
extension VictimStore {
    struct Onward: Decodable, Sendable {
        var id: Int
        var caseId: Int
        var toOrganisationId: Int
        var toName: String
        var service: String
        var referredAt: String
        var status: String
        var decidedAt: String?
        var declineReason: String
    }

    private static let onwardSelect = """
        SELECT r.id, r.case_id, r.to_organisation_id, o.name AS to_name, r.service, r.referred_at, r.status,
          r.decided_at, r.decline_reason
        FROM victim_onward_referrals r JOIN organisations o ON o.id = r.to_organisation_id
        """

    /// The services a case may be referred on to: organisations holding a grant from a
    /// commissioned fund (not an open call), and other victim services; never the holder.
    func specialistServices(except holder: Int, on db: any Database) async throws -> [Service] {
        try await db.sql.raw(
            """
            SELECT DISTINCT o.id, o.slug, o.name, o.kind FROM organisations o
            WHERE o.id <> \(bind: holder) AND (o.kind = \(bind: OrganisationKind.victimService.rawValue) OR EXISTS (
              SELECT 1 FROM awards w JOIN applications a ON a.id = w.application_id JOIN funds f ON f.id = w.fund_id
              WHERE a.organisation_id = o.id AND f.open_call = 0))
            ORDER BY o.name
            """
        ).rows(Service.self)
    }

    func onward(ofCase id: Int, on db: any Database) async throws -> [Onward] {
        try await db.sql.raw("\(unsafeRaw: Self.onwardSelect) WHERE r.case_id = \(bind: id) ORDER BY r.id").rows(
            Onward.self)
    }

    /// Referrals to `organisation`, newest first (no personal details: those need opening).
    func onwardIn(to organisation: Int, limit: Int, on db: any Database) async throws -> [Onward] {
        try await db.sql.raw(
            """
            \(unsafeRaw: Self.onwardSelect) WHERE r.to_organisation_id = \(bind: organisation)
            ORDER BY r.referred_at DESC, r.id DESC LIMIT \(bind: limit)
            """
        ).rows(Onward.self)
    }

    /// Refers the holder's open case on; false if the organisation holds no such open case
    /// or `to` is not a specialist service it may refer to.
    func referOn(
        _ id: Int, to: Int, service: Victims.Specialist, note: String, viewer: CurrentUser, on db: any Database
    ) async throws -> Bool {
        let cipher = try requireCipher()
        guard try await holds(id, viewer: viewer, on: db),
            try await specialistServices(except: viewer.organisationID, on: db).contains(where: { $0.id == to })
        else { return false }
        let sealed = note.isEmpty ? "" : try cipher.seal(note, field: "onward_note")
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                INSERT INTO victim_onward_referrals (case_id, to_organisation_id, service, note_sealed, referred_at,
                  referred_by, status)
                VALUES (\(bind: id), \(bind: to), \(bind: service.rawValue), \(bind: sealed), \(bind: now().stored),
                  \(bind: viewer.id), 'pending')
                """
            ).run()
            try await audit.record(
                "refer-on", entity: "victim_cases", id: String(id), before: nil as String?,
                after: ["to": String(to), "service": service.rawValue], by: viewer, on: tx)
        }
        return true
    }

    /// What the receiving service sees of a referral to it, opened and logged (in the holding
    /// case's read log, as a disclosure to the receiving organisation); nil for anyone else.
    struct OnwardView: Sendable {
        var referral: Onward
        var name: String
        var phone: String
        var email: String
        var preferences: String
        var language: String
        var interpreter: Bool
        var crimeType: Victims.CrimeType
        var enhanced: Set<Victims.Enhanced>
        var note: String
        var holderName: String
    }

    func openOnward(
        _ id: Int, viewer: CurrentUser, purpose: Victims.Purpose, justification: String, on db: any Database
    )
        async throws -> OnwardView?
    {
        let cipher = try requireCipher()
        struct Row: Decodable {
            var caseId: Int; var holderId: Int; var holderName: String; var nameSealed: String; var phoneSealed: String
            var emailSealed: String; var preferencesSealed: String; var language: String; var interpreter: Int
            var crimeType: String; var enhanced: String; var noteSealed: String
        }
        return try await db.transaction { tx -> OnwardView? in
            guard
                let referral = try await tx.sql.raw(
                    "\(unsafeRaw: Self.onwardSelect) WHERE r.id = \(bind: id) AND r.to_organisation_id = \(bind: viewer.organisationID)"
                ).row(Onward.self),
                let r = try await tx.sql.raw(
                    """
                    SELECT c.id AS case_id, c.organisation_id AS holder_id, o.name AS holder_name, c.name_sealed,
                      c.phone_sealed, c.email_sealed, c.preferences_sealed, c.language, c.interpreter, c.crime_type,
                      c.enhanced, x.note_sealed
                    FROM victim_onward_referrals x JOIN victim_cases c ON c.id = x.case_id
                    JOIN organisations o ON o.id = c.organisation_id WHERE x.id = \(bind: id)
                    """
                ).row(Row.self)
            else { return nil }
            try await logRead(
                r.caseId, holder: r.holderId, viewer: viewer, what: "onward referral \(id)", purpose: purpose,
                justification: justification, recipient: viewer.organisationName, on: tx)
            func open(_ sealed: String, _ field: String) throws -> String {
                sealed.isEmpty ? "" : try cipher.open(sealed, field: field)
            }
            return OnwardView(
                referral: referral, name: try open(r.nameSealed, "name"), phone: try open(r.phoneSealed, "phone"),
                email: try open(r.emailSealed, "email"), preferences: try open(r.preferencesSealed, "preferences"),
                language: r.language, interpreter: r.interpreter != 0,
                crimeType: Victims.CrimeType(rawValue: r.crimeType) ?? .other,
                enhanced: Victims.parseStored(r.enhanced),
                note: try open(r.noteSealed, "onward_note"), holderName: r.holderName)
        }
    }

    /// The receiving service accepts or declines a pending referral to it; false otherwise.
    func decideOnward(_ id: Int, accept: Bool, reason: Victims.Decline?, viewer: CurrentUser, on db: any Database)
        async throws -> Bool
    {
        try await db.transaction { tx -> Bool in
            guard
                let referral = try await tx.sql.raw(
                    """
                    \(unsafeRaw: Self.onwardSelect) WHERE r.id = \(bind: id)
                      AND r.to_organisation_id = \(bind: viewer.organisationID) AND r.status = 'pending'
                    """
                ).row(Onward.self)
            else { return false }
            try await tx.sql.raw(
                """
                UPDATE victim_onward_referrals SET status = \(bind: accept ? "accepted" : "declined"),
                  decided_at = \(bind: now().stored), decided_by = \(bind: viewer.id),
                  decline_reason = \(bind: reason?.rawValue ?? "") WHERE id = \(bind: id)
                """
            ).run()
            try await audit.record(
                accept ? "accept" : "decline", entity: "victim_onward_referrals", id: String(id),
                before: nil as String?, after: ["reason": reason?.rawValue ?? ""], by: viewer, on: tx)
            // Accepted for restorative justice: the RJ service's journey begins.
            if accept && referral.service == Victims.Specialist.restorativeJustice.rawValue {
                try await openJourney(forOnward: id, by: viewer, on: tx)
            }
            return true
        }
    }
}
