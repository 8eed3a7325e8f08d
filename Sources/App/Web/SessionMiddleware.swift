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
    /// Cookie names with the `__Host-` prefix: the browser keeps them only when they are
    /// `Secure`, for the whole site (`Path=/`) and for this host alone (no `Domain`), so a
    /// sibling subdomain cannot plant or overwrite them. Development and the local demo
    /// serve plain HTTP, where the prefix cannot be used: `plain…` names there.
    static let cookie = "__Host-saferstreets_session"
    static let csrfCookie = "__Host-saferstreets_csrf"
    static let plainCookie = "saferstreets_session"
    static let plainCSRFCookie = "saferstreets_csrf"

    static func cookieNames(secure: Bool) -> (session: String, csrf: String) {
        secure ? (cookie, csrfCookie) : (plainCookie, plainCSRFCookie)
    }
    let store: SessionStore
    let tokens: APITokenStore
    let secureCookies: Bool
    var limits = RateLimits()

    /// police.uk's read-only methods that also take POST (a polygon too long for a URL):
    /// public, changing nothing, so neither a session nor a CSRF token applies.
    static let readOnlyPOSTPaths: Set<String> = [SiteURL.policeOutcomesAtLocation(), SiteURL.policeStopsStreet()]
    static let crimesStreetPrefix = SiteURL.policeCrimesStreet("")

    static func isReadOnlyPOST(_ request: Request) -> Bool {
        guard request.method == .POST else { return false }
        let path = request.url.path
        return readOnlyPOSTPaths.contains(path)
            || (path.hasPrefix(crimesStreetPrefix) && !path.dropFirst(crimesStreetPrefix.count).contains("/"))
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if Self.isReadOnlyPOST(request) { return try await next.respond(to: request) }
        // The scraper's bearer token is the metrics' own (`MetricsController`), not an API token.
        if request.method == .GET, request.url.path == SiteURL.metrics.pattern {
            return try await next.respond(to: request)
        }
        // Only the Bearer scheme: a Basic header from a proxy in front of the app is not ours.
        if let authorization = request.headers.first(name: .authorization),
            authorization.lowercased().hasPrefix("bearer")
        {
            let token = authorization.dropFirst("bearer".count).trimmingCharacters(in: .whitespaces)
            guard !token.isEmpty, token.utf8.count <= 256,
                let client = try await tokens.client(token: token, on: request.db)
            else {
                // Wrong tokens are throttled per address (`RateLimits.wrongGuess`).
                if try await limits.wrongGuess(RateLimits.badAPIToken, key: request.clientAddress, on: request.db.sql) {
                    throw Abort(
                        .tooManyRequests, headers: ["Retry-After": "900"],
                        reason:
                            "Too many invalid API tokens were sent from your network. Wait 15 minutes and try again.")
                }
                throw Abort(
                    .unauthorized, headers: ["WWW-Authenticate": "Bearer"],
                    reason:
                        "The API token is not valid: it is mistyped, or it has been revoked. Send it as “Authorization: Bearer sst_…”."
                )
            }
            request.currentUser = client
            if request.method != .GET, let route = request.route,
                (route.userInfo["access"] as? Access)?.allows(client) == true
            {
                try await RequestBody.check(request, limit: RequestBody.limit(of: route), collect: false)
            }
            return try await next.respond(to: request)
        }
        let names = Self.cookieNames(secure: secureCookies)
        if let token = request.cookies[names.session]?.string, !token.isEmpty {
            request.currentUser = try await store.user(token: token, on: request.db)
        }
        var newLoginToken: String?
        if request.currentUser == nil {
            if let existing = request.cookies[names.csrf]?.string, existing.count >= 32 {
                request.csrfToken = existing
            } else {
                newLoginToken = SessionStore.randomToken()
                request.csrfToken = newLoginToken!
            }
        }
        if [.POST, .PUT, .PATCH, .DELETE].contains(request.method) {
            // Nothing is read before it is allowed: an unknown path (404) or a route this
            // visitor may not use (AccessMiddleware refuses it next) is answered without
            // reading the body, so an anonymous 60 MB POST costs nothing.
            guard let route = request.route, let access = route.userInfo["access"] as? Access,
                access.allows(request.currentUser)
            else {
                return try await next.respond(to: request)
            }
            // The token is in a header, or in the form body: the body is read (for it, or to
            // check its values) never past the route's own limit.
            try await RequestBody.check(
                request, limit: RequestBody.limit(of: route),
                collect: request.headers.first(name: "X-CSRF-Token") == nil)
            let sent =
                request.headers.first(name: "X-CSRF-Token") ?? (try? request.content.get(String.self, at: "_csrf"))
                ?? ""
            guard newLoginToken == nil, Self.constantTimeEqual(sent, request.csrfToken) else {
                throw Abort(
                    .forbidden,
                    reason:
                        "This form has expired or did not come from SaferStreets. Go back, reload the page and try again."
                )
            }
        }
        let response = try await next.respond(to: request)
        if let newLoginToken {
            response.cookies[names.csrf] = cookie(newLoginToken, maxAge: 2 * 60 * 60)
        }
        return response
    }

    func cookie(_ value: String, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, maxAge: maxAge, path: "/", isSecure: secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
