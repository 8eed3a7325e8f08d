@testable import App
import CrimeData
import Fluent
import Foundation
import Testing
import Vapor

/// Start-up migrations: each migration and its record committed together, so a start that
/// dies part-way leaves nothing half-done; instances starting together on one database each
/// find the work done once.
@Suite("migrations: all or nothing, one instance at a time")
struct MigrationTests {
    struct KilledHalfWay: Error {}

    /// Makes a table and a row, then fails (a start killed in the middle) unless told not to.
    struct Half: AsyncMigration {
        let fail: Bool
        var name: String { "MigrationTests.Half" }
        func prepare(on database: any Database) async throws {
            try await database.sql.raw("CREATE TABLE half_made (id INTEGER NOT NULL)").run()
            try await database.sql.raw("INSERT INTO half_made (id) VALUES (1)").run()
            if fail { throw KilledHalfWay() }
        }
        func revert(on database: any Database) async throws {
            try await database.sql.raw("DROP TABLE half_made").run()
        }
    }

    @Test("a migration that fails half-way leaves neither its table nor its record; the next start applies it once")
    func halfWay() async throws {
        try await withTestApp { app in
            do {
                _ = try await MigrationRunner.run([Half(fail: true)], on: app.db)
                Issue.record("the failing migration did not fail")
            } catch {
                #expect(error is KilledHalfWay)
            }
            do {
                try await app.db.sql.raw("SELECT COUNT(*) AS n FROM half_made").run()
                Issue.record("the table was left behind by the failed migration")
            } catch {}
            // (Values first, then compared: FluentKit's `==` for query filters confuses #expect.)
            let recorded = try await app.scalar(
                "SELECT COUNT(*) AS n FROM _fluent_migrations WHERE name = 'MigrationTests.Half'")
            #expect(recorded == 0)
            let applied = try await MigrationRunner.run([Half(fail: false)], on: app.db)
            let rows = try await app.scalar("SELECT COUNT(*) AS n FROM half_made")
            let again = try await MigrationRunner.run([Half(fail: false)], on: app.db)
            #expect(applied == 1 && rows == 1 && again == 0)
            // Fluent's own view agrees: nothing is pending.
            let pending = try await app.migrator.previewPrepareBatch().get()
            #expect(pending.isEmpty)
        }
    }

    @Test("two instances starting together on one new database: both start, every migration applied once")
    func twoInstances() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "saferstreets-two-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var config = AppConfig(database: .sqlite(path: scratch.appendingPathComponent("shared.sqlite").path))
        var dropDatabase: String?
        if let admin = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !admin.isEmpty {
            let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await TestPostgres.execute("CREATE DATABASE \(name)", adminURL: admin)
            dropDatabase = name
            config = AppConfig(database: .postgres(url: TestPostgres.url(admin, database: name)))
        }
        config.connectionWait = .seconds(120)
        config.dataKeys = try FieldCipher.parse(FieldCipher.newKeyText(id: "test"))
        let first = try await Application.make(.testing), second = try await Application.make(.testing)
        do {
            try await configure(first, config: config)
            try await configure(second, config: config)
            async let a: Void = first.prepareDatabase()
            async let b: Void = second.prepareDatabase()
            _ = try await (a, b)
            let records = try await first.scalar("SELECT COUNT(*) AS n FROM _fluent_migrations")
            let names = try await first.scalar("SELECT COUNT(DISTINCT name) AS n FROM _fluent_migrations")
            #expect(records == Migrations.all.count && names == Migrations.all.count)
            let lsoas = try await second.scalar("SELECT COUNT(*) AS n FROM lsoas")
            let forces = try await second.scalar("SELECT COUNT(*) AS n FROM forces")
            #expect(lsoas == 34_753 && forces == PoliceForce.known.count, "the geography loaded once")
        } catch {
            Issue.record("\(String(reflecting: error))")
        }
        try await first.asyncShutdown()
        try await second.asyncShutdown()
        if let name = dropDatabase { try await TestPostgres.drop(name) }
    }

    @Test("a migration that copies a large table says so first; only lock contention is retried")
    func rewritesAndRetries() async throws {
        try await withTestApp { app in
            try await app.db.sql.raw(
                "INSERT INTO counts_by_lsoa (lsoa_code, month, category_id, count) VALUES ('E01000001', 202401, 1, 3), ('E01000001', 202402, 1, 4)"
            ).run()
            let said = await MigrationRunner.warnOfRewrites(ClusterCountTables(), on: app.db, from: 2)
            if SQLFlavor(app.db.sql) == .sqlite {
                #expect(
                    said == [
                        "App.ClusterCountTables rewrites counts_by_lsoa (2 rows): the database is locked while it runs"
                    ])
            } else {
                #expect(said.isEmpty, "PostgreSQL keeps its heap tables: nothing is rewritten")
            }
            #expect(await MigrationRunner.warnOfRewrites(ClusterCountTables(), on: app.db, from: 3).isEmpty)
            #expect(await MigrationRunner.warnOfRewrites(CreateMail(), on: app.db, from: 0).isEmpty)
        }
        struct Failure: Error, CustomStringConvertible { var description: String }
        #expect(MigrationRunner.isContention(Failure(description: "sqlite: database is locked (5)")))
        #expect(MigrationRunner.isContention(Failure(description: "PSQLError: deadlock detected")))
        #expect(!MigrationRunner.isContention(Failure(description: "table lsoas already exists")))
    }

    @Test("/ready: 200 when the database answers and its migrations are current, else 503 saying which")
    func ready() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/ready") { res async in
                #expect(res.status == .ok)
                #expect(
                    (try? res.content.decode(ReadinessQueries.Report.self))
                        == .init(ready: true, database: "ok", migrations: "current", draining: false))
            }
            try await app.db.sql.raw(
                "DELETE FROM _fluent_migrations WHERE name = \(bind: Migrations.all[Migrations.all.count - 1].name)"
            )
            .run()
            try await app.testing().test(.GET, "/ready") { res async in
                #expect(res.status == .serviceUnavailable && res.body.string.contains("\"migrations\":\"1 pending\""))
            }
            try await app.testing().test(.GET, "/health") { res async in #expect(res.status == .ok) }
        }
    }

    @Test("a new SQLite file is made with 16 KiB pages, in WAL mode")
    func pageSize() async throws {
        try await withTestApp { app in
            guard SQLFlavor(app.db.sql) == .sqlite else { return }
            struct PageSize: Decodable { var page_size: Int }
            struct JournalMode: Decodable { var journal_mode: String }
            let size = try await app.db.sql.raw("PRAGMA page_size").first(decoding: PageSize.self)
            let mode = try await app.db.sql.raw("PRAGMA journal_mode").first(decoding: JournalMode.self)
            #expect(size?.page_size == 16384)
            #expect(mode?.journal_mode == "wal")
        }
    }
}
