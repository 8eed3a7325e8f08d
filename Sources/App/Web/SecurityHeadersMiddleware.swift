import Vapor

/// Safe defaults on every response, errors included (it sits outside `ProblemMiddleware`):
/// no framing, no sniffing, a strict content policy (everything from this origin; no CDN;
/// no `<base>`; forms post only here), no referrer leakage, HTTPS remembered by the browser
/// outside development, and nothing a signed-in user saw kept in a shared or back-button
/// cache.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    /// `Strict-Transport-Security` is sent when true (every deployment but development and
    /// the local demo, which serve plain HTTP).
    var strictTransport = true
    /// Origins the pages may load images from besides their own: a configured map tile
    /// server (`AppConfig.mapTiles`), nothing else.
    var imageOrigins: [String] = []

    static let contentSecurityPolicy = policy(imageOrigins: [])

    static func policy(imageOrigins: [String]) -> String {
        let images = (["'self'", "data:"] + imageOrigins).joined(separator: " ")
        return
            "default-src 'self'; img-src \(images); style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            // Only reached if the error page itself failed: still answer, with the headers.
            request.logger.error("error response failed", metadata: ["type": "\(type(of: error))"])
            response = ProblemMiddleware.plain(status: (error as? any AbortError)?.status ?? .internalServerError)
        }
        apply(to: response.headers, request: request).forEach { response.headers.replaceOrAdd(name: $0.0, value: $0.1) }
        return response
    }

    func apply(to headers: HTTPHeaders, request: Request) -> [(String, String)] {
        var out: [(String, String)] = [
            ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
            ("Content-Security-Policy", Self.policy(imageOrigins: imageOrigins)),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        if strictTransport { out.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains")) }
        let cache = headers.first(name: .cacheControl) ?? ""
        if (request.currentUser != nil || request.cookies[SessionMiddleware.cookie] != nil
            || request.cookies[SessionMiddleware.plainCookie] != nil) && !cache.contains("no-store")
        {
            out.append(("Cache-Control", "no-store"))
        }
        return out
    }
}

/// Refuses a request whose path is longer than any SaferStreets address (2,048 bytes) with
/// 414, and one whose address holds a NUL character with 400, before anything else sees it.
struct RequestLimitsMiddleware: AsyncMiddleware {
    static let maxPathBytes = 2048

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.url.path.utf8.count <= Self.maxPathBytes else {
            throw Abort(
                .uriTooLong,
                reason: "The address is longer than \(Self.maxPathBytes) bytes; no SaferStreets page has one so long.")
        }
        // A NUL character is never part of a name, a slug or a value here, and PostgreSQL
        // refuses it in text: refuse it at the door rather than deep in a query.
        if RequestBody.hasNUL(request.url.string) {
            throw Abort(
                .badRequest,
                reason: "The address contains a NUL character (%00), which no SaferStreets address or value may hold.")
        }
        return try await next.respond(to: request)
    }
}
