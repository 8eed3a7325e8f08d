@testable import App
import Foundation
import Logging
import NIOPosix
import PostgresKit
import PostgresNIO
import Testing
import Vapor

/// PostgreSQL's import copies the rows of some new slices through a second connection and
/// ends both transactions by two-phase commit (``CopyLane``). On SQLite the same file must
/// give the same rows; the checks of the two transactions run on PostgreSQL only.
@Suite("an import through two connections")
struct CopyLaneTests {
    /// Three slices, and the second force's slice again at the end: one new crime and one
    /// already in the file with another outcome (an update of a row the second connection
    /// wrote, looked up there).
    static let rows: [String] =
        (0..<40).map { PoliceCSV.crime(0x60_0000 + $0) }
        + (0..<30).map { suffolk(0x61_0000 + $0) }
        + (0..<20).map { PoliceCSV.crime(0x62_0000 + $0, month: "2024-07") }
        + [suffolk(0x61_0100), suffolk(0x61_0003, outcome: "Offender given a caution")]

    static func suffolk(_ n: Int, outcome: String = "Under investigation") -> String {
        PoliceCSV.crime(n, outcome: outcome).replacingOccurrences(of: "Norfolk", with: "Suffolk")
    }

    @Test("a file of three slices: every row once, the repeated crime updated where it was written, counts recounted")
    func severalSlices() async throws {
        try await withTestApp { app in
            let path = try app.write(PoliceCSV.file(PoliceCSV.street, Self.rows), to: "2024-06-street.csv")
            let report = try await app.importFiles(path)
            #expect(report.inserted == 91)
            #expect(report.updated == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 91)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM incidents WHERE last_outcome = 'Offender given a caution'") == 1)
            #expect(try await app.scalar("SELECT COUNT(DISTINCT id) AS n FROM incidents") == 91)
            try await expectAggregatesMatchRows(app)
            guard SQLFlavor(app.db.sql) == .postgres, try await Self.preparedAllowed(app) else { return }
            // The Suffolk slice's rows came through the second connection's transaction.
            #expect(try await app.scalar("SELECT COUNT(DISTINCT xmin::text) AS n FROM incidents") == 2)
            #expect(
                try await app.scalar(
                    """
                    SELECT COUNT(DISTINCT i.xmin::text) AS n FROM incidents i JOIN data_slices s ON s.id = i.slice_id
                    WHERE s.force_id = 'suffolk'
                    """) == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pg_prepared_xacts") == 0)
            // Again, row by row: the rows each connection wrote are found, nothing is added,
            // nothing is left prepared. (The repeated crime is updated twice, as on SQLite.)
            try await app.db.sql.raw("DELETE FROM source_fingerprints").run()
            let again = try await app.importFiles(path)
            #expect(again.inserted == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 91)
            try await expectAggregatesMatchRows(app)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pg_prepared_xacts") == 0)
        }
    }

    @Test("a file refused part-way leaves nothing of either connection's rows, and nothing prepared")
    func refusedFile() async throws {
        try await withTestApp { app in
            let earlier = try app.write(
                PoliceCSV.file(
                    PoliceCSV.street, [PoliceCSV.crime(1, month: "2024-05"), PoliceCSV.asb(month: "2024-05")]),
                to: "2024-05-norfolk-street.csv")
            #expect(try await app.importFiles(earlier).inserted == 2)
            // An unterminated quote at the end makes the file unreadable after all its slices.
            let bad = Self.rows + ["\(PoliceCSV.id(9)),2024-06,\"unterminated"]
            let path = try app.write(PoliceCSV.file(PoliceCSV.street, bad), to: "2024-06-street.csv")
            let report = try await app.importFiles(path)
            #expect(report.filesRefused == 1)
            #expect(report.inserted == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 2)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM data_slices") == 1)
            #expect(try await app.scalar("SELECT SUM(count) AS n FROM counts_by_lsoa") == 2)
            if SQLFlavor(app.db.sql) == .postgres {
                #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pg_prepared_xacts") == 0)
            }
            // The file mended imports whole.
            let good = try app.write(PoliceCSV.file(PoliceCSV.street, Self.rows), to: "2024-06-street-2.csv")
            #expect(try await app.importFiles(good).inserted == 91)
            try await expectAggregatesMatchRows(app)
        }
    }

    @Test("prepared transactions of a killed import: committed if it had decided to, rolled back if not, left if alive")
    func recovery() async throws {
        try await withTestApp { app in
            guard case .postgres(let url) = app.appConfig.database, try await Self.preparedAllowed(app) else {
                return
            }
            try await app.db.sql.raw("CREATE TABLE lane_probe (name TEXT)").run()
            let logger = Logger(label: "test")
            let config = try SQLPostgresConfiguration(url: url).coreConfiguration
            func connect() async throws -> PostgresConnection {
                try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 9, logger: logger)
            }
            /// Prepares a transaction that inserts `name`, on a connection then closed.
            func prepare(_ name: String) async throws {
                let c = try await connect()
                for sql in ["BEGIN", "INSERT INTO lane_probe VALUES ('\(name)')", "PREPARE TRANSACTION '\(name)'"] {
                    _ = try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
                }
                try await c.close()
            }
            let p = CopyLane.prefix
            try await prepare(p + "11-rows")  // both prepared: had decided to commit
            try await prepare(p + "11-main")
            try await prepare(p + "22-rows")  // rows alone: had not
            try await prepare(p + "33-main")  // main alone: its rows were committed
            try await prepare(p + "44-rows")  // both, but its import still holds its token
            try await prepare(p + "44-main")
            let alive = try await connect()
            _ = try await alive.query("SELECT pg_advisory_lock(44)", logger: logger).collect()

            let main = try await connect()
            let result = try await Task.detached { try CopyLane.recover(on: main, logger: logger) }.value
            #expect(Set(result.committed) == [p + "11-rows", p + "11-main", p + "33-main"])
            #expect(result.rolledBack == [p + "22-rows"])
            let names = try await app.db.sql.raw("SELECT name FROM lane_probe ORDER BY name").all()
                .map { try $0.decode(column: "name", as: String.self) }
            #expect(names == [p + "11-main", p + "11-rows", p + "33-main"])
            let left = try await app.db.sql.raw("SELECT gid FROM pg_prepared_xacts ORDER BY gid").all()
                .map { try $0.decode(column: "gid", as: String.self) }
            #expect(left == [p + "44-main", p + "44-rows"])

            // Once that import is gone, the next recovery commits it too.
            try await alive.close()
            let later = try await Task.detached { try CopyLane.recover(on: main, logger: logger) }.value
            #expect(Set(later.committed) == [p + "44-rows", p + "44-main"])
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM pg_prepared_xacts") == 0)
            try await main.close()

            // A serving instance's import worker does the same when it looks at the queue.
            try await prepare(p + "55-rows")
            try await prepare(p + "55-main")
            let worker = ImportWorker(queue: ImportQueue(), folder: app.scratch)
            #expect(try await worker.queue.preparedImports(on: app.db) == 2)
            try await worker.recover(app)
            #expect(try await worker.queue.preparedImports(on: app.db) == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM lane_probe WHERE name LIKE '%55-%'") == 2)
        }
    }

    static func preparedAllowed(_ app: Application) async throws -> Bool {
        try await app.scalar("SELECT current_setting('max_prepared_transactions')::int AS n") >= 2
    }
}
