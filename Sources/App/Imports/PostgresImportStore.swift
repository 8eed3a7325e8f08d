import Analytics
import CrimeData
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO

/// ``ImportStore`` on PostgreSQL: new rows are buffered in COPY text format and sent
/// with `COPY … FROM STDIN` in large blocks; everything runs on one dedicated
/// connection, inside one transaction per file. The importer is synchronous, so each
/// database call blocks its (non-event-loop) thread until PostgresNIO answers.
final class PostgresImportStore: ImportBookkeeping, SyncExecutor {
    private let connection: PostgresConnection
    private let logger = Logger(label: "saferstreets.import.postgres")
    private var incidents = ByteBuffer()
    private var outcomes = ByteBuffer()
    private var stops = ByteBuffer()
    private static let flushBytes = 16 << 20

    init(url: String) throws {
        let config = try SQLPostgresConfiguration(url: url).coreConfiguration
        let logger = self.logger
        connection = try blocking {
            try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 1, logger: logger)
        }
    }

    deinit {
        let connection = self.connection
        try? blocking { try await connection.close() }
    }

    // MARK: plumbing

    private func run(_ query: PostgresQuery) throws {
        let connection = self.connection, logger = self.logger
        try blocking { _ = try await connection.query(query, logger: logger).collect() }
    }

    private func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        let connection = self.connection, logger = self.logger
        return try blocking { try await connection.query(query, logger: logger).collect() }
    }

    func begin() throws { try run("BEGIN") }
    func commit() throws {
        try flush()
        try run("COMMIT")
    }
    func rollback() {
        incidents.clear()
        outcomes.clear()
        stops.clear()
        try? run("ROLLBACK")
    }

    func flush() throws {
        try copy(
            &incidents, table: "incidents",
            columns: [
                "slice_id", "row_key", "content_hash", "crime_id", "month", "category_id", "longitude", "latitude",
                "easting", "northing", "location", "lsoa_code", "last_outcome", "context", "reported_by",
            ])
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
        incidents.copyInt(r.slice, tab: true)
        incidents.copyInt(r.key, tab: true)
        incidents.copyInt(r.hash, tab: true)
        if r.crimeID.count == 64 {
            incidents.writeString("\\\\x")
            incidents.writeBytes(r.crimeID)
            incidents.writeInteger(UInt8(9))
        } else {
            incidents.copyNull(tab: true)
        }
        incidents.copyInt(Int64(r.month), tab: true)
        incidents.copyInt(Int64(r.category), tab: true)
        incidents.copyDouble(r.position?.longitude, tab: true)
        incidents.copyDouble(r.position?.latitude, tab: true)
        incidents.copyDouble(r.grid.map { ($0.easting * 10).rounded() / 10 }, tab: true)
        incidents.copyDouble(r.grid.map { ($0.northing * 10).rounded() / 10 }, tab: true)
        incidents.copyText(r.location, tab: true)
        incidents.copyText(r.lsoa, tab: true)
        incidents.copyText(r.lastOutcome, tab: true)
        incidents.copyText(r.context, tab: true)
        if let by = r.reportedBy { incidents.copyText(by, tab: false) } else { incidents.copyNull(tab: false) }
        incidents.writeInteger(UInt8(10))
        if incidents.readableBytes > Self.flushBytes { try flush() }
    }

    func updateIncident(id: Int64, _ r: IncidentValues) throws {
        let crimeID: [UInt8]? = r.crimeID.count == 64 ? hexDecoded(r.crimeID) : nil
        let location = String(decoding: r.location, as: UTF8.self)
        let lsoa = String(decoding: r.lsoa, as: UTF8.self)
        let outcome = String(decoding: r.lastOutcome, as: UTF8.self)
        let context = String(decoding: r.context, as: UTF8.self)
        let by = r.reportedBy.map { String(decoding: $0, as: UTF8.self) }
        let e = r.grid.map { ($0.easting * 10).rounded() / 10 }
        let n = r.grid.map { ($0.northing * 10).rounded() / 10 }
        try run(
            """
            UPDATE incidents SET row_key = \(r.key), content_hash = \(r.hash), crime_id = \(crimeID.map { ByteBuffer(bytes: $0) }),
              month = \(r.month), category_id = \(r.category), longitude = \(r.position?.longitude),
              latitude = \(r.position?.latitude), easting = \(e), northing = \(n), location = \(location),
              lsoa_code = \(lsoa), last_outcome = \(outcome), context = \(context), reported_by = \(by)
            WHERE id = \(id)
            """)
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

    func applyCounts(byLSOA: CountTable, byForce: [ForceCountKey: Int64]) throws {
        // One statement per table: the deltas go in as arrays and are upserted together.
        var codes: [String] = [], months: [Int] = [], categories: [Int] = [], deltas: [Int64] = []
        byLSOA.forEach { k, v in
            guard v != 0 else { return }
            codes.append(IncidentCounter.lsoaCode(k.lsoa))
            months.append(Int(k.month))
            categories.append(Int(k.category))
            deltas.append(Int64(v))
        }
        if !codes.isEmpty {
            try run(
                """
                INSERT INTO counts_by_lsoa (lsoa_code, month, category_id, count)
                SELECT * FROM unnest(\(codes)::text[], \(months)::int[], \(categories)::int[], \(deltas)::bigint[])
                ON CONFLICT (lsoa_code, month, category_id) DO UPDATE SET count = counts_by_lsoa.count + excluded.count
                """)
        }
        let forceRows = byForce.filter { $0.value != 0 }
        if !forceRows.isEmpty {
            let forces = forceRows.map(\.key.force), fm = forceRows.map(\.key.month)
            let fc = forceRows.map(\.key.category), fd = forceRows.map(\.value)
            try run(
                """
                INSERT INTO counts_by_force (force_id, month, category_id, count)
                SELECT * FROM unnest(\(forces)::text[], \(fm)::int[], \(fc)::int[], \(fd)::bigint[])
                ON CONFLICT (force_id, month, category_id) DO UPDATE SET count = counts_by_force.count + excluded.count
                """)
        }
    }

    private func hexDecoded(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, n in
            _ = ByteParsing.crimeID(b, into: out.baseAddress!)
            n = 32
        }
    }

    // MARK: The bookkeeping's executor

    var executor: any SyncExecutor { self }

    /// `?1, ?2, …` as PostgreSQL's `$1, $2, …`, with the values bound.
    private func statement(_ sql: String, _ binds: [SyncValue]) -> PostgresQuery {
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

    /// The slice, force or category row goes in at once; the rows that refer to it are
    /// still in the COPY buffers.
    func executeBeforeRows(_ sql: String, _ binds: [SyncValue]) throws { try run(statement(sql, binds)) }

    func query(_ sql: String, _ binds: [SyncValue], _ body: (any SyncRow) throws -> Void) throws {
        for row in try rows(statement(sql, binds)) { try body(PostgresSyncRow(row: row.makeRandomAccess())) }
    }

    func nextSliceID() throws -> Int64 {
        let result = try rows("SELECT nextval(pg_get_serial_sequence('data_slices', 'id'))")
        guard let first = result.first else { throw StoreError.database("PostgreSQL gave no slice id") }
        return try first.decode(Int64.self)
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

/// Runs async work from a synchronous thread that is not an event loop, and waits.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let semaphore = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        semaphore.signal()
    }
    semaphore.wait()
    return try box.result!.get()
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

extension ByteBuffer {
    /// COPY text format: backslash, tab, newline and carriage return escaped.
    mutating func copyText(_ b: UnsafeBufferPointer<UInt8>, tab: Bool) {
        var plain = true
        for c in b where c == 0x5C || c == 0x09 || c == 0x0A || c == 0x0D { plain = false; break }
        if plain {
            writeBytes(b)
        } else {
            for c in b {
                switch c {
                case 0x5C: writeStaticString("\\\\")
                case 0x09: writeStaticString("\\t")
                case 0x0A: writeStaticString("\\n")
                case 0x0D: writeStaticString("\\r")
                default: writeInteger(c)
                }
            }
        }
        if tab { writeInteger(UInt8(9)) }
    }

    mutating func copyInt(_ v: Int64, tab: Bool) {
        writeString(String(v))
        if tab { writeInteger(UInt8(9)) }
    }

    mutating func copyDouble(_ v: Double?, tab: Bool) {
        if let v { writeString("\(v)") } else { writeStaticString("\\N") }
        if tab { writeInteger(UInt8(9)) }
    }

    mutating func copyNull(tab: Bool) {
        writeStaticString("\\N")
        if tab { writeInteger(UInt8(9)) }
    }
}
