import Analytics
import CrimeData
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO

/// ``ImportStore`` on PostgreSQL, on one dedicated connection, inside one transaction per
/// file.
///
/// New incidents, the bulk of any import, are gathered into batches of one slice each
/// (as on SQLite: ``IncidentBatch``) and handed to a second thread (``BackgroundWriter``),
/// which sends them in key order as a binary COPY while this thread parses on; PostgreSQL's
/// server process works on its own core meanwhile. In key order a new slice's rows land at
/// the right-hand end of `incidents_slice_key`, where PostgreSQL appends without a search.
/// Everything else first waits for the writer (`sync()`); new forces, categories and
/// slices ride ahead of the next batch instead, and slice ids come from the sequence in
/// blocks, so that a new force-month does not stall the hand-over. Outcomes and stop and
/// search rows are buffered in COPY text format and sent in 16 MB blocks. Where the server
/// allows prepared transactions, the rows of some new slices go through a second connection
/// and writer thread instead (``CopyLane``), and both transactions end by two-phase commit.
///
/// The importer is synchronous, so each database call blocks its (non-event-loop) thread
/// until PostgresNIO answers.
final class PostgresImportStore: ImportBookkeeping, SyncExecutor {
    let connection: PostgresConnection
    let logger = Logger(label: "saferstreets.import.postgres")
    let writer = BackgroundWriter()
    /// The second connection and its writer thread (nil: one connection).
    let lane: CopyLane?
    /// New slices of this import whose rows have not been sent yet, and those whose rows
    /// went through ``lane``; the bytes sent through each connection.
    var newSlices: Set<Int64> = []
    var laneSlices: Set<Int64> = []
    var laneBytes = (main: 0, second: 0)
    var batch = IncidentBatch()
    private var outcomes = ByteBuffer()
    private var stops = ByteBuffer()
    /// Slice ids taken from the sequence and not yet used; the next block is twice as big.
    var sliceIDs: [Int64] = []
    var sliceIDBlock = 8
    /// Incident ids taken from the sequence and not yet used (``reserveIDs(_:)``).
    private var reservedIDs: Range<Int64> = 0..<0
    private var idBlock = 1 << 16
    /// Held by each import's transaction: one import at a time writes rows, as on SQLite
    /// ("SSimport" is the queue's claim; this is "SSwrites" in ASCII).
    static let importLock: Int64 = 0x5353_7772_6974_6573
    private static let flushBytes = 16 << 20
    /// Bytes per CopyData message of a batch: the server starts on the first while the
    /// rest are encoded.
    private static let chunkBytes = 1 << 20
    static let incidentColumns: [StaticString] = [
        "id", "slice_id", "row_key", "content_hash", "crime_id", "month", "category_id", "longitude", "latitude",
        "easting", "northing", "location", "lsoa_code", "last_outcome", "context", "reported_by",
    ]

    init(url: String) throws {
        let config = try SQLPostgresConfiguration(url: url).coreConfiguration
        let logger = self.logger
        connection = try blocking {
            try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 1, logger: logger)
        }
        if try CopyLane.isAllowed(on: connection, logger: logger) {
            let second = try blocking {
                try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 2, logger: logger)
            }
            lane = CopyLane(connection: second)
        } else {
            lane = nil
        }
    }

    deinit {
        writer.stop()
        lane?.stop()
        let connection = self.connection
        try? blocking { try await connection.close() }
    }

    // MARK: plumbing

    /// Runs a statement once the writer thread is done with the connection.
    func run(_ query: PostgresQuery) throws {
        try sync()
        try runNow(query)
    }

    /// Runs a statement at once: on the writer thread (preludes), or after `sync()`.
    func runNow(_ query: PostgresQuery) throws {
        try connection.rowsWaiting(query, logger: logger)
    }

    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        try sync()
        return try connection.rowsWaiting(query, logger: logger)
    }

    func begin() throws {
        try sync()
        if let lane {
            try CopyLane.recover(on: connection, logger: logger)
            try lane.begin(main: connection, logger: logger)
        }
        try runNow("BEGIN")
        try runNow("SELECT pg_advisory_xact_lock(\(Self.importLock))")
        reservedIDs = 0..<0
        newSlices = []
        laneSlices = []
        laneBytes = (0, 0)
    }

    /// Gives back the ids reserved and not used (no one else took any: the lock), then commits.
    func commit() throws {
        try flush()
        try syncAll()
        if let unused = reservedIDs.first {
            try runNow("SELECT setval(pg_get_serial_sequence('incidents', 'id'), \(unused), false)")
        }
        if let lane {
            try lane.commit(main: connection, rowsSent: !laneSlices.isEmpty, logger: logger)
        } else {
            try runNow("COMMIT")
        }
    }
    func rollback() {
        batch = IncidentBatch()
        outcomes.clear()
        stops.clear()
        sliceIDs = []
        reservedIDs = 0..<0
        try? writer.drain()
        writer.reset()
        newSlices = []
        laneSlices = []
        try? runNow("ROLLBACK")
        lane?.rollback(main: connection, logger: logger)
    }

    /// Sorts and encodes the incidents gathered so far on this thread, and hands them with
    /// their preludes to the writer thread.
    private func submitBatch() throws {
        let rows = batch
        batch = IncidentBatch()
        let chunks = try encode(rows)
        let preludes = rows.preludes
        let bytes = chunks.reduce(0) { $0 + $1.readableBytes }
        if let lane, let slice = rows.rows.first?.slice, takesLane(slice) {
            laneBytes.second += bytes
            if !preludes.isEmpty { try writer.submit { [self] in try write(preludes, [], on: connection) } }
            try lane.writer.submit(bytes: bytes) { [self] in try write([], chunks, on: lane.connection) }
        } else {
            laneBytes.main += bytes
            try writer.submit(bytes: bytes) { [self] in try write(preludes, chunks, on: connection) }
        }
    }

    /// Waits until every queued batch of the main connection is written: before any other
    /// use of it. The second connection's batches go on meanwhile (``syncAll()``).
    func sync() throws {
        if !batch.isEmpty { try submitBatch() }
        try writer.drain()
    }

    /// A batch's rows in key order, in binary COPY format, in chunks of about 1 MB, each
    /// row with the next reserved id.
    private func encode(_ batch: IncidentBatch) throws -> [ByteBuffer] {
        guard !batch.rows.isEmpty else { return [] }
        var ids = try reserveIDs(batch.rows.count)
        let bytes = UnsafePointer(batch.bytes.base)
        var chunks: [ByteBuffer] = []
        var chunk = ByteBuffer(bytes: BinaryCopy.header)
        chunk.reserveCapacity(Self.chunkBytes + 4096)
        for i in IncidentBatch.keyOrder(batch.rows) {
            BinaryCopy.append(batch.rows[i], id: ids.lowerBound, bytes: bytes, to: &chunk)
            ids = ids.dropFirst()
            if chunk.readableBytes >= Self.chunkBytes {
                chunks.append(chunk)
                chunk = ByteBuffer()
                chunk.reserveCapacity(Self.chunkBytes + 4096)
            }
        }
        chunk.writeBytes(BinaryCopy.trailer)
        chunks.append(chunk)
        return chunks
    }

    /// `n` ids for new incidents. The sequence is advanced a block at a time (65,536 ids,
    /// doubling up to 1,048,576), not once per row, which took 1.3 s of the server's 15 s
    /// for 5,000,000 rows: safe because only an import adds incidents, and each import holds
    /// ``importLock`` until its transaction ends. The ids left over are given back at commit.
    private func reserveIDs(_ n: Int) throws -> Range<Int64> {
        if reservedIDs.count < n {
            let block = Int64(max(n, idBlock))
            idBlock = min(idBlock * 2, 1 << 20)
            let result = try rows(
                """
                SELECT setval(pg_get_serial_sequence('incidents', 'id'),
                  nextval(pg_get_serial_sequence('incidents', 'id')) + \(block - 1))
                """)
            guard let last = try result.first?.decode(Int64.self) else {
                throw StoreError.database("PostgreSQL gave no incident ids")
            }
            let fresh = (last - block + 1)..<(last + 1)
            // Under the lock the new block follows on from the old one; otherwise the rest
            // of the old block is left unused (a gap, as a rollback leaves).
            reservedIDs = fresh.lowerBound == reservedIDs.upperBound ? reservedIDs.lowerBound..<fresh.upperBound : fresh
        }
        defer { reservedIDs = reservedIDs.dropFirst(n) }
        return reservedIDs.prefix(n)
    }

    /// On the writer thread: the batch's preludes, then its rows as one COPY.
    private func write(_ preludes: [() throws -> Void], _ chunks: [ByteBuffer], on connection: PostgresConnection)
        throws
    {
        for prelude in preludes { try prelude() }
        guard !chunks.isEmpty else { return }
        let logger = self.logger
        try blocking {
            try await BinaryCopy.copy(
                on: connection, table: "incidents", columns: Self.incidentColumns, logger: logger
            ) { writer in
                for chunk in chunks { try await writer.write(chunk) }
            }
        }
    }

    func flush() throws {
        try sync()
        try copy(
            &outcomes, table: "outcomes",
            columns: [
                "slice_id", "row_key", "content_hash", "crime_id", "month", "outcome", "longitude", "latitude",
                "lsoa_code",
            ])
        try copy(
            &stops, table: "stop_searches",
            columns: [
                "slice_id", "row_key", "content_hash", "month", "type", "datetime", "part_of_operation",
                "operation_name",
                "latitude", "longitude", "gender", "age_range", "self_defined_ethnicity", "officer_defined_ethnicity",
                "legislation", "object_of_search", "outcome", "outcome_linked_to_object",
                "removal_of_more_than_outer_clothing",
            ])
    }

    private func copy(_ buffer: inout ByteBuffer, table: String, columns: [String]) throws {
        guard buffer.readableBytes > 0 else { return }
        try sync()
        let data = buffer
        buffer.clear()
        let connection = self.connection, logger = self.logger
        try blocking {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                try await writer.write(data)
            }
        }
    }

    // MARK: rows

    func insertIncident(_ r: IncidentValues) throws {
        if batch.isOtherSlice(r) { try submitBatch() }
        batch.append(r)
        if batch.isFull { try submitBatch() }
    }

    /// Through the primary key (slice, key): `id` has no index on PostgreSQL
    /// (``KeyIncidentsBySlice``), and a changed row keeps its slice and key.
    func updateIncident(id: Int64, _ r: IncidentValues) throws {
        let crimeID: [UInt8]? = r.crimeID.count == 64 ? hexDecoded(r.crimeID) : nil
        let location = String(decoding: r.location, as: UTF8.self)
        let lsoa = String(decoding: r.lsoa, as: UTF8.self)
        let outcome = String(decoding: r.lastOutcome, as: UTF8.self)
        let context = String(decoding: r.context, as: UTF8.self)
        let by = r.reportedBy.map { String(decoding: $0, as: UTF8.self) }
        let e = r.grid.map { ($0.easting * 10).rounded() / 10 }
        let n = r.grid.map { ($0.northing * 10).rounded() / 10 }
        let query: PostgresQuery = """
            UPDATE incidents SET content_hash = \(r.hash), crime_id = \(crimeID.map { ByteBuffer(bytes: $0) }),
              month = \(r.month), category_id = \(r.category), longitude = \(r.position?.longitude),
              latitude = \(r.position?.latitude), easting = \(e), northing = \(n), location = \(location),
              lsoa_code = \(lsoa), last_outcome = \(outcome), context = \(context), reported_by = \(by)
            WHERE slice_id = \(r.slice) AND row_key = \(r.key)
            """
        if let lane, isLaneSlice(r.slice) {
            try syncAll()
            try lane.connection.rowsWaiting(query, logger: logger)
        } else {
            try run(query)
        }
    }

    func insertOutcome(_ r: OutcomeValues) throws {
        outcomes.copyInt(r.slice, tab: true)
        outcomes.copyInt(r.key, tab: true)
        outcomes.copyInt(r.hash, tab: true)
        outcomes.writeString("\\\\x")
        outcomes.writeBytes(r.crimeID)
        outcomes.writeInteger(UInt8(9))
        outcomes.copyInt(Int64(r.month), tab: true)
        outcomes.copyText(r.outcome, tab: true)
        outcomes.copyDouble(r.position?.longitude, tab: true)
        outcomes.copyDouble(r.position?.latitude, tab: true)
        outcomes.copyText(r.lsoa, tab: false)
        outcomes.writeInteger(UInt8(10))
        if outcomes.readableBytes > Self.flushBytes { try flush() }
    }

    func updateOutcome(id: Int64, _ r: OutcomeValues) throws {
        let outcome = String(decoding: r.outcome, as: UTF8.self)
        let lsoa = String(decoding: r.lsoa, as: UTF8.self)
        try run(
            """
            UPDATE outcomes SET content_hash = \(r.hash), outcome = \(outcome), longitude = \(r.position?.longitude),
              latitude = \(r.position?.latitude), lsoa_code = \(lsoa) WHERE id = \(id)
            """)
    }

    func insertStop(_ row: borrowing CSVRow, slice: Int64, key: Int64, hash: Int64, month: Int) throws {
        stops.copyInt(slice, tab: true)
        stops.copyInt(key, tab: true)
        stops.copyInt(hash, tab: true)
        stops.copyInt(Int64(month), tab: true)
        for i in 0..<4 { stops.copyText(row.bytes(i), tab: true) }
        stops.copyDouble(ByteParsing.decimal(row.bytes(4)), tab: true)
        stops.copyDouble(ByteParsing.decimal(row.bytes(5)), tab: true)
        for i in 6...14 { stops.copyText(row.bytes(i), tab: i < 14) }
        stops.writeInteger(UInt8(10))
        if stops.readableBytes > Self.flushBytes { try flush() }
    }

    func updateStop(id: Int64, _ row: borrowing CSVRow, slice: Int64, key: Int64, hash: Int64, month: Int) throws {
        try flush()
        try run("DELETE FROM stop_searches WHERE id = \(id)")
        try insertStop(row, slice: slice, key: key, hash: hash, month: month)
    }

    func insertLSOAs(_ lsoas: [LSOA]) throws {
        var b = ByteBuffer()
        for l in lsoas {
            for text in [
                l.code, l.name, l.msoaCode, l.msoaName, l.localAuthorityCode, l.localAuthorityName, l.policeForce,
            ] {
                var t = text
                t.withUTF8 { b.copyText($0, tab: true) }
            }
            b.copyDouble(l.centroid.easting, tab: true)
            b.copyDouble(l.centroid.northing, tab: true)
            b.copyInt(Int64(l.population), tab: true)
            b.copyInt(Int64(l.households), tab: true)
            b.copyDouble(l.hectares, tab: false)
            b.writeInteger(UInt8(10))
        }
        try copy(
            &b, table: "lsoas",
            columns: [
                "code", "name", "msoa_code", "msoa_name", "lad_code", "lad_name", "police_force", "easting", "northing",
                "population", "households", "hectares",
            ])
    }

    private func hexDecoded(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, n in
            guard let base = out.baseAddress else { return }
            _ = ByteParsing.crimeID(b, into: base)
            n = 32
        }
    }
}
