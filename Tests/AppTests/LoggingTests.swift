@testable import App
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// Logs an operator can collect: one JSON object a line, and one access line per request that
/// names the route's pattern, never the path as sent (ids, query strings, tokens).
@Suite("logs: JSON lines and the access log")
struct LoggingTests {
    /// Keeps every message and its metadata.
    struct Capture: LogHandler {
        let lines: NIOLockedValueBox<[String]>
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            lines.withLockedValue {
                $0.append(event.message.description + " " + all.map { "\($0)=\($1)" }.sorted().joined(separator: " "))
            }
        }
    }

    @Test("a JSON line: sorted keys, escaped text, the metadata beside the message")
    func jsonLine() {
        let line = JSONLogHandler.line(
            time: Date(timeIntervalSince1970: 0), level: .warning, label: "app", message: "say \"hi\"\nthen go",
            metadata: ["request-id": "r1", "status": .stringConvertible(503)])
        #expect(
            line
                == #"{"label":"app","level":"warning","message":"say \"hi\"\nthen go","request-id":"r1","status":"503","time":"1970-01-01T00:00:00Z"}"#
        )
    }

    @Test("each request logs its method, route pattern, status and time; never the path's ids or the query")
    func accessLog() async throws {
        try await withTestApp { app in
            let lines = NIOLockedValueBox<[String]>([])
            app.logger = Logger(label: "test") { _ in Capture(lines: lines) }
            app.logger.logLevel = .info
            try await app.testing().test(.GET, "/password/reset?token=do-not-log-me") { res async in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "/victims/cases/12345") { _ async in }
            let logged = lines.withLockedValue { $0 }
            #expect(
                logged.contains {
                    $0.hasPrefix("GET /password/reset 404 ") && $0.contains("ms=") && $0.contains("request-id=")
                })
            #expect(logged.contains { $0.hasPrefix("GET /victims/cases/:case ") }, "\(logged)")
            #expect(!logged.contains { $0.contains("do-not-log-me") || $0.contains("12345") })
        }
    }
}
