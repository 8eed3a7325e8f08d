import CSQLiteShim
import CrimeData

/// New incidents: gathered into batches here, written on the writer thread.
extension SQLiteImportStore {
    /// Binds row `r` of a batch to the parameters from `first` on.
    @inline(__always)
    static func bind(
        _ s: SQLiteConnectionHandle.Statement, _ r: IncidentBatch.Row, from first: Int32, bytes: UnsafePointer<UInt8>
    ) {
        @inline(__always) func text(_ i: Int32, _ t: IncidentBatch.Text) {
            if t.count < 0 {
                s.bindNull(first + i)
            } else {
                s.bindText(first + i, UnsafeBufferPointer(start: bytes + Int(t.offset), count: Int(t.count)))
            }
        }
        @inline(__always) func real(_ i: Int32, _ v: Double) { s.bind(first + i, v.isNaN ? nil : v) }
        s.bind(first, r.slice)
        s.bind(first + 1, r.key)
        s.bind(first + 2, r.hash)
        if r.crimeID.count < 0 {
            s.bindNull(first + 3)
        } else {
            s.bindStaticBlob(first + 3, bytes + Int(r.crimeID.offset), Int(r.crimeID.count))
        }
        s.bind(first + 4, Int64(r.month))
        s.bind(first + 5, Int64(r.category))
        real(6, r.longitude)
        real(7, r.latitude)
        real(8, r.easting)
        real(9, r.northing)
        text(10, r.location)
        text(11, r.lsoa)
        text(12, r.lastOutcome)
        text(13, r.context)
        text(14, r.reportedBy)
    }

    /// On the writer thread: the batch's preludes, then its rows in key order, 16 to a
    /// statement. In key order, every entry of a new slice lands on the last page of the
    /// key index, which SQLite appends to without a search or a page split (measured: the
    /// index cost the writer a third of its time when rows came in file order). The
    /// statement is `INSERT OR ROLLBACK`: a conflict (which the importer's classification
    /// rules out) would end the whole transaction anyway, and without the default ABORT a
    /// multi-row statement needs no statement journal (that journal was 3% of the writer).
    /// `order` is ``IncidentBatch/keyOrder(_:)`` of the batch's rows.
    func write(_ batch: IncidentBatch, order: [Int]) throws {
        for prelude in batch.preludes { try prelude() }
        let bytes = UnsafePointer(batch.bytes.base)
        let many = insertIncidentsStmt, one = insertIncidentStmt
        let per = Self.rowsPerInsert, columns = Int32(Self.incidentColumns)
        try batch.rows.withUnsafeBufferPointer { rows in
            guard let first = rows.baseAddress else { return }
            // Key order is a random walk through the batch (7 MB of rows, 8 MB of text): each
            // row and its text was a cache miss in the middle of binding (in a profile, the
            // first read of a row took 69% of this function's own samples). So each group's
            // rows are fetched two groups ahead, and their text, which a row's fields hold
            // back to back, one group ahead. The writer's busy time on the national-shaped
            // file fell by about 5% (BENCHMARKS.md, issue 19).
            // Calls `fetch` with the row index of each of group `k`'s rows (none past the end).
            @inline(__always) func group(from k: Int, _ fetch: (Int) -> Void) {
                for j in k..<max(k, min(k + per, order.count)) { fetch(order[j]) }
            }
            @inline(__always) func fetchRows(from k: Int) {
                group(from: k) { r in
                    shim_prefetch(UnsafeRawPointer(first + r))
                    shim_prefetch(UnsafeRawPointer(first + r) + 64)
                }
            }
            @inline(__always) func fetchText(from k: Int) {
                group(from: k) { r in
                    let text = UnsafeRawPointer(bytes) + Int(rows[r].location.offset)
                    shim_prefetch(text - 64)
                    shim_prefetch(text)
                    shim_prefetch(text + 64)
                }
            }
            fetchRows(from: 0)
            fetchRows(from: per)
            fetchText(from: 0)
            var i = 0
            while i + per <= order.count {
                fetchRows(from: i + 2 * per)
                fetchText(from: i + per)
                for j in 0..<per { Self.bind(many, rows[order[i + j]], from: Int32(j) * columns + 1, bytes: bytes) }
                try many.run()
                i += per
            }
            while i < order.count {
                Self.bind(one, rows[order[i]], from: 1, bytes: bytes)
                try one.run()
                i += 1
            }
        }
    }

    func insertIncident(_ r: IncidentValues) throws {
        if batch.isOtherSlice(r) { try submitBatch() }
        batch.append(r)
        if batch.isFull { try submitBatch() }
    }

    func updateIncident(id: Int64, _ r: IncidentValues) throws {
        try sync()
        var one = IncidentBatch(capacity: 1)
        one.append(r)
        let s = updateIncidentStmt
        Self.bind(s, one.rows[0], from: 1, bytes: UnsafePointer(one.bytes.base))
        s.bind(16, id)
        try s.run()
    }
}
