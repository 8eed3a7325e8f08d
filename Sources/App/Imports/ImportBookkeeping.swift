import Analytics
import CrimeData

/// A value bound to a bookkeeping statement.
enum SyncValue {
    case int(Int64)
    case text(String)
}

/// A row a bookkeeping query returned (columns from 0).
protocol SyncRow {
    func integer(_ column: Int) throws -> Int64
    func string(_ column: Int) throws -> String
    /// A TEXT column holding an LSOA code, packed (``IncidentCounter/packLSOA(_:)``).
    func lsoa(_ column: Int) throws -> UInt64
}

/// The small synchronous executor the import's bookkeeping runs on: one statement at a
/// time on the import's own connection, inside its transaction, with `?1, ?2, …`
/// placeholders (rewritten for PostgreSQL). Each database implements it once; only the bulk
/// writing of rows differs between them.
protocol SyncExecutor: AnyObject {
    /// Runs a statement once every row queued before it is written.
    func execute(_ sql: String, _ binds: [SyncValue]) throws
    /// Runs a statement before the next rows are written, without waiting for the rows
    /// queued so far to be written (SQLite writes them on another thread; PostgreSQL runs
    /// it at once).
    func executeBeforeRows(_ sql: String, _ binds: [SyncValue]) throws
    /// Runs a query and hands each row to `body`.
    func query(_ sql: String, _ binds: [SyncValue], _ body: (any SyncRow) throws -> Void) throws
    /// The id the next new slice gets (assigned here, so that its rows can be queued before
    /// the slice's own row is written).
    func nextSliceID() throws -> Int64
}

/// The import's bookkeeping, written once over ``SyncExecutor``: slices, forces,
/// categories, the rows already stored, and file fingerprints. A store conforms by giving
/// its executor and writing rows and aggregates in bulk its own way.
protocol ImportBookkeeping: ImportStore {
    var executor: any SyncExecutor { get }
}

extension ImportBookkeeping {
    func loadSlices() throws -> [SliceKey: SliceState] {
        var result: [SliceKey: SliceState] = [:]
        try executor.query("SELECT id, kind, force_id, month, row_count, source_hash FROM data_slices", []) { s in
            guard let kind = PoliceFileKind(rawValue: try s.string(1)) else { return }
            result[SliceKey(kind: kind, forceID: try s.string(2), month: Int(try s.integer(3)))] =
                SliceState(id: try s.integer(0), rowCount: try s.integer(4), sourceHash: try s.integer(5))
        }
        return result
    }

    func loadForces() throws -> [String: String] {
        var result: [String: String] = [:]
        try executor.query("SELECT id, name FROM forces", []) { result[try $0.string(0)] = try $0.string(1) }
        return result
    }

    func loadCategories() throws -> [String: Int] {
        var result: [String: Int] = [:]
        try executor.query("SELECT id, name FROM crime_categories", []) {
            result[try $0.string(1)] = Int(try $0.integer(0))
        }
        return result
    }

    func loadDistricts() throws -> [UInt64: String] {
        var result: [UInt64: String] = [:]
        result.reserveCapacity(35_000)
        try executor.query("SELECT code, lad_code FROM lsoas", []) { result[try $0.lsoa(0)] = try $0.string(1) }
        return result
    }

    func createForce(id: String, name: String) throws {
        try executor.executeBeforeRows(
            "INSERT INTO forces (id, name) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING", [.text(id), .text(name)])
    }

    func createCategory(id: Int, name: String, slug: String) throws {
        try executor.executeBeforeRows(
            "INSERT INTO crime_categories (id, name, slug) VALUES (?1, ?2, ?3)",
            [.int(Int64(id)), .text(name), .text(slug)])
    }

    func createSlice(_ key: SliceKey, updatedAt: String) throws -> Int64 {
        let id = try executor.nextSliceID()
        try executor.executeBeforeRows(
            "INSERT INTO data_slices (id, kind, force_id, month, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            [.int(id), .text(key.kind.rawValue), .text(key.forceID), .int(Int64(key.month)), .text(updatedAt)])
        return id
    }

    func updateSlice(id: Int64, rowCount: Int64, sourceHash: Int64, updatedAt: String) throws {
        try executor.execute(
            "UPDATE data_slices SET row_count = ?1, source_hash = ?2, updated_at = ?3 WHERE id = ?4",
            [.int(rowCount), .int(sourceHash), .text(updatedAt), .int(id)])
    }

    func loadRows(slice: Int64, kind: PoliceFileKind) throws -> [Int64: StoredRow] {
        try loadStoredRows(slice: slice, kind: kind, query: executor.query)
    }

    /// A slice's stored rows by key, through `query` (a store that writes some rows on
    /// another connection reads them there).
    func loadStoredRows(
        slice: Int64, kind: PoliceFileKind,
        query: (String, [SyncValue], (any SyncRow) throws -> Void) throws -> Void
    ) throws -> [Int64: StoredRow] {
        let sql =
            switch kind {
            case .street, .legacyStreet:
                "SELECT row_key, id, content_hash, lsoa_code, category_id FROM incidents WHERE slice_id = ?1"
            case .outcomes:
                "SELECT row_key, id, content_hash, '' AS l, 0 AS c FROM outcomes WHERE slice_id = ?1"
            case .stopAndSearch:
                "SELECT row_key, id, content_hash, '' AS l, 0 AS c FROM stop_searches WHERE slice_id = ?1"
            }
        var result: [Int64: StoredRow] = [:]
        try query(sql, [.int(slice)]) { r in
            result[try r.integer(0)] = StoredRow(
                id: try r.integer(1), hash: try r.integer(2), lsoa: try r.lsoa(3), category: Int(try r.integer(4)))
        }
        return result
    }

    func knowsSource(byteCount: Int64) throws -> Bool {
        var found = false
        try executor.query("SELECT 1 FROM source_fingerprints WHERE byte_count = ?1 LIMIT 1", [.int(byteCount)]) { _ in
            found = true
        }
        return found
    }

    func unchangedSource(fingerprint: Int64, byteCount: Int64) throws -> KnownSource? {
        var found: KnownSource?
        try executor.query(
            """
            SELECT kind, rows_read, rejected, slice_ids, imported_at FROM source_fingerprints
            WHERE fingerprint = ?1 AND byte_count = ?2
            """, [.int(fingerprint), .int(byteCount)]
        ) { r in
            found = KnownSource(
                kind: try r.string(0), rowsRead: Int(try r.integer(1)), rejected: Int(try r.integer(2)),
                sliceIDs: try r.string(3).split(separator: ",").compactMap { Int64($0) }, importedAt: try r.string(4))
        }
        guard let found, !found.sliceIDs.isEmpty else { return nil }
        // Unchanged only if every slice it wrote still exists and still carries its fingerprint.
        for id in found.sliceIDs {
            var current: Int64 = 0
            try executor.query("SELECT source_hash FROM data_slices WHERE id = ?1", [.int(id)]) {
                current = try $0.integer(0)
            }
            if current != fingerprint { return nil }
        }
        return found
    }

    func recordSource(_ source: KnownSource, fingerprint: Int64, byteCount: Int64, at: String) throws {
        try executor.execute(
            """
            INSERT INTO source_fingerprints (fingerprint, byte_count, kind, rows_read, rejected, slice_ids, imported_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (fingerprint, byte_count) DO UPDATE SET
              kind = excluded.kind, rows_read = excluded.rows_read, rejected = excluded.rejected,
              slice_ids = excluded.slice_ids, imported_at = excluded.imported_at
            """,
            [
                .int(fingerprint), .int(byteCount), .text(source.kind), .int(Int64(source.rowsRead)),
                .int(Int64(source.rejected)), .text(source.sliceIDs.map(String.init).joined(separator: ",")),
                .text(at),
            ])
        try executor.execute(DataVersion.bump, [])
    }
}
