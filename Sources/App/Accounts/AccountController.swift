import Fluent
import Vapor

/// The signed-in person's own account: change the password (after an admin made the
/// account with a one-time one). The current password is required; the other sessions of
/// the account end, this one carries on.
struct AccountController: Sendable {
    let users: UserStore
    var limits = RateLimits()

    struct Page: Encodable {
        var title = "Your account"
        var csrf: String
        var name: String
        var email: String
        var organisation: String
        var role: String
        var errors: [FieldError]
        var hasErrors: Bool
        var notice: String?
        var notifications: [Choice]

        struct Choice: Encodable {
            var kind: String
            var label: String
            var on: Bool
        }
    }

    private func page(_ req: Request, errors: [FieldError] = [], notice: String? = nil) async throws -> Response {
        let user = try req.signedInUser()
        let off = try await users.notificationsOff(userID: user.id, on: req.db)
        let response = try await req.render(
            "account",
            Page(
                csrf: req.csrfToken, name: user.name, email: user.email, organisation: user.organisationName,
                role: user.role.label,
                errors: errors, hasErrors: !errors.isEmpty, notice: notice,
                notifications: Notifications.Kind.allCases.map {
                    .init(kind: $0.rawValue, label: $0.label, on: !off.contains($0.rawValue))
                })
        )
        if !errors.isEmpty { response.status = .badRequest }
        return response
    }

    @Sendable func show(req: Request) async throws -> Response { try await page(req) }

    /// Which reminders the person gets by e-mail: a ticked box is on.
    @Sendable func saveNotifications(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let form = try req.content.decode([String: String].self)
        let off = Notifications.Kind.allCases.filter { form[$0.rawValue] == nil }.map(\.rawValue)
        try await users.setNotificationsOff(off, userID: user.id, on: req.db)
        return try await page(req, notice: "Your e-mail reminders are saved.")
    }

    @Sendable func changePassword(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let form = try req.content.decode([String: String].self)
        let current = form["current_password"] ?? "", new = form["new_password"] ?? "",
            again = form["confirm_password"] ?? ""
        let pool = req.application.passwordHasher
        let hash = try await users.passwordHash(userID: user.id, on: req.db)
        var errors: [FieldError] = []
        // Current-password checks are throttled per user, like sign-in: a stolen session
        // cannot be used to guess the password behind it.
        let key = String(user.id)
        if try await limits.hit(RateLimits.passwordCheck, key: key, on: req.db.sql) > RateLimits.passwordCheck.maxHits {
            let wait = RateLimits.minutes(RateLimits.passwordCheck)
            let response = try await page(
                req,
                errors: [
                    FieldError(
                        field: "current_password",
                        message: "Too many wrong current passwords. Wait \(wait) minutes and try again.")
                ])
            response.status = .tooManyRequests
            return response
        }
        if !(try await Passwords.verify(current, hash: hash, on: pool)) {
            errors.append(FieldError(field: "current_password", message: "Your current password is not right"))
        } else {
            try await limits.reset(RateLimits.passwordCheck, key: key, on: req.db.sql)
        }
        if let problem = Passwords.problem(new, email: user.email) {
            errors.append(FieldError(field: "new_password", message: problem))
        }
        if new != again {
            errors.append(FieldError(field: "confirm_password", message: "The two new passwords are not the same"))
        }
        if new == current && !new.isEmpty {
            errors.append(
                FieldError(field: "new_password", message: "Choose a password different from the current one"))
        }
        guard errors.isEmpty else { return try await page(req, errors: errors) }
        let newHash = try await Passwords.hash(new, on: pool)
        try await users.changePassword(user, newHash: newHash, keeping: user.sessionHash, at: Date(), on: req.db)
        return try await page(
            req, notice: "Password changed. You are still signed in here; any other sessions have ended.")
    }
}
