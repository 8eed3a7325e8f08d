import Fluent
import Vapor

/// An organisation's own page, for its admins (partner admins; OPCC admins for the OPCC):
/// its contact, its people (add an account, disable one) and its API tokens (make one,
/// revoke one). Everything is bounded to the admin's own organisation on the server; ids
/// of other organisations' users or tokens get a 404.
struct OrganisationController: Sendable {
    let users: UserStore
    let tokens: APITokenStore
    let links: PasswordLinks
    let queue: MailQueue
    let mail: MailSettings

    struct Page: Encodable {
        struct Person: Encodable {
            var id: Int; var email: String; var name: String; var role: String; var active: Bool; var isMe: Bool
        }
        var title: String
        var csrf: String
        var name: String
        var kind: String
        var contactName: String
        var contactEmail: String
        var contactPhone: String
        var people: [Person]
        var roles: [SelectOption]
        var tokens: [APITokenStore.Token]
        var errors: [FieldError]
        var hasErrors: Bool
        var problem: String?
        /// A password or token to show once.
        var secretLabel: String?
        var secret: String?
        var notice: String?
        var form: [String: String]
        /// OPCC admins get links to the site's administration pages.
        var isOPCCAdmin = false
    }

    private func page(
        _ req: Request, errors: [FieldError] = [], secret: (label: String, value: String)? = nil, notice: String? = nil,
        form: [String: String] = [:]
    ) async throws -> Response {
        let user = try req.signedInUser()
        guard let org = try await users.organisation(id: user.organisationID, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such organisation.")
        }
        let people = try await users.users(organisationID: user.organisationID, on: req.db)
        let p = Page(
            title: org.name, csrf: req.csrfToken, name: org.name,
            kind: OrganisationKind(rawValue: org.kind)?.label ?? org.kind,
            contactName: form["contact_name"] ?? org.contactName,
            contactEmail: form["contact_email"] ?? org.contactEmail,
            contactPhone: form["contact_phone"] ?? org.contactPhone,
            people: people.map {
                .init(
                    id: $0.id, email: $0.email, name: $0.name, role: Role(rawValue: $0.role)?.label ?? $0.role,
                    active: $0.disabledAt == nil, isMe: $0.id == user.id)
            },
            roles: Self.assignableRoles(user).map {
                SelectOption(value: $0.rawValue, label: $0.label, selected: form["role"] == $0.rawValue)
            },
            tokens: try await tokens.list(organisationID: user.organisationID, on: req.db),
            errors: errors, hasErrors: !errors.isEmpty, problem: nil, secretLabel: secret?.label, secret: secret?.value,
            notice: notice,
            form: form, isOPCCAdmin: user.role == .opccAdmin)
        let response = try await req.render("organisation", p, status: errors.isEmpty ? .ok : .badRequest)
        // A page showing a password or token once must not be cached anywhere.
        if secret != nil { response.headers.replaceOrAdd(name: .cacheControl, value: "no-store") }
        return response
    }

    /// The roles an admin may give within their own organisation.
    static func assignableRoles(_ user: CurrentUser) -> [Role] {
        user.role == .opccAdmin ? [.opccStaff, .opccAdmin] : [.partnerUser, .partnerAdmin]
    }

    @Sendable func show(req: Request) async throws -> Response { try await page(req) }

    @Sendable func updateContact(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let contact = OrganisationContact(
            name: form["contact_name"] ?? "", email: form["contact_email"] ?? "", phone: form["contact_phone"] ?? "")
        let errors = contact.problems
        guard errors.isEmpty else { return try await page(req, errors: errors, form: form) }
        try await users.updateContact(
            contact, organisationID: (try req.signedInUser()).organisationID, by: try req.signedInUser(), on: req.db)
        return try await page(req, notice: "Contact saved.")
    }

    @Sendable func addUser(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let form = try req.content.decode([String: String].self)
        guard let role = Role(rawValue: form["role"] ?? ""), Self.assignableRoles(user).contains(role) else {
            return try await page(req, errors: [FieldError(field: "role", message: "Choose a role")], form: form)
        }
        do {
            guard let org = try await users.organisation(id: user.organisationID, on: req.db) else {
                throw Abort(.notFound, reason: "There is no such organisation.")
            }
            // Nobody sees a password: the account starts with a random one nobody knows, and
            // the person chooses their own from the welcome e-mail's link.
            let made = try await req.db.transaction { tx in
                let made = try await users.createUser(
                    email: form["email"] ?? "", name: form["name"] ?? "", role: role,
                    organisation: .init(id: org.id, slug: org.slug, name: org.name, kind: org.kind),
                    password: SessionStore.randomToken(), by: user, pool: req.application.passwordHasher, on: tx)
                let token = try await links.create(userID: made.id, purpose: .welcome, on: tx)
                let text = MailTexts.welcome(
                    name: made.name, email: made.email, role: role.label, organisation: org.name,
                    madeBy: "\(user.name) of \(user.organisationName)",
                    link: mail.publicURL + SiteURL.passwordReset() + "?token=" + token,
                    forgotLink: mail.publicURL + SiteURL.passwordForgot())
                try await queue.enqueue(.welcome, to: made.email, subject: text.subject, body: text.body, on: tx)
                return made
            }
            return try await page(
                req,
                notice:
                    "Account made for \(made.email). A welcome e-mail with a link to choose a password is on its way to them; the link works once, for \(PasswordLinks.Purpose.welcome.lifetimeText)."
            )
        } catch UserStore.Problem.invalid(let errors) {
            return try await page(req, errors: errors.filter { $0.field != "password" }, form: form)
        }
    }

    @Sendable func disableUser(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        guard let id = req.parameters.get("id", as: Int.self), id != user.id,
            try await users.disable(id, organisationID: user.organisationID, by: user, on: req.db)
        else {
            throw Abort(
                .notFound, reason: "There is no such account in your organisation (and you cannot disable your own).")
        }
        return try await page(req, notice: "Account disabled; its sessions have ended.")
    }

    @Sendable func createToken(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            let token = try await tokens.create(name: form["token_name"] ?? "", by: try req.signedInUser(), on: req.db)
            return try await page(
                req,
                secret: (
                    "API token “\(form["token_name"] ?? "")” (shown once: store it in the system that will use it)",
                    token
                ))
        } catch let e as FieldErrors {
            return try await page(
                req, errors: e.errors.map { FieldError(field: "token_name", message: $0.message) }, form: form)
        }
    }

    @Sendable func revokeToken(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self),
            try await tokens.revoke(id, by: try req.signedInUser(), on: req.db)
        else {
            throw Abort(.notFound, reason: "There is no such live token in your organisation.")
        }
        return try await page(req, notice: "Token revoked: it no longer works.")
    }
}

/// An organisation's contact, as entered.
struct OrganisationContact: Codable, Sendable {
    var name: String
    var email: String
    var phone: String

    var problems: [FieldError] {
        var e: [FieldError] = []
        if name.count > 120 {
            e.append(FieldError(field: "contact_name", message: "Keep the contact's name under 120 characters"))
        }
        let mail = email.trimmingCharacters(in: .whitespaces)
        if !mail.isEmpty && !UserStore.isEmailAddress(mail) {
            e.append(FieldError(field: "contact_email", message: "Enter an email address like name@example.org"))
        }
        if phone.count > 40 || phone.contains(where: { !"0123456789 +()-".contains($0) }) {
            e.append(
                FieldError(field: "contact_phone", message: "Enter a phone number of digits, spaces, +, ( ) and -"))
        }
        return e
    }
}
