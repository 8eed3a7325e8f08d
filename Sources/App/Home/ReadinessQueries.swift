import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// What `/ready` checks: the database answers, every migration this build knows is recorded,
/// and the server is not shutting down.
struct ReadinessQueries: Sendable {
    let draining: DrainFlag

    /// Set when the server starts to shut down: a load balancer stops sending it requests.
    final class DrainFlag: Sendable {
        private let flag = NIOLockedValueBox(false)
        var isSet: Bool { flag.withLockedValue { $0 } }
        func set() { flag.withLockedValue { $0 = true } }
    }

    struct Report: Codable, Sendable, Equatable {
        var ready: Bool
        var database: String
        var migrations: String
        var draining: Bool
    }

    func check(on db: any Database) async -> Report {
        var report = Report(ready: false, database: "ok", migrations: "current", draining: draining.isSet)
        do {
            _ = try await db.sql.raw("SELECT 1 AS one").first(decodingColumn: "one", as: Int.self)
        } catch {
            report.database = "unreachable"
            report.migrations = "unknown"
            return report
        }
        do {
            let recorded = Set(try await MigrationLog.query(on: db).all().map(\.name))
            let missing = Migrations.all.filter { !recorded.contains($0.name) }.count
            if missing > 0 { report.migrations = "\(missing) pending" }
        } catch {
            report.migrations = "unknown"
        }
        report.ready = report.migrations == "current" && !report.draining
        return report
    }
}
