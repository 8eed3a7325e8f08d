import CrimeData
import Dispatch
import Logging
import NIOCore
import PostgresNIO

/// PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html,
/// "Binary Format"): a header, then per row a 16-bit field count and each field as a 32-bit
/// length (−1 for NULL) and its bytes in the type's binary form (big-endian integers,
/// IEEE doubles, text as UTF-8, bytea as is), then a trailer. The server reads it without
/// parsing a number or an escape, which is most of what a text COPY costs it.
enum BinaryCopy {
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [UInt8](repeating: 0, count: 8)
    static let trailer: [UInt8] = [0xFF, 0xFF]

    /// `COPY table (columns) FROM STDIN WITH (FORMAT binary)` through PostgresNIO, whose
    /// `copyFrom` (1.33) offers the text format only. It writes the table name between
    /// double quotes and the statement after it, so the name given here closes the quote,
    /// lists the columns and the format, and comments out the text-format tail. The table
    /// and column names are this file's constants, never input.
    static func copy(
        on connection: PostgresConnection, table: StaticString, columns: [StaticString], logger: Logger,
        rows: (PostgresCopyFromWriter) async throws -> Void
    ) async throws {
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let target = "\(table)\" (\(list)) FROM STDIN WITH (FORMAT binary) --"
        try await connection.copyFrom(table: target, logger: logger, writeData: rows)
    }

    /// One row's fields written straight into a buffer through a pointer: the caller
    /// reserves an upper bound of the row's size once (``IncidentBatch`` rows: see
    /// ``incidentBound(_:)``) instead of a capacity check per field.
    struct Fields {
        private(set) var at: UnsafeMutableRawPointer
        let start: UnsafeMutableRawPointer

        init(_ p: UnsafeMutableRawPointer, count: Int16) {
            start = p
            at = p
            store(count.bigEndian)
        }

        var written: Int { at - start }

        @inline(__always) private mutating func store<T: FixedWidthInteger>(_ v: T) {
            at.storeBytes(of: v, as: T.self)
            at += MemoryLayout<T>.size
        }

        @inline(__always) mutating func null() { store(Int32(-1).bigEndian) }

        @inline(__always) mutating func int64(_ v: Int64) {
            store(Int32(8).bigEndian)
            store(v.bigEndian)
        }

        @inline(__always) mutating func int32(_ v: Int32) {
            store(Int32(4).bigEndian)
            store(v.bigEndian)
        }

        /// NaN is NULL, as in ``IncidentBatch``.
        @inline(__always) mutating func double(_ v: Double) {
            if v.isNaN { return null() }
            store(Int32(8).bigEndian)
            store(v.bitPattern.bigEndian)
        }

        /// Text or bytea: the bytes as they are; a negative count is NULL.
        @inline(__always) mutating func bytes(_ base: UnsafePointer<UInt8>, _ t: IncidentBatch.Text) {
            if t.count < 0 { return null() }
            store(t.count.bigEndian)
            if t.count > 0 { at.copyMemory(from: base + Int(t.offset), byteCount: Int(t.count)) }
            at += Int(t.count)
        }
    }

    /// The largest an ``IncidentBatch`` row can take: the field count, 16 lengths, four
    /// bigints, two integers, four doubles and the row's bytes.
    @inline(__always)
    static func incidentBound(_ r: IncidentBatch.Row) -> Int {
        2 + 16 * 4 + 4 * 8 + 2 * 4 + 4 * 8 + Int(max(r.crimeID.count, 0)) + Int(max(r.location.count, 0))
            + Int(max(r.lsoa.count, 0)) + Int(max(r.lastOutcome.count, 0)) + Int(max(r.context.count, 0))
            + Int(max(r.reportedBy.count, 0))
    }

    /// Appends one `incidents` row with its `id` (the columns of
    /// ``PostgresImportStore/incidentColumns``).
    @inline(__always)
    static func append(_ r: IncidentBatch.Row, id: Int64, bytes: UnsafePointer<UInt8>, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: incidentBound(r)) { raw in
            guard let base = raw.baseAddress else { return 0 }
            var f = Fields(base, count: 16)
            f.int64(id)
            f.int64(r.slice)
            f.int64(r.key)
            f.int64(r.hash)
            f.bytes(bytes, r.crimeID)
            f.int32(r.month)
            f.int32(r.category)
            f.double(r.longitude)
            f.double(r.latitude)
            f.double(r.easting)
            f.double(r.northing)
            f.bytes(bytes, r.location)
            f.bytes(bytes, r.lsoa)
            f.bytes(bytes, r.lastOutcome)
            f.bytes(bytes, r.context)
            f.bytes(bytes, r.reportedBy)
            return f.written
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
    guard let result = box.result else { throw StoreError.database("a PostgreSQL call ended without a result") }
    return try result.get()
}

extension PostgresConnection {
    /// Runs `query` from a synchronous thread that is not an event loop, and waits for its rows.
    @discardableResult
    func rowsWaiting(_ query: PostgresQuery, logger: Logger) throws -> [PostgresRow] {
        try blocking { try await self.query(query, logger: logger).collect() }
    }
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
