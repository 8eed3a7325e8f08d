import Foundation
import Vapor

/// `saferstreets users create|list|disable`: accounts from the command line. There are no
/// default accounts; this is how the first OPCC admin is made.
///
///     saferstreets users create --email admin@opcc.example --name "A Admin" --role opcc-admin \
///         --organisation "Norfolk OPCC" --kind opcc
///
/// The password is read from standard input with `--password-stdin`; otherwise a random
/// one is made and printed once.
struct UsersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create, list, disable or token")
        var action: String
        @Option(name: "email", help: "the person's email address (their sign-in name)")
        var email: String?
        @Option(name: "name", help: "create: the person's name; token: the system that will use the token")
        var name: String?
        @Option(name: "role", help: "create: opcc-admin, opcc-staff, partner-admin or partner-user")
        var role: String?
        @Option(name: "organisation", help: "create: their organisation's name (made if new)")
        var organisation: String?
        @Option(
            name: "kind", help: "create: the organisation's kind if it is new (e.g. opcc, police, district-council)")
        var kind: String?
        @Flag(name: "password-stdin", help: "create: read the password from standard input")
        var passwordStdin: Bool
    }

    var help: String { "Create, list or disable user accounts; make an API token for a person's organisation" }

    func run(using context: CommandContext, signature s: Signature) async throws {
        let app = context.application
        let store = UserStore(audit: AuditLog())
        try await reportingFailure(context) {
            switch s.action {
            case "create":
                guard let email = s.email, let name = s.name, let roleText = s.role, let orgName = s.organisation else {
                    throw CommandFailure(message: "users create: give --email, --name, --role and --organisation")
                }
                guard let role = Role(rawValue: roleText) else {
                    throw CommandFailure(
                        message: "--role: one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let kind = OrganisationKind(rawValue: s.kind ?? (role.isOPCC ? "opcc" : ""))
                guard let kind else {
                    throw CommandFailure(
                        message: "--kind: one of \(OrganisationKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                var password = SessionStore.randomToken().prefix(20).description
                var generated = true
                if s.passwordStdin {
                    password = readLine(strippingNewline: true) ?? ""
                    generated = false
                }
                let org = try await store.organisation(named: orgName, kind: kind, by: nil, on: app.db)
                do {
                    let user = try await store.createUser(
                        email: email, name: name, role: role, organisation: org, password: password, by: nil,
                        pool: app.passwordHasher, on: app.db)
                    context.console.print("created \(user.email) (\(role.label), \(org.name))")
                    if generated { context.console.print("password (shown once): \(password)") }
                } catch let e as UserStore.Problem {
                    throw CommandFailure(message: e.description)
                }
            case "list":
                for u in try await store.users(on: app.db) {
                    context.console.print("\(u.email)\t\(u.name)\t\(u.role)\(u.disabledAt == nil ? "" : "\tdisabled")")
                }
            case "disable":
                guard let email = s.email?.lowercased() else {
                    throw CommandFailure(message: "users disable: give --email")
                }
                guard let user = try await store.users(on: app.db).first(where: { $0.email == email }) else {
                    throw CommandFailure(message: "users disable: there is no account for \(email)")
                }
                guard try await store.disable(user.id, organisationID: user.organisationId, by: nil, on: app.db) else {
                    throw CommandFailure(message: "users disable: \(email) is already disabled")
                }
                context.console.print("disabled \(email) and ended their sessions")
            case "token":
                // An organisation's API token, made in the person's name (as the organisation
                // page does) and printed once: for scripts and CI that have no browser.
                guard let email = s.email?.lowercased(), let name = s.name else {
                    throw CommandFailure(
                        message:
                            "users token: give --email (the person making it) and --name (the system that will use it)")
                }
                guard let user = try await store.users(on: app.db).first(where: { $0.email == email }),
                    user.disabledAt == nil,
                    let role = Role(rawValue: user.role), role == .partnerAdmin || role == .opccAdmin
                else {
                    throw CommandFailure(
                        message: "users token: \(email) is not an active partner or OPCC admin account")
                }
                let organisation =
                    try await app.db.sql.raw("SELECT name FROM organisations WHERE id = \(bind: user.organisationId)")
                    .first(decodingColumn: "name", as: String.self) ?? ""
                let maker = CurrentUser(
                    id: user.id, name: user.name, email: user.email, role: role, organisationID: user.organisationId,
                    organisationName: organisation, csrfToken: "", sessionHash: "")
                do {
                    let token = try await APITokenStore(audit: AuditLog()).create(name: name, by: maker, on: app.db)
                    context.console.print(token)
                } catch let e as FieldErrors {
                    throw CommandFailure(message: e.errors.map(\.message).joined(separator: "; "))
                }
            default:
                throw CommandFailure(message: "users: the action is create, list, disable or token")
            }
        }
    }
}
