import Vapor

/// One line per request at info level (`--log info` or `LOG_LEVEL=info`): the method, the
/// route's pattern (`/victims/cases/:id`, never the path as sent: no ids, no query string, no
/// token), the status and the time taken, with the request id. Outermost, so it sees the answer
/// the client gets, error pages included.
struct AccessLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next.respond(to: request)
        if request.logger.logLevel <= .info {
            let elapsed = ContinuousClock.now - start
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "(no route)"
            request.logger.info(
                "\(request.method) \(route) \(response.status.code)",
                metadata: [
                    "method": .string(request.method.rawValue), "route": .string(route),
                    "status": .stringConvertible(response.status.code),
                    "ms": .string(String(format: "%.1f", ms)),
                ])
        }
        return response
    }
}
