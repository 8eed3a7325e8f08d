import Analytics
import CSQLiteShim
import CrimeData

/// ``ImportStore`` on SQLite: prepared statements bound straight from the bytes (no
/// `String` per field) and reused for every row of the transaction.
///
/// New incidents, the bulk of any import, are copied into batches that a second thread
/// (``BackgroundWriter``) inserts with a multi-row statement while this thread reads
/// on. Everything else first waits for the writer (`sync()`), then runs here as before;
/// new forces, categories and slices ride ahead of the next batch instead, so that a new
/// force-month does not stall the hand-over (a slice's id is assigned here, as SQLite
/// would: one more than the largest, since the transaction holds the write lock).
final class SQLiteImportStore: ImportBookkeeping, SyncExecutor {
    private let c: SQLiteConnectionHandle
    private let writer = BackgroundWriter()
    var batch = IncidentBatch()
    private var sliceIDCounter: Int64 = 0
    /// Rows per execution of the multi-row insert.
    static let rowsPerInsert = 16
    static let incidentColumns = 15
    private static let insertIncidentSQL = """
        INSERT OR ROLLBACK INTO incidents (slice_id, row_key, content_hash, crime_id, month, category_id, longitude, latitude,
          easting, northing, location, lsoa_code, last_outcome, context, reported_by) VALUES
        """
    let insertIncidentStmt: SQLiteConnectionHandle.Statement
    let insertIncidentsStmt: SQLiteConnectionHandle.Statement

    /// `(?1, …, ?15), (?16, …), …` for `rows` rows.
    static func placeholders(rows: Int) -> String {
        (0..<rows).map { r in
            "(" + (1...incidentColumns).map { "?\(r * incidentColumns + $0)" }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
    }
    let updateIncidentStmt: SQLiteConnectionHandle.Statement
    private let insertOutcomeStmt: SQLiteConnectionHandle.Statement
    private let updateOutcomeStmt: SQLiteConnectionHandle.Statement
    private let insertStopStmt: SQLiteConnectionHandle.Statement
    private let deleteStopStmt: SQLiteConnectionHandle.Statement

    private let pump: WriteBackPump

    init(path: String) throws {
        c = try SQLiteConnectionHandle(path: path)
        // Prepared once, here: a failure is an error of this import, never a trap.
        insertIncidentsStmt = try c.prepare(Self.insertIncidentSQL + Self.placeholders(rows: Self.rowsPerInsert))
        insertIncidentStmt = try c.prepare(Self.insertIncidentSQL + Self.placeholders(rows: 1))
        updateIncidentStmt = try c.prepare(
            """
            UPDATE incidents SET slice_id = ?1, row_key = ?2, content_hash = ?3, crime_id = ?4, month = ?5,
              category_id = ?6, longitude = ?7, latitude = ?8, easting = ?9, northing = ?10, location = ?11,
              lsoa_code = ?12, last_outcome = ?13, context = ?14, reported_by = ?15 WHERE id = ?16
            """)
        insertOutcomeStmt = try c.prepare(
            """
            INSERT INTO outcomes (slice_id, row_key, content_hash, crime_id, month, outcome, longitude, latitude, lsoa_code)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """)
        updateOutcomeStmt = try c.prepare(
            """
            UPDATE outcomes SET slice_id = ?1, row_key = ?2, content_hash = ?3, crime_id = ?4, month = ?5, outcome = ?6,
              longitude = ?7, latitude = ?8, lsoa_code = ?9 WHERE id = ?10
            """)
        insertStopStmt = try c.prepare(
            """
            INSERT INTO stop_searches (slice_id, row_key, content_hash, month, type, datetime, part_of_operation,
              operation_name, latitude, longitude, gender, age_range, self_defined_ethnicity, officer_defined_ethnicity,
              legislation, object_of_search, outcome, outcome_linked_to_object, removal_of_more_than_outer_clothing)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
            """)
        deleteStopStmt = try c.prepare("DELETE FROM stop_searches WHERE id = ?1")
        pump = WriteBackPump(paths: [path, path + "-wal"])
    }

    deinit {
        writer.stop()
        pump.stop()
    }

    func begin() throws {
        try sync()
        try c.exec("BEGIN IMMEDIATE")
        try c.prepare("SELECT coalesce(max(id), 0) FROM data_slices").forEachRow { sliceIDCounter = $0.int(0) + 1 }
    }

    func commit() throws {
        try sync()
        try c.exec("COMMIT")
    }

    var writerSeconds: (busy: Double, cpu: Double, waited: Double) { writer.seconds }

    func rollback() {
        batch = IncidentBatch()
        try? writer.drain()
        writer.reset()
        try? c.exec("ROLLBACK")
    }

    func flush() throws { try sync() }

    /// Hands the rows gathered so far to the writer thread.
    func submitBatch() throws {
        let rows = batch
        batch = IncidentBatch()
        // Sorted here, while the writer is still busy with the batch before (it was 5% of
        // the writer's time, and the writer is the slower of the two threads).
        let order = IncidentBatch.keyOrder(rows.rows)
        try writer.submit(bytes: rows.byteCount + order.count * MemoryLayout<Int>.stride) { [self] in
            try write(rows, order: order)
        }
    }

    /// Waits until everything queued is written: before any other use of the connection.
    func sync() throws {
        if !batch.isEmpty { try submitBatch() }
        try writer.drain()
    }

    /// Writes the WAL back into the database file after a large import.
    func checkpoint() {
        guard (try? sync()) != nil else { return }
        // A TRUNCATE checkpoint blocks new writers while it waits for readers: wait at most
        // two seconds, then settle for a PASSIVE one (the WAL is truncated next time).
        try? c.exec("PRAGMA busy_timeout=2000")
        if (try? c.exec("PRAGMA wal_checkpoint(TRUNCATE)")) == nil { try? c.exec("PRAGMA wal_checkpoint(PASSIVE)") }
    }

    private func bindOutcome(_ s: SQLiteConnectionHandle.Statement, _ r: OutcomeValues) {
        s.bind(1, r.slice)
        s.bind(2, r.key)
        s.bind(3, r.hash)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { out in
            guard let base = out.baseAddress else { return }
            _ = ByteParsing.crimeID(r.crimeID, into: base)
            s.bindBlob(4, base, 32)
        }
        s.bind(5, r.month)
        s.bindText(6, r.outcome)
        s.bind(7, r.position?.longitude)
        s.bind(8, r.position?.latitude)
        s.bindText(9, r.lsoa)
    }

    func insertOutcome(_ r: OutcomeValues) throws {
        try sync()
        bindOutcome(insertOutcomeStmt, r)
        try insertOutcomeStmt.run()
    }

    func updateOutcome(id: Int64, _ r: OutcomeValues) throws {
        try sync()
        bindOutcome(updateOutcomeStmt, r)
        updateOutcomeStmt.bind(10, id)
        try updateOutcomeStmt.run()
    }

    func insertStop(_ row: borrowing CSVRow, slice: Int64, key: Int64, hash: Int64, month: Int) throws {
        try sync()
        let s = insertStopStmt
        s.bind(1, slice)
        s.bind(2, key)
        s.bind(3, hash)
        s.bind(4, month)
        // CSV columns: Type, Date, Part of op, Operation, Latitude, Longitude, Gender, ...
        s.bindText(5, row.bytes(0))
        s.bindText(6, row.bytes(1))
        s.bindText(7, row.bytes(2))
        s.bindText(8, row.bytes(3))
        s.bind(9, ByteParsing.decimal(row.bytes(4)))
        s.bind(10, ByteParsing.decimal(row.bytes(5)))
        for (column, field) in zip(Int32(11)...Int32(19), 6...14) { s.bindText(column, row.bytes(field)) }
        try s.run()
    }

    func updateStop(id: Int64, _ row: borrowing CSVRow, slice: Int64, key: Int64, hash: Int64, month: Int) throws {
        try sync()
        // Stop rows are keyed by their whole content, so a "changed" row cannot occur;
        // replace defensively if it ever does.
        deleteStopStmt.bind(1, id)
        try deleteStopStmt.run()
        try insertStop(row, slice: slice, key: key, hash: hash, month: month)
    }

    func insertLSOAs(_ lsoas: [LSOA]) throws {
        try sync()
        let s = try c.prepare(
            """
            INSERT INTO lsoas (code, name, msoa_code, msoa_name, lad_code, lad_name, police_force, easting, northing,
              population, households, hectares) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
            """)
        for l in lsoas {
            s.bindText(1, l.code)
            s.bindText(2, l.name)
            s.bindText(3, l.msoaCode)
            s.bindText(4, l.msoaName)
            s.bindText(5, l.localAuthorityCode)
            s.bindText(6, l.localAuthorityName)
            s.bindText(7, l.policeForce)
            s.bind(8, l.centroid.easting)
            s.bind(9, l.centroid.northing)
            s.bind(10, l.population)
            s.bind(11, l.households)
            s.bind(12, l.hectares)
            try s.run()
        }
    }

    func applyCounts(byLSOA: CountTable, byForce: [PlaceCountKey: Int64], byDistrict: [PlaceCountKey: Int64]) throws {
        // Each in its table's key order: (LSOA, month, crime type) and (LSOA, crime type,
        // year), so each write lands next to the one before. Sorted before waiting for the
        // writer, which is still busy with the last rows (1,880,000 keys in a national-shaped
        // file). Handing the deltas to the writer in pieces while the file was read was
        // slower: the file comes month by month, so each piece inserted into every LSOA's
        // range of the table, where one sorted pass at the end appends (writer 3.9 → 6.7 s).
        let order = byLSOA.keyOrder()
        try sync()
        var monthly = try LSOACountWriter(c, table: "counts_by_lsoa", period: "month")
        try byLSOA.forEach(inOrder: order) { k, v in try monthly.add(k, v) }
        try monthly.finish()
        var yearly = try LSOACountWriter(c, table: "counts_by_lsoa_year", period: "year")
        try byLSOA.forEachYear(inOrder: order) { k, v in try yearly.add(k, v) }
        try yearly.finish()
        for (table, column, deltas) in [
            ("counts_by_force", "force_id", byForce), ("counts_by_district", "lad_code", byDistrict),
        ] {
            let b = try c.prepare(
                """
                INSERT INTO \(table) (\(column), month, category_id, count) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (\(column), month, category_id) DO UPDATE SET count = count + excluded.count
                """)
            for (k, v) in deltas where v != 0 {
                b.bindText(1, k.place)
                b.bind(2, k.month)
                b.bind(3, k.category)
                b.bind(4, v)
                try b.run()
            }
        }
    }

    // MARK: The bookkeeping's executor

    var executor: any SyncExecutor { self }

    func execute(_ sql: String, _ binds: [SyncValue]) throws {
        try sync()
        let s = try c.prepare(sql)
        s.bind(binds)
        try s.run()
    }

    func executeBeforeRows(_ sql: String, _ binds: [SyncValue]) throws {
        batch.preludes.append { [c] in
            let s = try c.prepare(sql)
            s.bind(binds)
            try s.run()
        }
    }

    func query(_ sql: String, _ binds: [SyncValue], _ body: (any SyncRow) throws -> Void) throws {
        try sync()
        let s = try c.prepare(sql)
        s.bind(binds)
        try s.forEachRow { try body($0) }
    }

    /// One more than the largest id: the transaction holds SQLite's write lock, so no one
    /// else can take it.
    func nextSliceID() throws -> Int64 {
        defer { sliceIDCounter += 1 }
        return sliceIDCounter
    }
}

extension SQLiteConnectionHandle.Statement: SyncRow {
    func bind(_ values: [SyncValue]) {
        for (i, v) in values.enumerated() {
            switch v {
            case .int(let n): bind(Int32(i + 1), n)
            case .text(let s): bindText(Int32(i + 1), s)
            }
        }
    }

    func integer(_ column: Int) -> Int64 { int(Int32(column)) }
    func string(_ column: Int) -> String { text(Int32(column)) }
    func lsoa(_ column: Int) -> UInt64 { packedLSOA(Int32(column)) }
}
