import Analytics
import CSQLiteShim
import Foundation

/// A raw SQLite connection on the same SQLite library Fluent uses, for bulk work that
/// needs prepared statements reused millions of times. Used from one thread at a time,
/// so it is opened without SQLite's per-call mutex.
final class SQLiteConnectionHandle {
    let path: String
    private(set) var db: OpaquePointer?

    init(path: String) throws {
        self.path = path
        var handle: OpaquePointer?
        let rc = sqlite_nio_sqlite3_open_v2(
            path, &handle, SHIM_SQLITE_OPEN_READWRITE | SHIM_SQLITE_OPEN_CREATE | SHIM_SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SHIM_SQLITE_OK, let handle else {
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw StoreError.database("cannot open SQLite database \(path) (code \(rc))")
        }
        db = handle
        sqlite_nio_sqlite3_busy_timeout(handle, 10_000)
        try exec("PRAGMA journal_mode=WAL")
        try exec("PRAGMA synchronous=FULL")
        try exec("PRAGMA foreign_keys=ON")
        // 16 MiB page cache: new rows are appended (in key order, see SQLiteImportStore), so
        // the pages written to again are few; a larger cache only delays the same writes.
        // With 32 MiB the national-shaped file's import peaked at 192-198 MiB, with 16 MiB
        // at 176-182 MiB, in the same time within the noise (BENCHMARKS.md, issue 19).
        try exec("PRAGMA cache_size=-16384")
        try exec("PRAGMA temp_store=MEMORY")
    }

    deinit { if let db { sqlite_nio_sqlite3_close_v2(db) } }

    func exec(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite_nio_sqlite3_exec(db, sql, nil, nil, &message)
        guard rc == SHIM_SQLITE_OK else {
            let detail = message.map { String(cString: $0) } ?? errorMessage
            throw StoreError.database("SQLite: \(detail)")
        }
    }

    var errorMessage: String { String(cString: sqlite_nio_sqlite3_errmsg(db)) }

    func prepare(_ sql: String) throws -> Statement {
        var stmt: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SHIM_SQLITE_OK, let stmt else {
            throw StoreError.database("SQLite cannot prepare statement: \(errorMessage)")
        }
        return Statement(stmt: stmt, connection: self)
    }

    /// A prepared statement; bind with 1-based indexes, then `run()` or `rows`.
    final class Statement {
        let stmt: OpaquePointer
        unowned let connection: SQLiteConnectionHandle

        init(stmt: OpaquePointer, connection: SQLiteConnectionHandle) {
            self.stmt = stmt
            self.connection = connection
        }
        deinit { sqlite_nio_sqlite3_finalize(stmt) }

        @inline(__always) func bind(_ i: Int32, _ v: Int64) { sqlite_nio_sqlite3_bind_int64(stmt, i, v) }
        @inline(__always) func bind(_ i: Int32, _ v: Int) { sqlite_nio_sqlite3_bind_int64(stmt, i, Int64(v)) }
        @inline(__always) func bind(_ i: Int32, _ v: Double?) {
            if let v { sqlite_nio_sqlite3_bind_double(stmt, i, v) } else { sqlite_nio_sqlite3_bind_null(stmt, i) }
        }
        @inline(__always) func bindNull(_ i: Int32) { sqlite_nio_sqlite3_bind_null(stmt, i) }
        /// Binds bytes as TEXT without copying: they must stay valid until `run()`.
        @inline(__always) func bindText(_ i: Int32, _ b: UnsafeBufferPointer<UInt8>) {
            let base = UnsafeRawPointer(b.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            sqlite_nio_sqlite3_bind_text(
                stmt, i, base.assumingMemoryBound(to: CChar.self), Int32(b.count), shim_static())
        }
        /// Binds bytes as TEXT, copied: they may change once this returns.
        @inline(__always) func bindTextCopy(_ i: Int32, _ b: UnsafeBufferPointer<UInt8>) {
            guard let base = b.baseAddress else { return bindText(i, "") }
            sqlite_nio_sqlite3_bind_text(
                stmt, i, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(b.count), shim_transient())
        }
        @inline(__always) func bindText(_ i: Int32, _ s: String) {
            sqlite_nio_sqlite3_bind_text(stmt, i, s, -1, shim_transient())
        }
        /// Binds bytes as a BLOB without copying: they must stay valid until `run()`.
        @inline(__always) func bindStaticBlob(_ i: Int32, _ p: UnsafeRawPointer, _ count: Int) {
            sqlite_nio_sqlite3_bind_blob(stmt, i, p, Int32(count), shim_static())
        }
        @inline(__always) func bindBlob(_ i: Int32, _ p: UnsafeRawPointer, _ count: Int) {
            sqlite_nio_sqlite3_bind_blob(stmt, i, p, Int32(count), shim_transient())
        }

        /// Executes a statement that returns no rows, and resets it for reuse.
        @inline(__always) func run() throws {
            let rc = sqlite_nio_sqlite3_step(stmt)
            sqlite_nio_sqlite3_reset(stmt)
            guard rc == SHIM_SQLITE_DONE else { throw StoreError.database("SQLite: \(connection.errorMessage)") }
        }

        /// Steps through result rows, then resets.
        func forEachRow(_ body: (Statement) throws -> Void) throws {
            defer { sqlite_nio_sqlite3_reset(stmt) }
            while true {
                let rc = sqlite_nio_sqlite3_step(stmt)
                if rc == SHIM_SQLITE_DONE { return }
                guard rc == SHIM_SQLITE_ROW else { throw StoreError.database("SQLite: \(connection.errorMessage)") }
                try body(self)
            }
        }

        @inline(__always) func int(_ c: Int32) -> Int64 { sqlite_nio_sqlite3_column_int64(stmt, c) }
        /// A TEXT column holding an LSOA code, packed without making a `String`.
        func packedLSOA(_ c: Int32) -> UInt64 {
            guard let p = sqlite_nio_sqlite3_column_text(stmt, c) else { return 0 }
            let n = Int(sqlite_nio_sqlite3_column_bytes(stmt, c))
            return IncidentCounter.packLSOA(UnsafeBufferPointer(start: p, count: n))
        }

        func text(_ c: Int32) -> String {
            guard let p = sqlite_nio_sqlite3_column_text(stmt, c) else { return "" }
            return String(cString: p)
        }
    }
}

enum StoreError: Error, CustomStringConvertible {
    case database(String)
    var description: String {
        switch self {
        case .database(let message): message
        }
    }
}
