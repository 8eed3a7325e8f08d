import Vapor

/// Loads the signed-in user from the session cookie and checks CSRF on every request that
/// changes something (POST, PUT, PATCH, DELETE): the form field `_csrf` or the header
/// `X-CSRF-Token` must equal the session's token; before sign-in, the token in the
/// `saferstreets_csrf` cookie (double submit). Comparison is constant-time.
///
/// A request with `Authorization: Bearer …` is an organisation's system using its API
/// token: cookies are ignored, there is no CSRF check (a browser never adds that header by
/// itself), and an unknown or revoked token is a 401 at once.
struct SessionMiddleware: AsyncMiddleware {
    static let cookie = "saferstreets_session"
    static let csrfCookie = "saferstreets_csrf"
    let store: SessionStore
    let tokens: APITokenStore
    let secureCookies: Bool

    /// police.uk's read-only methods that also take POST (a polygon too long for a URL):
    /// public, changing nothing, so neither a session nor a CSRF token applies.
    static let readOnlyPOSTPaths: Set<String> = ["/api/outcomes-at-location", "/api/stops-street"]

    static func isReadOnlyPOST(_ request: Request) -> Bool {
        guard request.method == .POST else { return false }
        let path = request.url.path
        return readOnlyPOSTPaths.contains(path) || (path.hasPrefix("/api/crimes-street/") && !path.dropFirst(19).contains("/"))
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if Self.isReadOnlyPOST(request) { return try await next.respond(to: request) }
        // Only the Bearer scheme: a Basic header from a proxy in front of the app is not ours.
        if let authorization = request.headers.first(name: .authorization), authorization.lowercased().hasPrefix("bearer") {
            let token = authorization.dropFirst("bearer".count).trimmingCharacters(in: .whitespaces)
            guard !token.isEmpty, let client = try await tokens.client(token: token, on: request.db) else {
                throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"],
                            reason: "The API token is not valid: it is mistyped, or it has been revoked. Send it as “Authorization: Bearer sst_…”.")
            }
            request.currentUser = client
            return try await next.respond(to: request)
        }
        if let token = request.cookies[Self.cookie]?.string, !token.isEmpty {
            request.currentUser = try await store.user(token: token, on: request.db)
        }
        var newLoginToken: String?
        if request.currentUser == nil {
            if let existing = request.cookies[Self.csrfCookie]?.string, existing.count >= 32 {
                request.csrfToken = existing
            } else {
                newLoginToken = SessionStore.randomToken()
                request.csrfToken = newLoginToken!
            }
        }
        if [.POST, .PUT, .PATCH, .DELETE].contains(request.method) {
            // The global middleware runs before the route collects the body: collect it here
            // (it stays on the request for the handler).
            if request.body.data == nil, request.headers.first(name: "X-CSRF-Token") == nil {
                _ = try await request.body.collect(max: 64 << 20).get()
            }
            let sent = request.headers.first(name: "X-CSRF-Token") ?? (try? request.content.get(String.self, at: "_csrf")) ?? ""
            guard newLoginToken == nil, Self.constantTimeEqual(sent, request.csrfToken) else {
                throw Abort(.forbidden, reason: "This form has expired or did not come from SaferStreets. Go back, reload the page and try again.")
            }
        }
        let response = try await next.respond(to: request)
        if let newLoginToken {
            response.cookies[Self.csrfCookie] = cookie(newLoginToken, maxAge: 2 * 60 * 60)
        }
        return response
    }

    func cookie(_ value: String, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, maxAge: maxAge, path: "/", isSecure: secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
