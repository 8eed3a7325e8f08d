@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// `GET /metrics`: Prometheus's text format, for the configured token only.
@Suite("metrics")
struct MetricsTests {
    static let token = "scrape-token-0123456789"

    func metrics(_ app: Application, token: String?) async throws -> TestingHTTPResponse {
        var out: TestingHTTPResponse?
        try await app.testing().test(
            .GET, "/metrics",
            beforeRequest: { req in
                if let token { req.headers.bearerAuthorization = .init(token: token) }
            }
        ) { res async in out = res }
        return try #require(out)
    }

    @Test("requests by route template and status, latency histograms, import jobs and the database, behind a token")
    func scrape() async throws {
        try await withTestApp(adjust: { $0.metricsToken = Self.token }) { app in
            try await app.testing().test(.GET, "/health") { res async in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "/areas/12345") { _ async in }
            try await app.testing().test(.GET, "/no/such/page/\(UUID().uuidString)") { res async in
                #expect(res.status == .notFound)
            }
            _ = try await app.importFiles(
                try app.write(PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(1)]), to: "2024-06-norfolk-street.csv"))

            #expect(try await metrics(app, token: nil).status == .unauthorized)
            let wrong = try await metrics(app, token: "scrape-token-0123456780")
            #expect(wrong.status == .unauthorized && wrong.headers.first(name: .wwwAuthenticate) != nil)
            let res = try await metrics(app, token: Self.token)
            #expect(res.status == .ok)
            #expect(res.headers.contentType?.description.hasPrefix("text/plain") == true)
            let text = res.body.string
            #expect(
                text.contains(#"http_requests_total{method="GET",path="/health",status="200"}"#), "\(text.prefix(2000))"
            )
            // A route's template, never the address asked for; unknown addresses share one series.
            #expect(text.contains(#"path="/areas/:slug""#))
            #expect(text.contains(#"path="vapor_route_undefined""#) && !text.contains("no/such/page"))
            #expect(text.contains("http_request_duration_seconds_bucket{"))
            #expect(text.contains(#"saferstreets_import_rows_total{result="ok"}"#))
            #expect(text.contains(#"saferstreets_import_jobs{state="queued"} 0"#))
            #expect(text.contains("saferstreets_database_up 1"))
            let loops = Array(app.eventLoopGroup.makeIterator()).count
            let postgres = SQLFlavor(app.db.sql) == .postgres
            let perLoop = postgres ? app.appConfig.databaseConnections : 1
            #expect(text.contains("saferstreets_database_pool_size \(perLoop * loops)"), "\(text.suffix(1500))")
            if postgres {
                // The scrape's own query is one active connection.
                #expect(text.contains(#"saferstreets_database_connections{state="active"}"#))
                #expect(!text.contains(#"saferstreets_database_connections{state="active"} 0"#))
            }
            #expect(text.contains("saferstreets_mail_due"))
        }
    }

    @Test("without a configured token there is no /metrics; a short token is refused at start")
    func off() async throws {
        try await withTestApp { app in
            let res = try await metrics(app, token: Self.token)
            #expect(res.status == .notFound)
        }
        #expect(throws: ConfigError.self) {
            try AppConfig.fromEnvironment(["SAFERSTREETS_METRICS_TOKEN": "short"])
        }
        let config = try AppConfig.fromEnvironment(["SAFERSTREETS_METRICS_TOKEN": Self.token])
        #expect(config.metricsToken == Self.token)
    }
}
