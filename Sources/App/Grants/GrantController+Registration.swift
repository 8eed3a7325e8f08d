import Foundation
import Vapor

/// An organisation that is not yet a partner registers to apply: name, kind, register number
/// (checked, and made its org-id identifier), what it does, and the person registering with the
/// password they choose. Nothing can sign in until OPCC staff approve it on the grants page.
extension GrantController {
    struct RegistrationForm: Decodable {
        var organisationName: String?; var kind: String?; var register: String?; var number: String?
        var about: String?; var contactName: String?; var email: String?; var password: String?
    }

    struct RegisterPage: Encodable {
        var title = "Register an organisation to apply for grants"
        var form: RegistrationFields
        var kindOptions: [SelectOption]
        var registerOptions: [SelectOption]
        var csrf: String
        var errors: [FieldError]
        var hasErrors: Bool
        var received = false
    }

    private func registerPage(
        _ req: Request, form: RegistrationFields = .init(), errors: [FieldError] = [], received: Bool = false,
        status: HTTPStatus = .ok
    ) async throws -> Response {
        let page = RegisterPage(
            form: form,
            kindOptions: RegistrationStore.kinds.map {
                SelectOption(value: $0.rawValue, label: $0.label, selected: form.kind == $0.rawValue)
            },
            registerOptions: [SelectOption(value: "none", label: "Not registered (a community group)")]
                + OrgIdentifier.Register.allCases.map {
                    SelectOption(value: $0.rawValue, label: $0.label, selected: form.register == $0.rawValue)
                },
            csrf: req.csrfToken, errors: errors, hasErrors: !errors.isEmpty, received: received)
        return try await req.render("grants/register", page, status: status)
    }

    @Sendable func registerForm(req: Request) async throws -> Response {
        try await registerPage(req)
    }

    @Sendable func register(req: Request) async throws -> Response {
        let f = try req.content.decode(RegistrationForm.self)
        let fields = RegistrationFields(
            organisationName: f.organisationName ?? "", kind: f.kind ?? "", register: f.register ?? "none",
            number: f.number ?? "", about: f.about ?? "", contactName: f.contactName ?? "", email: f.email ?? "")
        if try await limits.hit(RateLimits.registration, key: req.clientAddress, on: req.db.sql)
            > RateLimits.registration.maxHits
        {
            return try await registerPage(
                req, form: fields,
                errors: [
                    FieldError(
                        field: "organisationName",
                        message:
                            "Too many registrations from your network. Wait \(RateLimits.minutes(RateLimits.registration)) minutes and try again."
                    )
                ], status: .tooManyRequests)
        }
        let draft = RegistrationStore.Draft(
            organisationName: f.organisationName ?? "", kind: f.kind ?? "", register: f.register ?? "none",
            number: f.number ?? "", about: f.about ?? "", contactName: f.contactName ?? "", email: f.email ?? "",
            password: f.password ?? "")
        do {
            try await registrations.register(draft, pool: req.application.passwordHasher, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await registerPage(req, form: fields, errors: errors, status: .unprocessableEntity)
        }
        return try await registerPage(req, received: true)
    }

    /// What was typed, to fill the form again (never the password).
    struct RegistrationFields: Encodable {
        var organisationName = "", kind = "", register = "none", number = "", about = "", contactName = "", email = ""
    }

    struct DecisionForm: Decodable { var decision: String?; var note: String? }

    @Sendable func decideRegistration(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let id = req.parameters.get("registration", as: Int.self) ?? 0
        guard let r = try await registrations.registration(id: id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such registration.")
        }
        let f = try req.content.decode(DecisionForm.self)
        do {
            try await registrations.decide(
                r, approve: f.decision == "approve", note: f.note ?? "", by: user, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await indexPage(req, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grants())
    }
}
