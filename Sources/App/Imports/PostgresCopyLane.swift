import Foundation
import Logging
import NIOPosix
import PostgresKit
import PostgresNIO

/// A second connection of a PostgreSQL import, with its own transaction and writer thread.
///
/// On two cores the server's COPY of a file's rows is the import's slowest part, and one
/// server process does it on one core while the other is partly idle. The rows of some of
/// the file's *new* slices are therefore copied through this connection, by a second server
/// process. Nothing else goes through it: the slices, counts, outcomes and every other
/// statement stay on the import's main connection, and a stored row is only ever looked up
/// or changed on the connection that wrote it.
///
/// Both transactions end together by two-phase commit, so the file stays all-or-nothing:
/// this one is prepared first, then the main one; then this one is committed, then the main
/// one. A process killed part-way leaves prepared transactions, named
/// `saferstreets-import-<token>-rows` and `…-main`, which the next import resolves
/// (``recover(on:logger:)``): both prepared, or only `main` (its rows were committed), means
/// the import had decided to commit; `rows` alone means it had not. Until then readers see
/// either nothing of the file or, for a moment, only its rows, in slices that do not exist
/// yet (every reader of incidents goes through its slices). While the import runs, its main
/// connection holds a session lock on the token, so that another instance leaves its
/// prepared transactions alone.
///
/// Used only where the server allows prepared transactions (`max_prepared_transactions` of
/// at least 2); otherwise, and for a file whose rows all went through the main connection,
/// the import commits as before.
final class CopyLane {
    let connection: PostgresConnection
    let writer = BackgroundWriter()
    /// The current import's token (its prepared transactions' names and its lock).
    private(set) var token: Int64 = 0
    static let prefix = "saferstreets-import-"

    init(connection: PostgresConnection) { self.connection = connection }

    func stop() {
        writer.stop()
        let connection = self.connection
        try? blocking { try await connection.close() }
    }

    /// Whether the server lets an import prepare its two transactions.
    static func isAllowed(on main: PostgresConnection, logger: Logger) throws -> Bool {
        let rows = try main.rowsWaiting("SELECT current_setting('max_prepared_transactions')::int", logger: logger)
        return try (rows.first?.decode(Int.self) ?? 0) >= 2
    }

    /// Opens this connection's transaction; `main` takes the session lock on a new token.
    func begin(main: PostgresConnection, logger: Logger) throws {
        token = Int64.random(in: 1...Int64.max)
        try main.rowsWaiting("SELECT pg_advisory_lock(\(token))", logger: logger)
        try connection.rowsWaiting("BEGIN", logger: logger)
    }

    /// Ends both transactions as one. `main` is the main connection, inside its transaction;
    /// `rowsSent` whether any rows went through this one (if not, it is simply rolled back).
    func commit(main: PostgresConnection, rowsSent: Bool, logger: Logger) throws {
        guard rowsSent else {
            try connection.rowsWaiting("ROLLBACK", logger: logger)
            try main.rowsWaiting("COMMIT", logger: logger)
            try release(main: main, logger: logger)
            return
        }
        let rows = Self.prefix + "\(token)-rows", whole = Self.prefix + "\(token)-main"
        func onMain(_ sql: String) throws { try main.rowsWaiting(PostgresQuery(unsafeSQL: sql), logger: logger) }
        try connection.rowsWaiting(PostgresQuery(unsafeSQL: "PREPARE TRANSACTION '\(rows)'"), logger: logger)
        do {
            try onMain("PREPARE TRANSACTION '\(whole)'")
        } catch {
            try? connection.rowsWaiting(PostgresQuery(unsafeSQL: "ROLLBACK PREPARED '\(rows)'"), logger: logger)
            throw error
        }
        // Both on the main connection, which is free once prepared: the second connection
        // may be gone without the commit failing.
        try onMain("COMMIT PREPARED '\(rows)'")
        try onMain("COMMIT PREPARED '\(whole)'")
        try release(main: main, logger: logger)
    }

    /// Rolls this connection's transaction back (the main one is rolled back by its store).
    func rollback(main: PostgresConnection, logger: Logger) {
        try? writer.drain()
        writer.reset()
        try? connection.rowsWaiting("ROLLBACK", logger: logger)
        try? release(main: main, logger: logger)
    }

    private func release(main: PostgresConnection, logger: Logger) throws {
        try main.rowsWaiting("SELECT pg_advisory_unlock(\(token))", logger: logger)
    }

    /// ``recover(on:logger:)`` on a connection of its own (the import queue's worker, which
    /// looks every few seconds).
    static func recover(url: String, logger: Logger) throws {
        let config = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try blocking {
            try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 3, logger: logger)
        }
        defer { try? blocking { try await connection.close() } }
        try recover(on: connection, logger: logger)
    }

    /// Resolves the prepared transactions of imports whose process is gone, as the comment
    /// above says; those of an import still running (its token locked) are left alone.
    /// Returns the names committed and rolled back.
    @discardableResult
    static func recover(on connection: PostgresConnection, logger: Logger) throws -> (
        committed: [String], rolledBack: [String]
    ) {
        func run(_ sql: String) throws -> [PostgresRow] {
            try connection.rowsWaiting(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
        /// The parts each token has prepared (`rows`, `main`), of one token or all.
        func prepared(_ token: Int64?) throws -> [Int64: Set<String>] {
            let pattern = prefix + (token.map { "\($0)-" } ?? "")
            var byToken: [Int64: Set<String>] = [:]
            for row in try run(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND gid LIKE '\(pattern)%'")
            {
                let parts = try row.decode(String.self).dropFirst(prefix.count).split(separator: "-")
                guard parts.count == 2, let t = Int64(parts[0]), parts[1] == "rows" || parts[1] == "main" else {
                    continue
                }
                byToken[t, default: []].insert(String(parts[1]))
            }
            return byToken
        }
        var result: (committed: [String], rolledBack: [String]) = ([], [])
        for token in try prepared(nil).keys.sorted() {
            guard try run("SELECT pg_try_advisory_lock(\(token))").first?.decode(Bool.self) == true else { continue }
            defer { _ = try? run("SELECT pg_advisory_unlock(\(token))") }
            // Read again under the lock: the import may have finished in between.
            guard let parts = try prepared(token)[token] else { continue }
            let rows = prefix + "\(token)-rows", whole = prefix + "\(token)-main"
            if parts.contains("main") {
                if parts.contains("rows") {
                    _ = try run("COMMIT PREPARED '\(rows)'")
                    result.committed.append(rows)
                }
                _ = try run("COMMIT PREPARED '\(whole)'")
                result.committed.append(whole)
            } else {
                _ = try run("ROLLBACK PREPARED '\(rows)'")
                result.rolledBack.append(rows)
            }
        }
        if !(result.committed.isEmpty && result.rolledBack.isEmpty) {
            logger.warning(
                "resolved the prepared transactions of an import that was stopped while committing",
                metadata: [
                    "committed": .string(result.committed.joined(separator: ",")),
                    "rolledBack": .string(result.rolledBack.joined(separator: ",")),
                ])
        }
        return result
    }
}

/// How ``PostgresImportStore`` routes rows to its ``CopyLane``.
extension PostgresImportStore {
    /// Both writer threads' seconds together.
    var writerSeconds: (busy: Double, cpu: Double, waited: Double) {
        let a = writer.seconds
        guard let b = lane?.writer.seconds else { return a }
        return (a.busy + b.busy, a.cpu + b.cpu, a.waited + b.waited)
    }

    /// A slice made by this import: its rows will go through the connection that has been
    /// sent fewer bytes when its first batch is (the first slice's through the main one, so
    /// that a file of one slice needs no second transaction).
    func noteNewSlice(_ slice: Int64) {
        if lane != nil { newSlices.insert(slice) }
    }

    /// Whether a slice's rows went through the second connection (where they are looked up
    /// and changed).
    func isLaneSlice(_ slice: Int64) -> Bool { laneSlices.contains(slice) }

    /// Whether a batch of `slice` goes through the second connection: a new slice is given
    /// to it at its first batch if it has been sent fewer bytes than the main one.
    func takesLane(_ slice: Int64) -> Bool {
        if newSlices.remove(slice) != nil, laneBytes.second < laneBytes.main { laneSlices.insert(slice) }
        return laneSlices.contains(slice)
    }

    /// Waits until every queued batch of both connections is written.
    func syncAll() throws {
        try sync()
        try lane?.writer.drain()
    }
}
