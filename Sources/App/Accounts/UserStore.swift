import CrimeData
import Fluent
import Foundation
import SQLKit

/// Organisations and users: creating them (with the audit log) and listing them.
struct UserStore: Sendable {
    let audit: AuditLog

    struct Organisation: Codable, Sendable {
        var id: Int
        var slug: String
        var name: String
        var kind: String
    }

    struct User: Codable, Sendable {
        var id: Int
        var email: String
        var name: String
        var role: String
        var organisationId: Int
        var disabledAt: String?
    }

    enum Problem: Error, CustomStringConvertible {
        case invalid([FieldError])
        var description: String {
            switch self {
            case .invalid(let e): e.map(\.message).joined(separator: "; ")
            }
        }
    }

    /// The organisation called `name`, created with `kind` if it does not exist.
    func organisation(named name: String, kind: OrganisationKind, by actor: CurrentUser?, on db: any Database)
        async throws -> Organisation
    {
        let slug = CrimeCategory.slug(forName: name)
        if let existing = try await db.sql.raw(
            "SELECT id, slug, name, kind FROM organisations WHERE slug = \(bind: slug)"
        )
        .row(Organisation.self) {
            return existing
        }
        let now = Date().stored
        let id = try await db.sql.raw(
            """
            INSERT INTO organisations (slug, name, kind, created_at) VALUES (\(bind: slug), \(bind: name), \(bind: kind.rawValue), \(bind: now))
            RETURNING id
            """
        ).insertedID()
        let org = Organisation(id: id, slug: slug, name: name, kind: kind.rawValue)
        try await audit.record(
            "create", entity: "organisation", id: String(id), before: nil as Organisation?, after: org, by: actor,
            on: db)
        return org
    }

    /// Whether text looks like an email address (something@something, no spaces, ≤ 254).
    static func isEmailAddress(_ email: String) -> Bool {
        email.contains("@") && !email.hasPrefix("@") && !email.hasSuffix("@") && !email.contains(" ")
            && email.count <= 254
    }

    /// Checks a new user's details; every problem at once.
    static func problems(email: String, name: String, password: String) -> [FieldError] {
        var errors: [FieldError] = []
        if !isEmailAddress(email) {
            errors.append(FieldError(field: "email", message: "Enter an email address like name@example.org"))
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 120 {
            errors.append(FieldError(field: "name", message: "Enter the person's name (up to 120 characters)"))
        }
        if let p = Passwords.problem(password, email: email) {
            errors.append(FieldError(field: "password", message: p))
        }
        return errors
    }

    func createUser(
        email: String, name: String, role: Role, organisation: Organisation, password: String, by actor: CurrentUser?,
        pool: PasswordHasher, on db: any Database
    ) async throws -> User {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        let errors = Self.problems(email: email, name: name, password: password)
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        if try await db.sql.raw("SELECT id FROM users WHERE email = \(bind: email)").first(
            decodingColumn: "id", as: Int.self) != nil
        {
            throw Problem.invalid([FieldError(field: "email", message: "There is already an account for \(email)")])
        }
        let hash = try await Passwords.hash(password, on: pool)
        return try await insertUser(
            email: email, name: name, role: role, organisation: organisation, passwordHash: hash, by: actor, on: db)
    }

    /// Stores an account whose password was hashed already (a registration approved), with
    /// its audit entry; the caller has checked the e-mail address is free.
    func insertUser(
        email: String, name: String, role: Role, organisation: Organisation, passwordHash hash: String,
        by actor: CurrentUser?, on db: any Database
    ) async throws -> User {
        let now = Date().stored
        return try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO users (organisation_id, email, name, role, password_hash, created_at)
                VALUES (\(bind: organisation.id), \(bind: email), \(bind: name), \(bind: role.rawValue), \(bind: hash), \(bind: now))
                RETURNING id
                """
            ).insertedID()
            let user = User(id: id, email: email, name: name, role: role.rawValue, organisationId: organisation.id)
            // The audit log never holds the password or its hash.
            try await audit.record(
                "create", entity: "user", id: String(id), before: nil as User?, after: user, by: actor, on: tx)
            return user
        }
    }

    struct OrganisationDetails: Codable, Sendable {
        var id: Int
        var slug: String
        var name: String
        var kind: String
        var contactName: String
        var contactEmail: String
        var contactPhone: String
    }

    /// The organisation with `id`, or nil.
    func organisation(id: Int, on db: any Database) async throws -> OrganisationDetails? {
        try await db.sql.raw(
            """
            SELECT id, slug, name, kind, contact_name, contact_email, contact_phone FROM organisations WHERE id = \(bind: id)
            """
        ).row(OrganisationDetails.self)
    }

    /// Every organisation with its contact and number of active accounts.
    func organisations(on db: any Database) async throws -> [(OrganisationDetails, accounts: Int)] {
        struct Row: Decodable { var id: Int; var n: Int }
        let counts = try await db.sql.raw(
            """
            SELECT organisation_id AS id, COUNT(*) AS n FROM users WHERE disabled_at IS NULL GROUP BY organisation_id
            """
        ).rows(Row.self)
        let byOrg = Dictionary(uniqueKeysWithValues: counts.map { ($0.id, $0.n) })
        return try await db.sql.raw(
            "SELECT id, slug, name, kind, contact_name, contact_email, contact_phone FROM organisations ORDER BY name"
        )
        .rows(OrganisationDetails.self).map { ($0, byOrg[$0.id] ?? 0) }
    }

    func updateContact(_ contact: OrganisationContact, organisationID: Int, by user: CurrentUser, on db: any Database)
        async throws
    {
        try await db.transaction { tx in
            guard let before = try await organisation(id: organisationID, on: tx) else { return }
            let c = OrganisationContact(
                name: contact.name.trimmingCharacters(in: .whitespaces),
                email: contact.email.trimmingCharacters(in: .whitespaces),
                phone: contact.phone.trimmingCharacters(in: .whitespaces))
            try await tx.sql.raw(
                """
                UPDATE organisations SET contact_name = \(bind: c.name), contact_email = \(bind: c.email), contact_phone = \(bind: c.phone)
                WHERE id = \(bind: organisationID)
                """
            ).run()
            try await audit.record(
                "update", entity: "organisation", id: String(organisationID),
                before: OrganisationContact(
                    name: before.contactName, email: before.contactEmail, phone: before.contactPhone),
                after: c, by: user, on: tx)
        }
    }

    /// Disables an account of the organisation and ends its sessions; false if there is no
    /// such active account there.
    func disable(_ id: Int, organisationID: Int, by user: CurrentUser?, on db: any Database) async throws -> Bool {
        let now = Date().stored
        return try await db.transaction { tx in
            guard
                let target = try await tx.sql.raw(
                    """
                    SELECT id, email, name, role, organisation_id, disabled_at FROM users
                    WHERE id = \(bind: id) AND organisation_id = \(bind: organisationID) AND disabled_at IS NULL
                    """
                ).row(User.self)
            else { return false }
            try await tx.sql.raw("UPDATE users SET disabled_at = \(bind: now) WHERE id = \(bind: id)").run()
            try await tx.sql.raw(
                "UPDATE sessions SET revoked_at = \(bind: now) WHERE user_id = \(bind: id) AND revoked_at IS NULL"
            ).run()
            var after = target
            after.disabledAt = now
            try await audit.record(
                "disable", entity: "user", id: String(id), before: target, after: after, by: user, on: tx)
            return true
        }
    }

    func users(organisationID: Int, on db: any Database) async throws -> [User] {
        try await db.sql.raw(
            """
            SELECT id, email, name, role, organisation_id, disabled_at FROM users WHERE organisation_id = \(bind: organisationID) ORDER BY email
            """
        ).rows(User.self)
    }

    func users(on db: any Database) async throws -> [User] {
        try await db.sql.raw("SELECT id, email, name, role, organisation_id, disabled_at FROM users ORDER BY email")
            .rows(User.self)
    }

    // MARK: E-mail reminders

    /// The notification kinds the person has turned off.
    func notificationsOff(userID: Int, on db: any Database) async throws -> Set<String> {
        Set(
            try await db.sql.raw("SELECT kind FROM notification_optouts WHERE user_id = \(bind: userID)").all(
                decodingColumn: "kind", as: String.self))
    }

    func setNotificationsOff(_ kinds: [String], userID: Int, on db: any Database) async throws {
        try await db.transaction { tx in
            try await tx.sql.raw("DELETE FROM notification_optouts WHERE user_id = \(bind: userID)").run()
            for kind in kinds {
                try await tx.sql.raw(
                    "INSERT INTO notification_optouts (user_id, kind) VALUES (\(bind: userID), \(bind: kind))"
                ).run()
            }
        }
    }

    // MARK: Signing in and changing a password

    struct Credentials: Decodable, Sendable {
        var id: Int
        var passwordHash: String
        var disabledAt: String?
    }

    /// The account signing in with `email` (lower-cased), or nil.
    func credentials(email: String, on db: any Database) async throws -> Credentials? {
        try await db.sql.raw("SELECT id, password_hash, disabled_at FROM users WHERE email = \(bind: email)").row(
            Credentials.self)
    }

    /// The password hash of user `id`, or nil.
    func passwordHash(userID id: Int, on db: any Database) async throws -> String? {
        try await db.sql.raw("SELECT password_hash FROM users WHERE id = \(bind: id)").first(
            decodingColumn: "password_hash", as: String.self)
    }

    /// Sets a user's new password hash and ends their other sessions (all but `keeping`),
    /// with the audit record (never the password).
    func changePassword(
        _ user: CurrentUser, newHash: String, keeping sessionHash: String, at time: Date, on db: any Database
    ) async throws {
        let now = time.stored
        try await db.transaction { tx in
            try await tx.sql.raw("UPDATE users SET password_hash = \(bind: newHash) WHERE id = \(bind: user.id)").run()
            try await tx.sql.raw(
                """
                UPDATE sessions SET revoked_at = \(bind: now)
                WHERE user_id = \(bind: user.id) AND token_hash <> \(bind: sessionHash) AND revoked_at IS NULL
                """
            ).run()
            try await audit.record(
                "change password", entity: "user", id: String(user.id), before: nil as String?, after: nil as String?,
                by: user, on: tx)
        }
    }
}
