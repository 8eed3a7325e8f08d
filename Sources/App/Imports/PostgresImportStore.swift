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
final class PostgresImportStore: ImportStore {
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

    // MARK: reference data

    func loadSlices() throws -> [SliceKey: SliceState] {
        var result: [SliceKey: SliceState] = [:]
        for row in try rows("SELECT id, kind, force_id, month, row_count, source_hash FROM data_slices") {
            let (id, kind, force, month, count, source) = try row.decode(
                (Int64, String, String, Int, Int64, Int64).self)
            guard let k = PoliceFileKind(rawValue: kind) else { continue }
            result[SliceKey(kind: k, forceID: force, month: month)] =
                SliceState(id: id, rowCount: count, sourceHash: source)
        }
        return result
    }

    func loadForces() throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try rows("SELECT id, name FROM forces") {
            let (id, name) = try row.decode((String, String).self)
            result[id] = name
        }
        return result
    }

    func loadCategories() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try rows("SELECT id, name FROM crime_categories") {
            let (id, name) = try row.decode((Int, String).self)
            result[name] = id
        }
        return result
    }

    func createForce(id: String, name: String) throws {
        try run("INSERT INTO forces (id, name) VALUES (\(id), \(name)) ON CONFLICT (id) DO NOTHING")
    }

    func createCategory(id: Int, name: String, slug: String) throws {
        try run("INSERT INTO crime_categories (id, name, slug) VALUES (\(id), \(name), \(slug))")
    }

    func createSlice(_ key: SliceKey, updatedAt: String) throws -> Int64 {
        let kind = key.kind.rawValue
        let result = try rows(
            """
            INSERT INTO data_slices (kind, force_id, month, updated_at)
            VALUES (\(kind), \(key.forceID), \(key.month), \(updatedAt)) RETURNING id
            """)
        return try result[0].decode(Int64.self)
    }

    func updateSlice(id: Int64, rowCount: Int64, sourceHash: Int64, updatedAt: String) throws {
        try run(
            """
            UPDATE data_slices SET row_count = \(rowCount), source_hash = \(sourceHash),
              updated_at = \(updatedAt) WHERE id = \(id)
            """)
    }

    func loadRows(slice: Int64, kind: PoliceFileKind) throws -> [Int64: StoredRow] {
        let query: PostgresQuery
        switch kind {
        case .street, .legacyStreet:
            query = "SELECT row_key, id, content_hash, lsoa_code, category_id FROM incidents WHERE slice_id = \(slice)"
        case .outcomes:
            query = "SELECT row_key, id, content_hash, '' AS l, 0 AS c FROM outcomes WHERE slice_id = \(slice)"
        case .stopAndSearch:
            query = "SELECT row_key, id, content_hash, '' AS l, 0 AS c FROM stop_searches WHERE slice_id = \(slice)"
        }
        var result: [Int64: StoredRow] = [:]
        for row in try rows(query) {
            let (key, id, hash, lsoa, category) = try row.decode((Int64, Int64, Int64, String, Int).self)
            result[key] = StoredRow(
                id: id, hash: hash, lsoa: lsoa.utf8.withContiguousStorageIfAvailable(IncidentCounter.packLSOA) ?? 0,
                category: category)
        }
        return result
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

    func unchangedSource(fingerprint: Int64, byteCount: Int64) throws -> KnownSource? {
        let found = try rows(
            """
            SELECT kind, rows_read, rejected, slice_ids, imported_at FROM source_fingerprints
            WHERE fingerprint = \(fingerprint) AND byte_count = \(byteCount)
            """)
        guard let row = found.first else { return nil }
        let (kind, rowsRead, rejected, ids, at) = try row.decode((String, Int, Int, String, String).self)
        let sliceIDs = ids.split(separator: ",").compactMap { Int64($0) }
        guard !sliceIDs.isEmpty else { return nil }
        let stale = try rows(
            """
            SELECT COUNT(*) FROM data_slices WHERE id = ANY(\(sliceIDs)) AND source_hash <> \(fingerprint)
            """)
        let present = try rows("SELECT COUNT(*) FROM data_slices WHERE id = ANY(\(sliceIDs))")
        guard try stale[0].decode(Int.self) == 0, try present[0].decode(Int.self) == sliceIDs.count else { return nil }
        return KnownSource(kind: kind, rowsRead: rowsRead, rejected: rejected, sliceIDs: sliceIDs, importedAt: at)
    }

    func recordSource(_ source: KnownSource, fingerprint: Int64, byteCount: Int64, at: String) throws {
        let ids = source.sliceIDs.map(String.init).joined(separator: ",")
        try run(
            """
            INSERT INTO source_fingerprints (fingerprint, byte_count, kind, rows_read, rejected, slice_ids, imported_at)
            VALUES (\(fingerprint), \(byteCount), \(source.kind), \(source.rowsRead), \(source.rejected), \(ids), \(at))
            ON CONFLICT (fingerprint, byte_count) DO UPDATE SET kind = excluded.kind, rows_read = excluded.rows_read,
              rejected = excluded.rejected, slice_ids = excluded.slice_ids, imported_at = excluded.imported_at
            """)
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
