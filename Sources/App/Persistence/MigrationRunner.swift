import Fluent
import Foundation
import SQLKit

/// Runs the migrations so that a start killed at any point, or several instances starting at
/// once, leave the database either before or after each migration, never half-way.
///
/// Fluent's migrator runs a migration and then records it in `_fluent_migrations`, as two
/// steps: a start killed between them (or during a migration of several statements) left a
/// table made but not recorded, and every later start stopped with "table already exists".
/// Here each migration and its record are one transaction (SQLite and PostgreSQL both roll
/// DDL back). On PostgreSQL each transaction first takes an advisory lock, so one instance
/// migrates while the others wait and then find the work done; on SQLite the file's own write
/// lock does the same, and an instance that loses the race looks again and finds it recorded.
enum MigrationRunner {
    /// The advisory lock's key ("SaferStr" in ASCII, as a 64-bit number).
    static let lockKey: Int64 = 0x5361_6665_7253_7472

    /// Applies each migration of `list` not yet recorded; returns how many this call applied.
    static func run(_ list: [any Migration], on db: any Database) async throws -> Int {
        // The record table itself, made under the same lock: PostgreSQL's
        // `CREATE TABLE IF NOT EXISTS` is not safe against another instance doing the same.
        try await retrying {
            try await db.transaction { tx in
                try await lock(tx, recordTableExists: false)
                try await MigrationLog.migration.prepare(on: tx).get()
            }
        }
        let done = Set(try await MigrationLog.query(on: db).all().map(\.name))
        let batch = (try await MigrationLog.query(on: db).max(\.$batch) ?? 0) + 1
        var applied = 0
        for migration in list where !done.contains(migration.name) {
            await warnOfRewrites(migration, on: db)
            if try await apply(migration, batch: batch, on: db) {
                applied += 1
                db.logger.debug("[Migrator] prepared \(migration.name) with its record")
            } else {
                db.logger.debug("[Migrator] \(migration.name) was prepared by another instance")
            }
        }
        return applied
    }

    /// One migration and its record in one transaction; false when another instance had
    /// applied it already.
    static func apply(_ migration: any Migration, batch: Int, on db: any Database) async throws -> Bool {
        var attempt = 0
        let started = Date()
        while true {
            // Applied already by another instance: known without waiting for its write lock.
            if try await isRecorded(migration, on: db) { return false }
            do {
                return try await db.transaction { tx in
                    try await lock(tx)
                    if try await isRecorded(migration, on: tx) { return false }
                    try await migration.prepare(on: tx).get()
                    try await MigrationLog(name: migration.name, batch: batch).create(on: tx)
                    return true
                }
            } catch {
                // SQLite: another instance took the write lock first and may have applied it.
                if try await isRecorded(migration, on: db) { return false }
                attempt += 1
                // Only waiting for another instance is worth another try, for up to three
                // minutes (it may be loading the geography, holding the one writer); a
                // migration's own error fails the start at once, naming it.
                guard isContention(error), Date().timeIntervalSince(started) < contentionBudget else { throw error }
                try await Task.sleep(nanoseconds: UInt64(min(attempt, 4)) * 500_000_000)
            }
        }
    }

    /// Waits for the migration lock, held until the transaction ends. PostgreSQL: an advisory
    /// lock. SQLite: a write as the transaction's first statement takes the file's write lock
    /// before anything is read (waiting out the busy timeout), so no stale snapshot is ever
    /// asked to write.
    static func lock(_ tx: any Database, recordTableExists: Bool = true) async throws {
        guard let sql = tx as? any SQLDatabase else { return }
        switch SQLFlavor(sql) {
        case .postgres: try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: lockKey))").run()
        case .sqlite:
            if recordTableExists { try await sql.raw("UPDATE _fluent_migrations SET batch = batch WHERE 1 = 0").run() }
        }
    }

    /// Runs `body` again (for up to `contentionBudget`, waiting a little longer each time) when
    /// another connection holds the lock: SQLite answers "database is locked" at once, without
    /// waiting, when two connections that both read a new file try to write it (its deadlock rule).
    static func retrying(_ body: () async throws -> Void) async throws {
        var attempt = 0
        let started = Date()
        while true {
            do {
                return try await body()
            } catch {
                attempt += 1
                guard isContention(error), Date().timeIntervalSince(started) < contentionBudget else { throw error }
                try await Task.sleep(nanoseconds: UInt64(min(attempt, 5)) * 200_000_000)
            }
        }
    }

    /// Whether `error` is another connection holding a lock (SQLite's busy or locked, a
    /// PostgreSQL deadlock or lock timeout), rather than a fault of the migration itself.
    static func isContention(_ error: any Error) -> Bool {
        let text = String(describing: error).lowercased()
        return ["database is locked", "database table is locked", "busy", "deadlock detected", "lock timeout"]
            .contains { text.contains($0) }
    }

    /// Says, before a migration that copies whole tables, how many rows it will copy: the
    /// database is locked for as long as that takes (plan the downtime of an upgrade).
    @discardableResult
    static func warnOfRewrites(_ migration: any Migration, on db: any Database, from threshold: Int = largeTable)
        async -> [String]
    {
        guard let rewriting = migration as? any RewritesTables, let sql = db as? any SQLDatabase else { return [] }
        var said: [String] = []
        for table in rewriting.rewrittenTables(flavor: SQLFlavor(sql)) {
            guard
                let rows = try? await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(
                    decodingColumn: "n", as: Int.self), rows >= threshold
            else { continue }
            said.append("\(migration.name) rewrites \(table) (\(rows) rows): the database is locked while it runs")
            db.logger.notice("[Migrator] \(said[said.count - 1])")
        }
        return said
    }

    /// How long a start keeps trying while another instance holds the database's lock.
    static let contentionBudget: TimeInterval = 180

    /// From this many rows a rewrite is announced.
    static let largeTable = 100_000

    static func isRecorded(_ migration: any Migration, on db: any Database) async throws -> Bool {
        try await MigrationLog.query(on: db).filter(\.$name == migration.name).first() != nil
    }
}

/// A migration that copies whole tables (and so locks them for the copy's length).
protocol RewritesTables {
    func rewrittenTables(flavor: SQLFlavor) -> [String]
}
