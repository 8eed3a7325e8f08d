import Fluent
import Vapor

/// OPCC pages: the audit log (admins), the accounts and the organisations with their
/// contacts (OPCC staff).
struct AdminController: Sendable {
    let audit: AuditLog
    let users: UserStore

    struct AuditPage: Encodable {
        struct Row: Encodable {
            var at: String
            var who: String
            var action: String
            var what: String
            var before: String
            var after: String
        }
        var title = "Audit log"
        var rows: [Row]
    }

    @Sendable func auditLog(req: Request) async throws -> Response {
        let entries = try await audit.latest(on: req.db)
        let rows = entries.map { e in
            AuditPage.Row(
                at: Format.dateTime(e.at),
                who: [e.userName ?? "command line", e.organisationName].compactMap { $0 }.joined(separator: ", "),
                action: e.action, what: "\(e.entity) \(e.entityId)", before: e.before ?? "", after: e.after ?? "")
        }
        return try await req.render("admin/audit", AuditPage(rows: rows))
    }

    struct UsersPage: Encodable {
        struct Row: Encodable {
            var email: String
            var name: String
            var role: String
            var status: String
        }
        var title = "Accounts"
        var rows: [Row]
    }

    @Sendable func users(req: Request) async throws -> Response {
        let rows = try await users.users(on: req.db).map {
            UsersPage.Row(
                email: $0.email, name: $0.name, role: Role(rawValue: $0.role)?.label ?? $0.role,
                status: $0.disabledAt == nil ? "Active" : "Disabled")
        }
        return try await req.render("admin/users", UsersPage(rows: rows))
    }

    struct OrganisationsPage: Encodable {
        struct Row: Encodable { var name: String; var kind: String; var contact: String; var accounts: Int }
        var title = "Organisations"
        var rows: [Row]
    }

    @Sendable func organisations(req: Request) async throws -> Response {
        let rows = try await users.organisations(on: req.db).map { o, n in
            OrganisationsPage.Row(
                name: o.name, kind: OrganisationKind(rawValue: o.kind)?.label ?? o.kind,
                contact: [o.contactName, o.contactEmail, o.contactPhone].filter { !$0.isEmpty }.joined(
                    separator: ", "), accounts: n)
        }
        return try await req.render("admin/organisations", OrganisationsPage(rows: rows))
    }
}
