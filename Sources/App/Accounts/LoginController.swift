import Fluent
import SQLKit
import Vapor

/// Sign in and sign out.
struct LoginController: Sendable {
    let sessions: SessionStore
    let users: UserStore
    let secureCookies: Bool
    var limits = RateLimits()

    struct Page: Encodable {
        var title = "Sign in"
        var email = ""
        var next = ""
        var csrf: String
        var errors: [FieldError] = [] { didSet { hasErrors = !errors.isEmpty } }
        var hasErrors = false
        var notice: String?
    }

    /// Only a path on this site: "/x", not "//evil.example", "/\tab/evil.example" or "https://…".
    static func safeNext(_ next: String?) -> String { SafeURL.redirectTarget(next) }

    @Sendable func form(req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: "/") }
        var page = Page(next: Self.safeNext(try? req.query.get(String.self, at: "next")), csrf: req.csrfToken)
        if (try? req.query.get(String.self, at: "password")) == "set" {
            page.notice = "Your password is set, and every session of the account has ended. Sign in with it now."
        }
        return try await req.render("login/index", page)
    }

    struct Form: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    @Sendable func signIn(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let password = form.password ?? ""
        var page = Page(email: email, next: Self.safeNext(form.next), csrf: req.csrfToken)
        func refuse(_ message: String, status: HTTPResponseStatus) async throws -> Response {
            page.errors = [FieldError(field: "email", message: message)]
            return try await req.render("login/index", page, status: status)
        }
        guard !email.isEmpty, !password.isEmpty else {
            return try await refuse("Enter your email address and password", status: .badRequest)
        }
        let sql = req.db.sql
        // Limits before any password is checked, each counted atomically in the database,
        // so parallel guesses cannot all slip through: the address, then this account from
        // this address (a guesser here cannot lock its owner out elsewhere), then a short
        // growing delay for the account from everywhere.
        let address = req.clientAddress
        if try await limits.hit(RateLimits.signInAddress, key: address, on: sql) > RateLimits.signInAddress.maxHits {
            return try await refuse(
                "Too many sign-in attempts from your network. Wait \(RateLimits.minutes(RateLimits.signInAddress)) minutes and try again.",
                status: .tooManyRequests)
        }
        let pair = email + " " + address
        if try await limits.hit(RateLimits.signInAccountAddress, key: pair, on: sql)
            > RateLimits.signInAccountAddress.maxHits
        {
            return try await refuse(
                "Too many failed attempts for this address. Wait \(RateLimits.minutes(RateLimits.signInAccountAddress)) minutes and try again.",
                status: .tooManyRequests)
        }
        if let wait = try await limits.takeAccountAttempt(email: email, on: sql) {
            return try await refuse(
                "Too many failed attempts for this address. Wait \(wait) second\(wait == 1 ? "" : "s") and try again.",
                status: .tooManyRequests)
        }
        let user = try await users.credentials(email: email, on: req.db)
        let ok = try await Passwords.verify(password, hash: user?.passwordHash, on: req.application.passwordHasher)
        guard let user, ok, user.disabledAt == nil else {
            return try await refuse("The email address or password is not right", status: .unauthorized)
        }
        try await limits.reset(RateLimits.signInAccountAddress, key: pair, on: sql)
        try await limits.accountSucceeded(email: email, on: sql)
        try await limits.refund(RateLimits.signInAddress, key: address, on: sql)
        let token = try await sessions.create(userID: user.id, on: req.db)
        let response = req.redirect(to: page.next)
        response.cookies[SessionMiddleware.cookieNames(secure: secureCookies).session] = HTTPCookies.Value(
            string: token, maxAge: Int(sessions.absoluteTimeout), path: "/", isSecure: secureCookies, isHTTPOnly: true,
            sameSite: .lax)
        return response
    }

    @Sendable func signOut(req: Request) async throws -> Response {
        if let user = req.currentUser { try await sessions.revoke(hash: user.sessionHash, on: req.db) }
        let response = req.redirect(to: SiteURL.login())
        response.cookies[SessionMiddleware.cookieNames(secure: secureCookies).session] = HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isSecure: secureCookies,
            isHTTPOnly: true, sameSite: .lax)
        return response
    }
}
