import Vapor

/// Who may use a route. Every route declares one (`get(…, access:)` and friends);
/// `Access.checkEveryRoute` refuses to start an app with a route that does not, so a new
/// route cannot be open by accident (deny by default).
enum Access: Sendable, CustomStringConvertible {
    /// Anyone, signed in or not: open data and published pages.
    case everyone
    /// Any signed-in user.
    case signedIn
    /// Signed-in users with one of these roles.
    case roles(Set<Role>)
    /// The JSON API for partners' systems: any signed-in user, or an organisation's API
    /// token. Token clients may use only these routes (and the open ones).
    case api
    /// OPCC staff signed in, or an organisation's API token (the route checks which
    /// organisations' systems may send: e.g. a police force's figures for the plan).
    case opccOrAPIToken
    /// The people of a victim service (organisation kind `victim-service`): its case workers,
    /// or with `admins` its administrators only (the read log). Nobody else, the OPCC included.
    case victimService(admins: Bool)

    static let opcc = Access.roles([.opccAdmin, .opccStaff])
    static let opccAdmin = Access.roles([.opccAdmin])
    /// Partner organisations' users (e.g. applying for a grant: the OPCC does not apply).
    static let partners = Access.roles([.partnerAdmin, .partnerUser])
    static let partnerAdmin = Access.roles([.partnerAdmin])

    func allows(_ user: CurrentUser?) -> Bool {
        switch self {
        case .everyone: true
        case .signedIn: user.map { $0.apiTokenID == nil } ?? false
        case .roles(let roles): user.map { roles.contains($0.role) && $0.apiTokenID == nil } ?? false
        case .api: user != nil
        case .opccOrAPIToken: user.map { $0.apiTokenID != nil || $0.role.isOPCC } ?? false
        case .victimService(let admins):
            user.map {
                $0.apiTokenID == nil && $0.organisationKind == .victimService
                    && (admins ? $0.role == .partnerAdmin : !$0.role.isOPCC)
            } ?? false
        }
    }

    /// Whether a request made with an API token may use the route.
    var admitsAPITokens: Bool {
        switch self {
        case .everyone, .api, .opccOrAPIToken: true
        case .signedIn, .roles, .victimService: false
        }
    }

    var description: String {
        switch self {
        case .everyone: "everyone"
        case .signedIn: "signed in"
        case .roles(let roles): roles.map(\.rawValue).sorted().joined(separator: "|")
        case .api: "signed in or API token"
        case .opccOrAPIToken: "OPCC staff or API token"
        case .victimService(let admins): admins ? "victim service admins" : "victim service people"
        }
    }

    struct Key: StorageKey { typealias Value = Access }

    /// Throws if any route was registered without an access rule.
    static func checkEveryRoute(_ app: Application) throws {
        let open = app.routes.all.filter { $0.userInfo["access"] as? Access == nil }
        guard open.isEmpty else {
            throw Abort(
                .internalServerError,
                reason: "routes without an access rule: "
                    + open.map { "\($0.method) /\($0.path.map(\.description).joined(separator: "/"))" }.joined(
                        separator: ", "))
        }
    }
}

/// Enforces a route's rule on the server: the public is sent to sign in (pages) or gets a
/// 401 problem (API); a signed-in user without the role gets 403.
struct AccessMiddleware: AsyncMiddleware {
    let access: Access

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard access.allows(request.currentUser) else {
            guard let user = request.currentUser else {
                let isAPI = request.url.path.hasPrefix("/api/")
                if !isAPI && request.method == .GET {
                    let next = request.url.path + (request.url.query.map { "?\($0)" } ?? "")
                    return request.redirect(
                        to: SiteURL.login.with(
                            query: "next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
                    )
                }
                throw Abort(.unauthorized, reason: "Sign in to use this.")
            }
            if user.apiTokenID != nil {
                throw Abort(
                    .forbidden, reason: "API tokens can be used only with the /api/v1 routes; sign in to use the pages."
                )
            }
            // Victims' records: to anyone outside a victim service the pages do not exist, so
            // a guessed case id says nothing (the same 404 as a case that is not there).
            if case .victimService = access, user.apiTokenID == nil {
                throw Abort(.notFound, reason: "There is no such page.")
            }
            throw Abort(.forbidden, reason: "Your role (\(user.role.label)) cannot use this.")
        }
        return try await next.respond(to: request)
    }
}

extension RoutesBuilder {
    /// Registers a route with its access rule (stored on the route for the route × role
    /// test, and enforced by `AccessMiddleware`).
    ///
    /// A body is read only up to the route's limit (`RequestBody.defaultLimit`, 1 MB,
    /// unless given), and only after the access rule has passed. A streamed route
    /// (`.stream`) reads its own body; for its form fallback the CSRF check reads up to
    /// `streamFormLimit`.
    @discardableResult
    func on<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: [PathComponent], access: Access,
        body: HTTPBodyStreamStrategy = .collect(maxSize: nil),
        streamFormLimit: Int = RequestBody.defaultLimit,
        use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        let limit: Int
        let strategy: HTTPBodyStreamStrategy
        switch body {
        case .collect(let max):
            limit = max.map(\.value) ?? RequestBody.defaultLimit
            strategy = .collect(maxSize: ByteCount(value: limit))
        case .stream:
            limit = streamFormLimit
            strategy = .stream
        }
        let route = grouped(AccessMiddleware(access: access)).on(method, path, body: strategy, use: handler)
        route.userInfo["access"] = access
        route.userInfo[RequestBody.limitKey] = limit
        if case .stream = strategy { route.userInfo[RequestBody.streamedKey] = true }
        return route
    }

    /// Registers `site`'s route (see `SiteURL`): the one way `routes.swift` adds a route.
    @discardableResult
    func on<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ site: SiteURL, access: Access,
        body: HTTPBodyStreamStrategy = .collect(maxSize: nil),
        streamFormLimit: Int = RequestBody.defaultLimit,
        use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        let route = on(
            method, site.components, access: access, body: body, streamFormLimit: streamFormLimit, use: handler)
        route.userInfo["site"] = site
        return route
    }

    @discardableResult
    func get<Response: AsyncResponseEncodable>(
        _ site: SiteURL, access: Access, use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(.GET, site, access: access, use: handler)
    }

    @discardableResult
    func post<Response: AsyncResponseEncodable>(
        _ site: SiteURL, access: Access, use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(.POST, site, access: access, use: handler)
    }
}
