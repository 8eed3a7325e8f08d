import Vapor

/// The person behind a request, loaded from their session by `SessionMiddleware`.
struct CurrentUser: Sendable {
    var id: Int
    var name: String
    var email: String
    var role: Role
    var organisationID: Int
    var organisationName: String
    /// The session's synchroniser token for forms.
    var csrfToken: String
    /// SHA-256 of the session cookie, to revoke it.
    var sessionHash: String
    /// Set when the request came with an organisation's API token rather than a session.
    var apiTokenID: Int? = nil
    /// The kind of the user's organisation (a victim service's people hold victims' cases).
    var organisationKind: OrganisationKind? = nil
}

extension Request {
    private struct CurrentUserKey: StorageKey { typealias Value = CurrentUser }
    private struct LoginCSRFKey: StorageKey { typealias Value = String }

    /// The signed-in user, or nil for the public.
    var currentUser: CurrentUser? {
        get { storage[CurrentUserKey.self] }
        set { storage[CurrentUserKey.self] = newValue }
    }

    /// The signed-in user, for a route whose access rule requires one: a 401 if there is
    /// none (never a trap, whatever the route table says).
    func signedInUser() throws -> CurrentUser {
        guard let user = currentUser else { throw Abort(.unauthorized, reason: "Sign in to use this.") }
        return user
    }

    /// The CSRF token for a form on this page: the session's, or for someone not signed in
    /// (the login form) the one in the pre-login cookie.
    var csrfToken: String {
        get { currentUser?.csrfToken ?? storage[LoginCSRFKey.self] ?? "" }
        set { storage[LoginCSRFKey.self] = newValue }
    }
}
