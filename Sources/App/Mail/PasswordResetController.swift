import Fluent
import SQLKit
import Vapor

/// "Forgotten your password?": ask for a link by e-mail, then choose a new password with it.
/// The page answers the same whether or not the address has an account, and requests are
/// limited per address and per account. The same set-password page serves the welcome link
/// a new account is sent.
struct PasswordResetController: Sendable {
    let users: UserStore
    let links: PasswordLinks
    let queue: MailQueue
    let settings: MailSettings
    var limits = RateLimits()

    struct ForgotPage: Encodable {
        var title = "Forgotten your password"
        var csrf: String
        var email = ""
        var sent = false
        var errors: [FieldError] = []
        var hasErrors = false
    }

    @Sendable func forgotForm(req: Request) async throws -> Response {
        try await req.render("password/forgot", ForgotPage(csrf: req.csrfToken))
    }

    @Sendable func forgot(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var page = ForgotPage(csrf: req.csrfToken, email: email)
        guard UserStore.isEmailAddress(email) else {
            page.errors = [FieldError(field: "email", message: "Enter your email address, like name@example.org")]
            page.hasErrors = true
            return try await req.render("password/forgot", page, status: .badRequest)
        }
        let sql = req.db.sql
        if try await limits.hit(RateLimits.resetAddress, key: req.clientAddress, on: sql)
            > RateLimits.resetAddress.maxHits
        {
            page.errors = [
                FieldError(
                    field: "email",
                    message:
                        "Too many requests from your network. Wait \(RateLimits.minutes(RateLimits.resetAddress)) minutes and try again."
                )
            ]
            page.hasErrors = true
            return try await req.render("password/forgot", page, status: .tooManyRequests)
        }
        // The same answer whatever happens next: an account or not, disabled or not, over its
        // own limit or not.
        if try await limits.hit(RateLimits.resetAccount, key: email, on: sql) <= RateLimits.resetAccount.maxHits,
            let account = try await users.credentials(email: email, on: req.db), account.disabledAt == nil
        {
            try await req.db.transaction { tx in
                let token = try await links.create(userID: account.id, purpose: .reset, on: tx)
                let text = MailTexts.passwordReset(email: email, link: link(token))
                try await queue.enqueue(.passwordReset, to: email, subject: text.subject, body: text.body, on: tx)
            }
        }
        page.sent = true
        return try await req.render("password/forgot", page)
    }

    func link(_ token: String) -> String { settings.publicURL + SiteURL.passwordReset() + "?token=" + token }

    struct ResetPage: Encodable {
        var title = "Choose a new password"
        var csrf: String
        var token: String
        var email: String
        var valid: Bool
        var errors: [FieldError] = []
        var hasErrors = false
    }

    private func render(_ req: Request, _ page: ResetPage, status: HTTPResponseStatus = .ok) async throws -> Response {
        let response = try await req.render("password/reset", page, status: status)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// The holder of a live link, or nil; unknown tokens count against the address.
    private func holder(_ req: Request, token: String) async throws -> PasswordLinks.Holder? {
        if let h = try await links.holder(token: token, on: req.db) { return h }
        if try await limits.wrongGuess(RateLimits.badPasswordLink, key: req.clientAddress, on: req.db.sql) {
            throw Abort(.tooManyRequests, reason: "Too many links that do not work. Wait 15 minutes and try again.")
        }
        return nil
    }

    @Sendable func resetForm(req: Request) async throws -> Response {
        let token = (try? req.query.get(String.self, at: "token")) ?? ""
        let h = try await holder(req, token: token)
        return try await render(
            req, ResetPage(csrf: req.csrfToken, token: h == nil ? "" : token, email: h?.email ?? "", valid: h != nil),
            status: h == nil ? .notFound : .ok)
    }

    @Sendable func reset(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let token = form["token"] ?? "", new = form["new_password"] ?? "", again = form["confirm_password"] ?? ""
        guard let h = try await holder(req, token: token) else {
            return try await render(
                req, ResetPage(csrf: req.csrfToken, token: "", email: "", valid: false), status: .notFound)
        }
        var errors: [FieldError] = []
        if let problem = Passwords.problem(new, email: h.email) {
            errors.append(FieldError(field: "new_password", message: problem))
        }
        if new != again {
            errors.append(FieldError(field: "confirm_password", message: "The two passwords are not the same"))
        }
        guard errors.isEmpty else {
            return try await render(
                req,
                ResetPage(
                    csrf: req.csrfToken, token: token, email: h.email, valid: true, errors: errors, hasErrors: true),
                status: .badRequest)
        }
        let hash = try await Passwords.hash(new, on: req.application.passwordHasher)
        guard try await links.use(token: token, newHash: hash, on: req.db) else {
            return try await render(
                req, ResetPage(csrf: req.csrfToken, token: "", email: "", valid: false), status: .notFound)
        }
        return req.redirect(to: SiteURL.login() + "?password=set")
    }
}
