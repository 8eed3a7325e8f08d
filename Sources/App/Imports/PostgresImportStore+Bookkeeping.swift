import Analytics
import CrimeData
import NIOCore
import PostgresNIO

/// The bookkeeping's executor on PostgreSQL: statements with their values bound, run on the
/// import's connection once the writer thread is done with it (or ahead of the next batch).
extension PostgresImportStore {
    var executor: any SyncExecutor { self }

    /// `?1, ?2, …` as PostgreSQL's `$1, $2, …`, with the values bound.
    func statement(_ sql: String, _ binds: [SyncValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for v in binds {
            switch v {
            case .int(let n): bindings.append(n)
            case .text(let s): bindings.append(s)
            }
        }
        var text = ""
        var rest = Substring(sql)
        while let q = rest.firstIndex(of: "?") {
            text += rest[..<q]
            let digits = rest[rest.index(after: q)...].prefix { $0.isNumber }
            text += digits.isEmpty ? "?" : "$" + digits
            rest = rest[rest.index(q, offsetBy: 1 + digits.count)...]
        }
        text += rest
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    /// Bookkeeping statements touch slices, forces, categories and fingerprints, never the
    /// rows still in the COPY buffers, so they need not wait for them.
    func execute(_ sql: String, _ binds: [SyncValue]) throws { try run(statement(sql, binds)) }

    /// The slice, force or category row goes in on the writer thread, ahead of the next
    /// batch of incidents (outcomes and stop and search rows are still in their buffers).
    func executeBeforeRows(_ sql: String, _ binds: [SyncValue]) throws {
        let query = statement(sql, binds)
        batch.preludes.append { [self] in try runNow(query) }
    }

    func query(_ sql: String, _ binds: [SyncValue], _ body: (any SyncRow) throws -> Void) throws {
        for row in try rows(statement(sql, binds)) { try body(PostgresSyncRow(row: row.makeRandomAccess())) }
    }

    /// A slice's stored rows, read on the connection that wrote them (``CopyLane``).
    func loadRows(slice: Int64, kind: PoliceFileKind) throws -> [Int64: StoredRow] {
        guard let lane, isLaneSlice(slice) else { return try loadStoredRows(slice: slice, kind: kind, query: query) }
        try syncAll()
        return try loadStoredRows(slice: slice, kind: kind) { sql, binds, body in
            for row in try lane.connection.rowsWaiting(statement(sql, binds), logger: logger) {
                try body(PostgresSyncRow(row: row.makeRandomAccess()))
            }
        }
    }

    /// ``ImportBookkeeping``'s check in one round trip rather than one per slice: the
    /// fingerprint's row, and how many of the slices it lists still carry it. (A national
    /// re-import asks this for each of 4,752 files.)
    func unchangedSource(fingerprint: Int64, byteCount: Int64) throws -> KnownSource? {
        let result = try rows(
            """
            SELECT f.kind, f.rows_read, f.rejected, f.slice_ids, f.imported_at,
              (SELECT COUNT(*) FROM data_slices s WHERE s.source_hash = f.fingerprint
                 AND s.id = ANY(CAST(string_to_array(NULLIF(f.slice_ids, ''), ',') AS BIGINT[]))) AS current
            FROM source_fingerprints f WHERE f.fingerprint = \(fingerprint) AND f.byte_count = \(byteCount)
            """)
        guard let row = result.first?.makeRandomAccess() else { return nil }
        let found = KnownSource(
            kind: try row[0].decode(String.self), rowsRead: Int(try row[1].decode(Int64.self)),
            rejected: Int(try row[2].decode(Int64.self)),
            sliceIDs: try row[3].decode(String.self).split(separator: ",").compactMap { Int64($0) },
            importedAt: try row[4].decode(String.self))
        // Unchanged only if every slice it wrote still exists and still carries its fingerprint.
        guard !found.sliceIDs.isEmpty, try row[5].decode(Int64.self) == Int64(Set(found.sliceIDs).count) else {
            return nil
        }
        return found
    }

    /// From the sequence, in blocks of 8, 16, … up to 1,024 ids: each block waits once for
    /// the writer. Ids a rolled-back import took are skipped, as with any sequence.
    func nextSliceID() throws -> Int64 {
        if sliceIDs.isEmpty {
            let n = sliceIDBlock
            sliceIDBlock = min(sliceIDBlock * 2, 1024)
            let result = try rows(
                "SELECT nextval(pg_get_serial_sequence('data_slices', 'id')) FROM generate_series(1, \(n))")
            sliceIDs = try result.map { try $0.decode(Int64.self) }.reversed()
        }
        guard let id = sliceIDs.popLast() else { throw StoreError.database("PostgreSQL gave no slice id") }
        noteNewSlice(id)
        return id
    }
}

private struct PostgresSyncRow: SyncRow {
    let row: PostgresRandomAccessRow
    func integer(_ column: Int) throws -> Int64 { try row[column].decode(Int64.self) }
    func string(_ column: Int) throws -> String { try row[column].decode(String.self) }
    func lsoa(_ column: Int) throws -> UInt64 {
        var code = try string(column)
        return code.withUTF8(IncidentCounter.packLSOA)
    }
}
