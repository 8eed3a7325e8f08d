import Vapor

/// `GET /ready` for load balancers and orchestrators: 200 when this instance can serve (the
/// database answers, its migrations are current, it is not shutting down), else 503, with
/// the three checks as JSON either way. `/health` stays the plain "alive" check.
struct ReadinessController: Sendable {
    let queries: ReadinessQueries

    @Sendable func ready(req: Request) async throws -> Response {
        let report = await queries.check(on: req.db)
        let response = Response(status: report.ready ? .ok : .serviceUnavailable)
        try response.content.encode(report, as: .json)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}

/// Marks the instance as draining when the server begins to shut down.
struct DrainOnShutdown: LifecycleHandler {
    let flag: ReadinessQueries.DrainFlag
    func shutdownAsync(_ application: Application) async { flag.set() }
}
