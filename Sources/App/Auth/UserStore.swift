import CrimeData
import Fluent
import Foundation
import SQLKit
import Vapor

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
        var organisation_id: Int
        var disabled_at: String?
    }

    enum Problem: Error, CustomStringConvertible {
        case invalid([FieldError])
        var description: String {
            switch self { case .invalid(let e): e.map(\.message).joined(separator: "; ") }
        }
    }

    /// The organisation called `name`, created with `kind` if it does not exist.
    func organisation(named name: String, kind: OrganisationKind, by actor: CurrentUser?, on db: any Database) async throws -> Organisation {
        let slug = CrimeCategory.slug(forName: name)
        if let existing = try await db.sql.raw("SELECT id, slug, name, kind FROM organisations WHERE slug = \(bind: slug)")
            .first(decoding: Organisation.self)
        {
            return existing
        }
        let now = ISO8601DateFormatter().string(from: Date())
        let id = try await db.sql.raw("""
            INSERT INTO organisations (slug, name, kind, created_at) VALUES (\(bind: slug), \(bind: name), \(bind: kind.rawValue), \(bind: now))
            RETURNING id
            """).first(decodingColumn: "id", as: Int.self)!
        let org = Organisation(id: id, slug: slug, name: name, kind: kind.rawValue)
        try await audit.record("create", entity: "organisation", id: String(id), before: nil as Organisation?, after: org, by: actor, on: db)
        return org
    }

    /// Checks a new user's details; every problem at once.
    static func problems(email: String, name: String, password: String) -> [FieldError] {
        var errors: [FieldError] = []
        let at = email.firstIndex(of: "@")
        if at == nil || email.hasPrefix("@") || email.hasSuffix("@") || email.contains(" ") || email.count > 254 {
            errors.append(FieldError(field: "email", message: "Enter an email address like name@example.org"))
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 120 {
            errors.append(FieldError(field: "name", message: "Enter the person's name (up to 120 characters)"))
        }
        if let p = Passwords.problem(password) { errors.append(FieldError(field: "password", message: p)) }
        return errors
    }

    func createUser(
        email: String, name: String, role: Role, organisation: Organisation, password: String, by actor: CurrentUser?,
        pool: NIOThreadPool, on db: any Database
    ) async throws -> User {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        let errors = Self.problems(email: email, name: name, password: password)
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        if try await db.sql.raw("SELECT id FROM users WHERE email = \(bind: email)").first(decodingColumn: "id", as: Int.self) != nil {
            throw Problem.invalid([FieldError(field: "email", message: "There is already an account for \(email)")])
        }
        let hash = try await Passwords.hash(password, on: pool)
        let now = ISO8601DateFormatter().string(from: Date())
        return try await db.transaction { tx in
            let id = try await tx.sql.raw("""
                INSERT INTO users (organisation_id, email, name, role, password_hash, created_at)
                VALUES (\(bind: organisation.id), \(bind: email), \(bind: name), \(bind: role.rawValue), \(bind: hash), \(bind: now))
                RETURNING id
                """).first(decodingColumn: "id", as: Int.self)!
            let user = User(id: id, email: email, name: name, role: role.rawValue, organisation_id: organisation.id)
            // The audit log never holds the password or its hash.
            try await audit.record("create", entity: "user", id: String(id), before: nil as User?, after: user, by: actor, on: tx)
            return user
        }
    }

    func users(on db: any Database) async throws -> [User] {
        try await db.sql.raw("SELECT id, email, name, role, organisation_id, disabled_at FROM users ORDER BY email")
            .all(decoding: User.self)
    }
}
