import CrimeData
import Fluent
import Foundation
import SQLKit

/// Organisations that register to apply for grants. A registration is held with no account
/// until OPCC staff approve it: then, in one transaction, the organisation is created with its
/// org-id identifier and the person who registered becomes its administrator (the password
/// they chose, kept only as its hash, moves to the account and is cleared here). A declined
/// registration keeps the reason and loses the hash.
struct RegistrationStore: Sendable {
    let audit: AuditLog
    let users: UserStore

    enum Status: String, Codable, Sendable {
        case pending, approved, declined
    }

    struct Registration: Codable, Sendable {
        var id: Int
        var organisationName: String
        var kind: String
        var orgIdentifier: String
        var about: String
        var contactName: String
        var email: String
        var status: Status
        var createdAt: String
        var decisionNote: String
    }

    /// The kinds an applicant may register as (never the OPCC or the police).
    static let kinds: [OrganisationKind] = [
        .voluntary, .business, .youthService, .drugAndAlcoholService, .housingProvider, .businessImprovementDistrict,
        .districtCouncil, .nhs,
    ]

    struct Draft: Sendable {
        var organisationName: String
        var kind: String
        /// An org-id list code (`GB-CHC`, …) or "none" for an unregistered group.
        var register: String
        var number: String
        var about: String
        var contactName: String
        var email: String
        var password: String

        /// What is wrong, and the org-id identifier when the register number is right.
        func check() -> (problems: [FieldError], identifier: String) {
            var problems: [FieldError] = []
            let name = organisationName.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.count < 2 || name.count > 160 {
                problems.append(
                    FieldError(
                        field: "organisationName", message: "Give the organisation's name (up to 160 characters)"))
            }
            if OrganisationKind(rawValue: kind).map({ RegistrationStore.kinds.contains($0) }) != true {
                problems.append(FieldError(field: "kind", message: "Choose what kind of organisation it is"))
            }
            var identifier = ""
            if register != "none" {
                if let r = OrgIdentifier.Register(rawValue: register) {
                    switch OrgIdentifier.make(r, number) {
                    case .success(let id): identifier = id
                    case .failure(let e): problems.append(e)
                    }
                } else {
                    problems.append(
                        FieldError(field: "register", message: "Choose the register the organisation is on, or none"))
                }
            }
            if about.count > 2_000 {
                problems.append(
                    FieldError(field: "about", message: "Say what the organisation does in under 2,000 characters"))
            }
            let email = email.trimmingCharacters(in: .whitespaces).lowercased()
            problems += UserStore.problems(email: email, name: contactName, password: password).map {
                $0.field == "name"
                    ? FieldError(field: "contactName", message: "Give your name (up to 120 characters)") : $0
            }
            return (problems, identifier)
        }
    }

    /// Holds a registration for approval. Refused (with the field named) when the name or
    /// register number belongs to an organisation already here: its administrator adds people.
    /// An e-mail address that already has an account or a registration waiting is accepted
    /// without storing anything, so the form never tells a stranger who has an account.
    func register(_ d: Draft, pool: PasswordHasher, on db: any Database) async throws {
        let (problems, identifier) = d.check()
        guard problems.isEmpty else { throw GrantStore.Problem.invalid(problems) }
        let name = d.organisationName.trimmingCharacters(in: .whitespacesAndNewlines)
        let email = d.email.trimmingCharacters(in: .whitespaces).lowercased()
        let slug = CrimeCategory.slug(forName: name)
        struct Found: Decodable { var id: Int }
        if try await db.sql.raw("SELECT id FROM organisations WHERE slug = \(bind: slug)").row(Found.self) != nil {
            throw GrantStore.Problem.invalid([
                FieldError(
                    field: "organisationName",
                    message: "“\(name)” is already here: ask its administrator to give you an account")
            ])
        }
        if !identifier.isEmpty,
            try await db.sql.raw("SELECT id FROM organisations WHERE org_identifier = \(bind: identifier)").row(
                Found.self) != nil
        {
            throw GrantStore.Problem.invalid([
                FieldError(
                    field: "number",
                    message:
                        "An organisation with \(identifier) is already here: ask its administrator to give you an account"
                )
            ])
        }
        let account = try await db.sql.raw("SELECT id FROM users WHERE email = \(bind: email)").row(Found.self)
        let waiting = try await db.sql.raw(
            "SELECT id FROM organisation_registrations WHERE email = \(bind: email) AND status = 'pending'"
        ).row(Found.self)
        let taken = account != nil || waiting != nil
        // Hash even when nothing is stored, so both answers take the same time.
        let hash = try await Passwords.hash(d.password, on: pool)
        guard !taken else { return }
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO organisation_registrations (organisation_name, kind, org_identifier, about, contact_name, email,
                  password_hash, status, created_at)
                VALUES (\(bind: name), \(bind: d.kind), \(bind: identifier), \(bind: d.about), \(bind: d.contactName),
                  \(bind: email), \(bind: hash), 'pending', \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "register", entity: "organisation-registration", id: String(id), before: String?.none,
                after: ["organisation_name": name, "kind": d.kind, "org_identifier": identifier], by: nil, on: tx)
        }
    }

    private static let columns = """
        id, organisation_name, kind, org_identifier, about, contact_name, email, status, created_at, decision_note
        """

    func pending(limit: Int = 200, on db: any Database) async throws -> [Registration] {
        try await db.sql.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM organisation_registrations WHERE status = 'pending'
            ORDER BY id LIMIT \(bind: limit)
            """
        ).rows(Registration.self)
    }

    func registration(id: Int, on db: any Database) async throws -> Registration? {
        try await db.sql.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM organisation_registrations WHERE id = \(bind: id)"
        ).row(Registration.self)
    }

    /// Approves (creating the organisation and its administrator) or declines with a reason.
    func decide(_ r: Registration, approve: Bool, note: String, by user: CurrentUser, on db: any Database) async throws
    {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard r.status == .pending else {
            throw GrantStore.Problem.invalid([FieldError(field: "decision", message: "That registration is decided")])
        }
        if !approve && (note.isEmpty || note.count > 2_000) {
            throw GrantStore.Problem.invalid([
                FieldError(field: "note-\(r.id)", message: "Give the reason the registration is declined")
            ])
        }
        struct Found: Decodable { var id: Int }
        if approve {
            let slug = CrimeCategory.slug(forName: r.organisationName)
            let named = try await db.sql.raw("SELECT id FROM organisations WHERE slug = \(bind: slug)").row(Found.self)
            let account = try await db.sql.raw("SELECT id FROM users WHERE email = \(bind: r.email)").row(Found.self)
            if named != nil || account != nil || OrganisationKind(rawValue: r.kind) == nil {
                throw GrantStore.Problem.invalid([
                    FieldError(
                        field: "decision",
                        message: "An organisation of that name or an account with that e-mail address is here already")
                ])
            }
        }
        let now = Date().stored
        try await db.transaction { tx in
            struct Hash: Decodable { var passwordHash: String }
            let hash =
                try await tx.sql.raw(
                    "SELECT password_hash FROM organisation_registrations WHERE id = \(bind: r.id)"
                ).row(Hash.self)?.passwordHash ?? ""
            var organisationID: Int?
            if approve, let kind = OrganisationKind(rawValue: r.kind) {
                let org = try await users.organisation(named: r.organisationName, kind: kind, by: user, on: tx)
                if !r.orgIdentifier.isEmpty {
                    try await tx.sql.raw(
                        "UPDATE organisations SET org_identifier = \(bind: r.orgIdentifier) WHERE id = \(bind: org.id)"
                    ).run()
                }
                _ = try await users.insertUser(
                    email: r.email, name: r.contactName, role: .partnerAdmin, organisation: org, passwordHash: hash,
                    by: user, on: tx)
                organisationID = org.id
            }
            try await tx.sql.raw(
                """
                UPDATE organisation_registrations SET status = \(bind: approve ? "approved" : "declined"),
                  decided_at = \(bind: now), decided_by = \(bind: user.id), decision_note = \(bind: note),
                  password_hash = '', organisation_id = \(bind: organisationID) WHERE id = \(bind: r.id)
                """
            ).run()
            try await audit.record(
                approve ? "approve" : "decline", entity: "organisation-registration", id: String(r.id),
                before: ["status": "pending"],
                after: [
                    "status": approve ? "approved" : "declined",
                    "organisation_id": organisationID.map(String.init) ?? "",
                ],
                by: user, on: tx)
        }
    }
}
