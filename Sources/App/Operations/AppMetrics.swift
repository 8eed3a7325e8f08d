import Metrics
import Fluent
import Foundation
import Prometheus
import SQLKit
import Vapor

/// The server's metrics in Prometheus's text format at `GET /metrics`, for a scraper that
/// sends `Authorization: Bearer` with `SAFERSTREETS_METRICS_TOKEN`; without that setting the
/// route does not exist (404). Vapor itself records every request by route template, method
/// and status (`http_requests_total`, `http_request_duration_seconds` as a histogram); the
/// code adds import rows and durations, import jobs by state, cache hits and misses, the
/// mail queue and the database's answer time. No label ever holds a value from a request,
/// so the number of series is bounded.
enum AppMetrics {
    /// The process's registry. swift-metrics is bootstrapped with it once, the first time it is
    /// used (every app of a test process shares it).
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Rows read by imports, by how they ended.
    static func imported(rows: Int, seconds: Double, failed: Bool) {
        let result = failed ? "failed" : "ok"
        Counter(label: "saferstreets_import_rows_total", dimensions: [("result", result)]).increment(by: rows)
        Counter(label: "saferstreets_imports_total", dimensions: [("result", result)]).increment()
        Timer(label: "saferstreets_import_duration_seconds", dimensions: [("result", result)])
            .recordNanoseconds(Int64(max(0, seconds) * 1e9))
        if !failed, seconds > 0 {
            Gauge(label: "saferstreets_import_last_rows_per_second").record(Double(rows) / seconds)
        }
    }

    /// A lookup in one of the in-memory caches (`cache`: a fixed name).
    static func cache(_ cache: String, hit: Bool) {
        Counter(
            label: "saferstreets_cache_lookups_total", dimensions: [("cache", cache), ("result", hit ? "hit" : "miss")]
        )
        .increment()
    }

    /// Figures read from the database at each scrape. `poolSize`: the most connections this
    /// instance's pool opens.
    static func refreshFromDatabase(_ db: any Database, poolSize: Int) async {
        Gauge(label: "saferstreets_database_pool_size").record(poolSize)
        let started = ContinuousClock.now
        struct StateCount: Decodable { var state: String; var n: Int }
        let jobs = try? await db.sql.raw("SELECT state, COUNT(*) AS n FROM import_jobs GROUP BY state").rows(
            StateCount.self)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        Gauge(label: "saferstreets_database_up").record(jobs == nil ? 0 : 1)
        Gauge(label: "saferstreets_database_query_seconds").record(seconds)
        if let jobs {
            let counts = Dictionary(jobs.map { ($0.state, $0.n) }, uniquingKeysWith: +)
            for state in ["queued", "running", "finished", "failed"] {
                Gauge(label: "saferstreets_import_jobs", dimensions: [("state", state)]).record(counts[state] ?? 0)
            }
        }
        if SQLFlavor(db.sql) == .postgres {
            // Every instance's connections to this database, by what they are doing: with the
            // pools' sizes, how near the database is to its connection limit and how busy.
            let states = try? await db.sql.raw(
                """
                SELECT COALESCE(state, 'unknown') AS state, COUNT(*) AS n FROM pg_stat_activity
                WHERE datname = current_database() AND backend_type = 'client backend' GROUP BY state
                """
            ).rows(StateCount.self)
            if let states {
                let counts = Dictionary(states.map { ($0.state, $0.n) }, uniquingKeysWith: +)
                for state in ["active", "idle", "idle in transaction"] {
                    Gauge(
                        label: "saferstreets_database_connections",
                        dimensions: [("state", state.replacingOccurrences(of: " ", with: "_"))]
                    ).record(counts[state] ?? 0)
                }
            }
        }
        let now = Date().stored
        if let due = try? await db.sql.raw(
            "SELECT COUNT(*) AS n FROM mail_queue WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= \(bind: now)"
        ).first(decodingColumn: "n", as: Int.self) {
            Gauge(label: "saferstreets_mail_due").record(due)
        }
        if let failed = try? await db.sql.raw("SELECT COUNT(*) AS n FROM mail_queue WHERE failed_at IS NOT NULL")
            .first(decodingColumn: "n", as: Int.self)
        {
            Gauge(label: "saferstreets_mail_failed").record(failed)
        }
    }
}

/// `GET /metrics`: the text exposition, for the configured bearer token only.
struct MetricsController: Sendable {
    let token: String?
    /// The most connections this instance's pool opens (per event loop times the loops).
    let poolSize: Int

    /// SQLite's pool keeps one connection per event loop; PostgreSQL's the configured number.
    init(_ config: AppConfig, loops: Int) {
        token = config.metricsToken
        switch config.database {
        case .sqlite: poolSize = loops
        case .postgres: poolSize = config.databaseConnections * loops
        }
    }

    @Sendable func metrics(req: Request) async throws -> Response {
        guard let token, !token.isEmpty else { throw Abort(.notFound) }
        let sent = req.headers.bearerAuthorization?.token ?? ""
        guard SessionMiddleware.constantTimeEqual(sent, token) else {
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer realm=\"metrics\"")
            throw Abort(.unauthorized, headers: headers, reason: "The metrics need the scraper's token.")
        }
        await AppMetrics.refreshFromDatabase(req.db, poolSize: poolSize)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        var bytes: [UInt8] = []
        AppMetrics.registry.emit(into: &bytes)
        return Response(status: .ok, headers: headers, body: .init(data: Data(bytes)))
    }
}
