import Vapor

/// What the server reads of a request's body before its handler does: never more than the
/// route accepts, and only once the route's access rule has passed (`SessionMiddleware`
/// calls this after that check).
enum RequestBody {
    /// The route's own body limit, stored with the route by `RoutesBuilder.on(…, body:)`.
    static let limitKey = "body limit"
    /// Forms and small JSON: 1 MB unless the route says otherwise.
    static let defaultLimit = 1 << 20

    static func limit(of route: Route?) -> Int { route?.userInfo[limitKey] as? Int ?? defaultLimit }

    /// Marks a route whose handler streams its own body (`.stream`): there `limit` bounds only
    /// what is read here (a form, JSON, or a body read for its CSRF token); a raw body is the
    /// handler's to bound (the import upload's 4 GiB).
    static let streamedKey = "body streamed"

    /// Refuses a body over `limit` (declared, or already arrived whole with its head) with
    /// 413; reads a form or JSON body (or any body when `collect`, for a CSRF token in it)
    /// up to `limit`; refuses a NUL in a form or JSON value with 400 (PostgreSQL refuses
    /// NUL in text, and no field here may hold one).
    static func check(_ request: Request, limit: Int, collect: Bool) async throws {
        let type = request.headers.contentType
        let isForm = type == .urlEncodedForm,
            isJSON = type?.subType == "json" || type?.subType.hasSuffix("+json") == true
        let streamed = request.route?.userInfo[streamedKey] as? Bool ?? false
        let readHere = collect || isForm || isJSON || type?.type == "multipart"
        let declared = request.headers.first(name: .contentLength).flatMap(Int.init) ?? 0
        if !streamed || readHere, declared > limit || (request.body.data?.readableBytes ?? 0) > limit {
            let size = limit >= 1 << 20 ? "\(limit >> 20) MB" : "\(limit >> 10) KB"
            throw Abort(.payloadTooLarge, reason: "The request is larger than this address accepts (\(size)).")
        }
        if request.body.data == nil, collect || isForm || isJSON {
            _ = try await request.body.collect(max: limit).get()
        }
        if let body = request.body.data, isForm || isJSON {
            let text = String(buffer: body)
            if text.utf8.contains(0) || text.range(of: isForm ? "%00" : "\\u0000") != nil {
                throw Abort(
                    .badRequest, reason: "A value sent contains a NUL character, which no SaferStreets field may hold.")
            }
        }
    }

    /// Whether an address holds a NUL, raw or escaped as `%00`.
    static func hasNUL(_ text: String) -> Bool {
        text.utf8.contains(0) || text.range(of: "%00") != nil
    }
}
