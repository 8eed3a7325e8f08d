import Fluent
import Foundation
import SQLKit

/// The imports started from the web, as a durable queue in `import_jobs` that every instance
/// works. A job is claimed with a lease: on PostgreSQL `FOR UPDATE SKIP LOCKED` under an
/// advisory lock (one import at a time across all instances, as one database has one set of
/// aggregates to maintain), renewed by a heartbeat while the file imports. A job whose lease
/// ran out (its instance died) is claimed again, up to `maxAttempts`, then failed saying why:
/// never left "running". Taking a job up again is safe because an import is all-or-nothing
/// per file and a file already imported is found unchanged, so nothing is applied twice.
struct ImportQueue: Sendable {
    /// Where a job is: waiting, importing, or ended.
    enum State: String, Sendable, Codable {
        case queued, running, finished, failed
        var isActive: Bool { self == .queued || self == .running }
    }

    struct Job: Sendable, Encodable, Decodable {
        var id: String
        var fileName: String
        var storedPath: String
        var startedBy: String
        var origin: String
        var state: State
        var createdAt: String
        var startedAt: String?
        var finishedAt: String?
        var leaseOwner: String?
        var attempts: Int
        var bytesDone: Int
        var bytesTotal: Int
        var rowsRead: Int
        var summary: String
        var rejects: String

        var percent: Double {
            bytesTotal <= 0 ? 0 : min(100, Double(bytesDone) / Double(bytesTotal) * 100)
        }
        var seconds: Double {
            guard let s = startedAt.flatMap(Date.init(stored:)) else { return 0 }
            return (finishedAt.flatMap(Date.init(stored:)) ?? Date()).timeIntervalSince(s)
        }
        var rowsPerSecond: Int { seconds > 0 ? Int(Double(rowsRead) / seconds) : 0 }
        /// Seconds left at the current rate, while running.
        var secondsLeft: Int? {
            guard state == .running, bytesDone > 0, bytesTotal > bytesDone else { return nil }
            return Int(seconds * Double(bytesTotal - bytesDone) / Double(bytesDone))
        }
        var rejectLines: [String] { rejects.split(separator: "\n").map(String.init) }

        enum CodingKeys: String, CodingKey {
            case id, fileName, storedPath, startedBy, origin, state, createdAt, startedAt, finishedAt, leaseOwner,
                attempts, bytesDone, bytesTotal, rowsRead, summary, rejects
        }
        enum StatusKeys: String, CodingKey {
            case id, fileName, startedBy, state, attempts, bytesDone, bytesTotal, rows, summary, rejects, percent,
                rowsPerSecond, secondsLeft
        }

        /// The status as the API gives it: never the server's folder or the lease's owner.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: StatusKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(fileName, forKey: .fileName)
            try c.encode(startedBy, forKey: .startedBy)
            try c.encode(state, forKey: .state)
            try c.encode(attempts, forKey: .attempts)
            try c.encode(bytesDone, forKey: .bytesDone)
            try c.encode(bytesTotal, forKey: .bytesTotal)
            try c.encode(rowsRead, forKey: .rows)
            try c.encode(summary, forKey: .summary)
            try c.encode(rejectLines, forKey: .rejects)
            try c.encode((percent * 10).rounded() / 10, forKey: .percent)
            try c.encode(rowsPerSecond, forKey: .rowsPerSecond)
            try c.encodeIfPresent(secondsLeft, forKey: .secondsLeft)
        }
    }

    /// How long a claim holds without a heartbeat (PostgreSQL; see `ImportWorker`).
    var lease: TimeInterval = 60
    /// SQLite's claim: no heartbeat can be written while the import holds the one writer, so
    /// the lease is long and a dead process is found by its pid (`ImportWorker.isDead`).
    var sqliteLease: TimeInterval = 6 * 3600
    /// Claims of one job before it is failed: the instance importing it died this often.
    var maxAttempts = 3
    var now: @Sendable () -> Date = { Date() }

    static let columns =
        "id, file_name, stored_path, started_by, origin, state, created_at, started_at, finished_at, lease_owner, attempts, bytes_done, bytes_total, rows_read, summary, rejects"

    func enqueue(
        id: String, fileName: String, storedPath: String, startedBy: String, origin: String, on db: any Database
    )
        async throws
    {
        try await db.sql.raw(
            """
            INSERT INTO import_jobs (id, file_name, stored_path, started_by, origin, state, created_at)
            VALUES (\(bind: id), \(bind: fileName), \(bind: storedPath), \(bind: startedBy), \(bind: origin), 'queued',
              \(bind: now().stored))
            """
        ).run()
    }

    func job(_ id: String, on db: any Database) async throws -> Job? {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM import_jobs WHERE id = \(bind: id)").row(Job.self)
    }

    func recent(limit: Int = 20, on db: any Database) async throws -> [Job] {
        try await db.sql.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM import_jobs ORDER BY created_at DESC, id LIMIT \(bind: limit)"
        ).rows(Job.self)
    }

    /// The next job for `owner`, claimed, or nil when none is waiting or another import is
    /// running under a live lease.
    func claim(owner: String, on db: any Database) async throws -> Job? {
        let t = now()
        let postgres = SQLFlavor(db.sql) == .postgres
        return try await db.transaction { tx in
            if postgres {
                // Claims one at a time, so the check for a running import sees every claim.
                try await tx.sql.raw("SELECT pg_advisory_xact_lock(\(bind: Self.claimLock))").run()
            }
            let busy = try await tx.sql.raw(
                """
                SELECT COUNT(*) AS n FROM import_jobs
                WHERE state = 'running' AND lease_until >= \(bind: t.stored) AND lease_owner <> \(bind: owner)
                """
            ).first(decodingColumn: "n", as: Int.self)
            guard busy == 0 else { return nil }
            let lock: SQLQueryString = postgres ? "FOR UPDATE SKIP LOCKED" : ""
            return try await tx.sql.raw(
                """
                UPDATE import_jobs SET state = 'running', lease_owner = \(bind: owner),
                  lease_until = \(bind: t.addingTimeInterval(postgres ? lease : sqliteLease).stored), attempts = attempts + 1,
                  started_at = COALESCE(started_at, \(bind: t.stored))
                WHERE id = (SELECT id FROM import_jobs
                  WHERE (state = 'queued' OR (state = 'running' AND lease_until < \(bind: t.stored)))
                    AND attempts < \(bind: maxAttempts)
                  ORDER BY created_at, id LIMIT 1 \(lock))
                RETURNING \(unsafeRaw: Self.columns)
                """
            ).row(Job.self)
        }
    }

    /// Fails the jobs whose instance died `maxAttempts` times; returns their stored files.
    func failAbandoned(on db: any Database) async throws -> [String] {
        let t = now()
        let reason =
            "The import stopped: the server importing it stopped \(maxAttempts) times before it finished. Nothing of the file being imported was kept; upload it again, and if it stops again tell the administrator."
        return try await db.sql.raw(
            """
            UPDATE import_jobs SET state = 'failed', finished_at = \(bind: t.stored), lease_owner = NULL,
              lease_until = NULL, summary = \(bind: reason)
            WHERE state = 'running' AND lease_until < \(bind: t.stored) AND attempts >= \(bind: maxAttempts)
            RETURNING stored_path
            """
        ).all(decodingColumn: "stored_path", as: String.self)
    }

    /// Renews `owner`'s lease and records progress; false when the lease was lost.
    func heartbeat(_ id: String, owner: String, bytesDone: Int, bytesTotal: Int, rows: Int, on db: any Database)
        async throws -> Bool
    {
        let renewed = try await db.sql.raw(
            """
            UPDATE import_jobs SET lease_until = \(bind: now().addingTimeInterval(lease).stored),
              bytes_done = \(bind: bytesDone), bytes_total = \(bind: bytesTotal), rows_read = \(bind: rows)
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner) AND state = 'running'
            RETURNING id
            """
        ).all(decodingColumn: "id", as: String.self)
        return !renewed.isEmpty
    }

    /// Ends `owner`'s job as finished or failed.
    func finish(
        _ id: String, owner: String, state: State, rows: Int, bytes: (done: Int, total: Int) = (0, 0), summary: String,
        rejects: [String], on db: any Database
    ) async throws {
        try await db.sql.raw(
            """
            UPDATE import_jobs SET state = \(bind: state.rawValue), finished_at = \(bind: now().stored),
              lease_owner = NULL, lease_until = NULL, rows_read = \(bind: rows),
              bytes_done = \(bind: state == .finished ? bytes.total : bytes.done), bytes_total = \(bind: bytes.total),
              summary = \(bind: summary), rejects = \(bind: rejects.joined(separator: "\n"))
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner)
            """
        ).run()
    }

    /// Gives `owner`'s running job back to the queue (a server shutting down), without
    /// counting the attempt.
    func release(_ id: String, owner: String, on db: any Database) async throws {
        try await db.sql.raw(
            """
            UPDATE import_jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL,
              attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner) AND state = 'running'
            """
        ).run()
    }

    /// How many transactions an import prepared and did not end (PostgreSQL; a process killed
    /// between the two steps of ``CopyLane``'s commit).
    func preparedImports(on db: any Database) async throws -> Int {
        guard SQLFlavor(db.sql) == .postgres else { return 0 }
        return try await db.sql.raw(
            """
            SELECT COUNT(*) AS n FROM pg_prepared_xacts
            WHERE database = current_database() AND gid LIKE \(bind: CopyLane.prefix + "%")
            """
        ).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// Every running job with its lease owner, for `ImportWorker.recover` to find those whose
    /// process has died on this machine.
    func running(on db: any Database) async throws -> [(id: String, owner: String)] {
        struct Row: Decodable { var id: String; var leaseOwner: String? }
        return try await db.sql.raw("SELECT id, lease_owner FROM import_jobs WHERE state = 'running'")
            .rows(Row.self).compactMap { r in r.leaseOwner.map { (r.id, $0) } }
    }

    /// Makes `owner`'s running job claimable at once: its process is known to be gone.
    func expire(_ id: String, owner: String, on db: any Database) async throws {
        try await db.sql.raw(
            """
            UPDATE import_jobs SET lease_until = \(bind: Date(timeIntervalSince1970: 0).stored)
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner) AND state = 'running'
            """
        ).run()
    }

    /// The advisory lock key of claims ("SSimport" in ASCII).
    static let claimLock: Int64 = 0x5353_696d_706f_7274
}
