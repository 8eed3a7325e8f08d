import Fluent
import Foundation
import SQLKit

/// One case: opened only by its holding organisation, with the purpose given, and logged.
extension VictimStore {
    /// A case with its victim's details opened.
    struct Case: Sendable {
        var id: Int
        var holderId: Int
        var referredBy: String?
        var source: Victims.Source
        var reference: String
        var crimeReference: String
        var crimeType: Victims.CrimeType
        var reportedOn: String
        var receivedAt: String
        var duplicateOf: Int?
        var name: String
        var dateOfBirth: String
        var phone: String
        var email: String
        var address: String
        var preferences: String
        var language: String
        var interpreter: Bool
        var ageBand: Victims.AgeBand
        var enhanced: Set<Victims.Enhanced>
        var explicitConsent: Bool
        var consentOn: String?
        var consentHow: String?
        var localAuthority: String
        var status: String
        var closedAt: String?
        var closureReason: String
        var outcomes: String
        var feedback: Int?
        /// The first-contact clock's not-applicable reason code, or empty.
        var firstContactNA: String
    }

    struct Contact: Sendable {
        var id: Int
        var contactedAt: String
        var channel: String
        var outcome: String
        var note: String
        var userName: String
    }

    struct Read: Decodable, Sendable {
        var id: Int
        var caseId: Int
        var readAt: String
        var userName: String
        var organisationName: String?
        var what: String
        var purpose: String
        var justification: String
        var recipient: String
    }

    private struct CaseRow: Decodable {
        var id: Int
        var organisationId: Int
        var referredByName: String?
        var source: String
        var reference: String?
        var crimeReference: String
        var crimeType: String
        var reportedOn: String
        var receivedAt: String
        var duplicateOf: Int?
        var nameSealed: String
        var dateOfBirthSealed: String
        var phoneSealed: String
        var emailSealed: String
        var addressSealed: String
        var preferencesSealed: String
        var language: String
        var interpreter: Int
        var ageBand: String
        var enhanced: String
        var explicitConsent: Int
        var consentOn: String?
        var consentHow: String?
        var localAuthority: String
        var status: String
        var closedAt: String?
        var closureReason: String
        var outcomes: String
        var feedback: Int?
        var firstContactNa: String
    }

    /// Whether `id` is a case `viewer`'s organisation holds (without reading or logging it).
    func holds(_ id: Int, viewer: CurrentUser, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var id: Int }
        return try await db.sql.raw(
            "SELECT id FROM victim_cases WHERE id = \(bind: id) AND organisation_id = \(bind: viewer.organisationID)"
        ).row(Row.self) != nil
    }

    /// The case, opened, if `viewer`'s organisation holds it; the read is logged with its
    /// purpose in the same transaction (no record leaves without its log line). Nil, and
    /// nothing logged, for anyone else.
    func openCase(
        _ id: Int, viewer: CurrentUser, what: String, purpose: Victims.Purpose, justification: String,
        recipient: String = "", on db: any Database
    ) async throws -> Case? {
        let cipher = try requireCipher()
        return try await db.transaction { tx in
            guard
                let r = try await tx.sql.raw(
                    """
                    SELECT c.id, c.organisation_id, o.name AS referred_by_name, c.source, c.reference, c.crime_reference,
                      c.crime_type, c.reported_on, c.received_at, c.duplicate_of, c.name_sealed, c.date_of_birth_sealed,
                      c.phone_sealed, c.email_sealed, c.address_sealed, c.preferences_sealed, c.language, c.interpreter,
                      c.age_band, c.enhanced, c.explicit_consent, c.consent_on, c.consent_how, c.local_authority,
                      c.status, c.closed_at, c.closure_reason, c.outcomes, c.feedback, c.first_contact_na
                    FROM victim_cases c LEFT JOIN organisations o ON o.id = c.referred_by
                    WHERE c.id = \(bind: id) AND c.organisation_id = \(bind: viewer.organisationID)
                    """
                ).row(CaseRow.self)
            else { return nil }
            try await logRead(
                r.id, holder: r.organisationId, viewer: viewer, what: what, purpose: purpose,
                justification: justification, recipient: recipient, on: tx)
            func open(_ sealed: String, _ field: String) throws -> String {
                sealed.isEmpty ? "" : try cipher.open(sealed, field: field)
            }
            return Case(
                id: r.id, holderId: r.organisationId, referredBy: r.referredByName,
                source: Victims.Source(rawValue: r.source) ?? .agency, reference: r.reference ?? "",
                crimeReference: r.crimeReference, crimeType: Victims.CrimeType(rawValue: r.crimeType) ?? .other,
                reportedOn: r.reportedOn, receivedAt: r.receivedAt, duplicateOf: r.duplicateOf,
                name: try open(r.nameSealed, "name"), dateOfBirth: try open(r.dateOfBirthSealed, "date_of_birth"),
                phone: try open(r.phoneSealed, "phone"), email: try open(r.emailSealed, "email"),
                address: try open(r.addressSealed, "address"),
                preferences: try open(r.preferencesSealed, "preferences"),
                language: r.language, interpreter: r.interpreter != 0,
                ageBand: Victims.AgeBand(rawValue: r.ageBand) ?? .unknown, enhanced: Victims.parseStored(r.enhanced),
                explicitConsent: r.explicitConsent != 0, consentOn: r.consentOn, consentHow: r.consentHow,
                localAuthority: r.localAuthority, status: r.status, closedAt: r.closedAt,
                closureReason: r.closureReason,
                outcomes: r.outcomes, feedback: r.feedback, firstContactNA: r.firstContactNa)
        }
    }

    /// One line of the read log. Only inserts: the table refuses UPDATE and DELETE.
    func logRead(
        _ caseID: Int, holder: Int, viewer: CurrentUser, what: String, purpose: Victims.Purpose, justification: String,
        recipient: String = "", on db: any Database
    ) async throws {
        try await db.sql.raw(
            """
            INSERT INTO victim_case_reads (case_id, holder_id, read_at, user_id, user_name, organisation_id, what, purpose,
              justification, recipient)
            VALUES (\(bind: caseID), \(bind: holder), \(bind: now().stored), \(bind: viewer.id), \(bind: viewer.name),
              \(bind: viewer.organisationID), \(bind: what), \(bind: purpose.rawValue), \(bind: justification),
              \(bind: recipient))
            """
        ).run()
    }

    /// Who read this case, newest first: for the holding organisation's admin.
    func reads(ofCase id: Int, holder: Int, on db: any Database) async throws -> [Read] {
        try await db.sql.raw(
            """
            SELECT r.id, r.case_id, r.read_at, r.user_name, o.name AS organisation_name, r.what, r.purpose,
              r.justification, r.recipient
            FROM victim_case_reads r LEFT JOIN organisations o ON o.id = r.organisation_id
            WHERE r.case_id = \(bind: id) AND r.holder_id = \(bind: holder) ORDER BY r.id DESC
            """
        ).rows(Read.self)
    }

    /// The holding organisation's whole read log, oldest first (the export for the
    /// Information Commissioner), from `after` (an id) for paging.
    func reads(holder: Int, after: Int = 0, limit: Int, on db: any Database) async throws -> [Read] {
        try await db.sql.raw(
            """
            SELECT r.id, r.case_id, r.read_at, r.user_name, o.name AS organisation_name, r.what, r.purpose,
              r.justification, r.recipient
            FROM victim_case_reads r LEFT JOIN organisations o ON o.id = r.organisation_id
            WHERE r.holder_id = \(bind: holder) AND r.id > \(bind: after) ORDER BY r.id LIMIT \(bind: limit)
            """
        ).rows(Read.self)
    }

    // MARK: Contacts

    static let contactOutcomes = ["made-contact", "no-answer", "left-message", "declined-support", "wrong-details"]

    static func outcomeLabel(_ code: String) -> String {
        switch code {
        case "made-contact": "Spoke to the victim"
        case "no-answer": "No answer"
        case "left-message": "Left a message"
        case "declined-support": "Victim declined support"
        case "wrong-details": "Contact details wrong"
        default: code
        }
    }

    /// The case's contacts, oldest first; notes opened (the case was read, and logged, to get here).
    func contacts(ofCase id: Int, on db: any Database) async throws -> [Contact] {
        let cipher = try requireCipher()
        struct Row: Decodable {
            var id: Int; var contactedAt: String; var channel: String; var outcome: String; var noteSealed: String
            var userName: String?
        }
        return try await db.sql.raw(
            """
            SELECT k.id, k.contacted_at, k.channel, k.outcome, k.note_sealed, u.name AS user_name
            FROM victim_contacts k LEFT JOIN users u ON u.id = k.user_id WHERE k.case_id = \(bind: id)
            ORDER BY k.contacted_at, k.id
            """
        ).rows(Row.self).map {
            Contact(
                id: $0.id, contactedAt: $0.contactedAt, channel: $0.channel, outcome: $0.outcome,
                note: $0.noteSealed.isEmpty ? "" : try cipher.open($0.noteSealed, field: "contact_note"),
                userName: $0.userName ?? "")
        }
    }

    /// Records a contact on a case `viewer`'s organisation holds; false if it holds no such case.
    func addContact(
        toCase id: Int, at: Date, channel: Victims.ContactChannel, outcome: String, note: String, viewer: CurrentUser,
        on db: any Database
    ) async throws -> Bool {
        let cipher = try requireCipher()
        guard try await holds(id, viewer: viewer, on: db) else { return false }
        let sealed = note.isEmpty ? "" : try cipher.seal(note, field: "contact_note")
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                INSERT INTO victim_contacts (case_id, contacted_at, channel, outcome, note_sealed, user_id)
                VALUES (\(bind: id), \(bind: at.stored), \(bind: channel.rawValue), \(bind: outcome), \(bind: sealed),
                  \(bind: viewer.id))
                """
            ).run()
            try await tx.sql.raw(
                "UPDATE victim_cases SET updated_at = \(bind: now().stored) WHERE id = \(bind: id)"
            ).run()
            try await recomputeClocks([id], on: tx)
            try await audit.record(
                "contact", entity: "victim_cases", id: String(id), before: nil as String?,
                after: ["channel": channel.rawValue, "outcome": outcome], by: viewer, on: tx)
        }
        return true
    }
}
