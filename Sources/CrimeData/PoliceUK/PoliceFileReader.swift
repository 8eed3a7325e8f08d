/// Receives the rows of one police.uk file, already validated and keyed.
///
/// Every record carries a `key` that identifies the same row across imports and a
/// `hash` of its whole content, so a store can tell inserted, unchanged and updated
/// rows apart. Buffers in the records are valid only during the call.
public protocol PoliceRecordSink {
    /// Called once, after the header has been recognised.
    mutating func begin(kind: PoliceFileKind) throws
    mutating func incident(_ row: IncidentRow, key: Int64, hash: Int64) throws
    mutating func outcome(_ row: OutcomeRow, key: Int64, hash: Int64) throws
    mutating func stop(_ row: borrowing CSVRow, decoded: StopRow, key: Int64, hash: Int64) throws
    /// A row that failed validation; the rest of the file goes on.
    mutating func reject(line: Int, reason: String)
}

/// Reads one police.uk CSV (any of the four layouts) from a ``PoliceSource`` and feeds
/// a ``PoliceRecordSink``.
///
/// Keys:
/// - a crime with a Crime ID is keyed by that ID;
/// - an outcome by Crime ID, month and outcome type;
/// - a row with no ID (ASB, the 2010–2012 layout, stop and search) by its force, month
///   and every field, plus its occurrence number among identical rows in the same file,
///   so that two identical ASB rows (two real incidents) stay two rows, and importing the
///   file again finds both again.
public struct PoliceFileReader {
    /// A crime's row key: the hash of its Crime ID (64 hex characters), so the crime is
    /// found again by its persistent id.
    public static func crimeKey(_ crimeID: UnsafeBufferPointer<UInt8>) -> Int64 {
        var h = StableHash(seed: 1)
        h.combine(crimeID)
        return h.value
    }

    public static func crimeKey(_ crimeID: String) -> Int64 {
        var id = crimeID
        return id.withUTF8 { crimeKey($0) }
    }

    public init() {}

    public struct Summary: Sendable, Equatable {
        public var kind: PoliceFileKind
        public var rowsRead = 0
        public var rejected = 0
    }

    /// - Parameter chunks: given every raw chunk of the source as it is read, in order (to
    ///   take a ``FingerprintAlong``).
    public func read<Sink: PoliceRecordSink>(
        _ source: PoliceSource, into sink: inout Sink, chunks: ((UnsafeRawBufferPointer) -> Void)? = nil,
        progress: ((UInt64) -> Void)? = nil
    ) throws -> Summary {
        var state = ReaderState(stopForce: source.forceIDFromName)
        var sinkBox = sink
        var thrown: (any Error)?
        let parser = CSVParser { row in
            do {
                try state.handle(row, sink: &sinkBox, file: source.displayName)
            } catch {
                thrown = error
                throw error
            }
        }
        var bytes: UInt64 = 0
        do {
            try source.stream { chunk in
                chunks?(chunk)
                try parser.feed(chunk)
                bytes += UInt64(chunk.count)
                progress?(bytes)
            }
            try parser.finish()
        } catch let error as CSVError {
            throw PoliceFileError.csv(file: source.displayName, detail: error.description)
        } catch {
            throw thrown ?? error
        }
        sink = sinkBox
        guard let kind = state.kind else { throw PoliceFileError.empty(file: source.displayName) }
        return Summary(kind: kind, rowsRead: state.rowsRead, rejected: state.rejected)
    }
}

struct ReaderState {
    var kind: PoliceFileKind?
    var rowsRead = 0
    var rejected = 0
    let stopForce: String?
    /// Occurrences of each base key seen so far in this file.
    var occurrences = KeyCounter(capacity: 1 << 16)

    init(stopForce: String?) { self.stopForce = stopForce }

    mutating func handle<Sink: PoliceRecordSink>(_ row: borrowing CSVRow, sink: inout Sink, file: String) throws {
        guard let kind else {
            let header = row.strings
            guard let detected = PoliceFileKind.detect(header: header) else {
                let shown = header.prefix(12).joined(separator: ",")
                let printable = String(
                    shown.unicodeScalars.prefix(160).map { $0.value < 32 || $0.value == 127 ? "?" : Character($0) })
                throw PoliceFileError.notPoliceData(file: file, header: "\"\(printable)\"")
            }
            if detected == .stopAndSearch && stopForce == nil { throw PoliceFileError.unknownForce(file: file) }
            kind = detected
            try sink.begin(kind: detected)
            return
        }
        // A blank line (a lone empty field) is not a row.
        if row.count == 1 && row.isEmpty(0) { return }
        rowsRead += 1
        do {
            switch kind {
            case .street, .legacyStreet:
                let r = try kind == .street ? PoliceRowDecoder.street(row) : PoliceRowDecoder.legacyStreet(row)
                let hash = contentHash(row)
                let key: Int64
                if r.crimeID.count > 0 {
                    key = PoliceFileReader.crimeKey(r.crimeID)
                } else {
                    key = occurrenceKey(base: hash)
                }
                try sink.incident(r, key: key, hash: hash)
            case .outcomes:
                let r = try PoliceRowDecoder.outcome(row)
                var h = StableHash(seed: 2)
                h.combine(r.crimeID)
                h.combine(r.month)
                h.combine(r.outcomeType)
                let key = occurrenceKey(base: h.value)
                try sink.outcome(r, key: key, hash: contentHash(row))
            case .stopAndSearch:
                let r = try PoliceRowDecoder.stop(row)
                let hash = contentHash(row)
                try sink.stop(row, decoded: r, key: occurrenceKey(base: hash), hash: hash)
            }
        } catch let error as RowError {
            rejected += 1
            sink.reject(line: row.line, reason: error.reason)
        }
    }

    /// Hash of every field: identical rows hash alike, any change shows.
    @inline(__always)
    func contentHash(_ row: borrowing CSVRow) -> Int64 {
        var h = StableHash(seed: 3)
        for i in 0..<row.count { h.combine(row.bytes(i)) }
        return h.value
    }

    /// The base key combined with its occurrence number in this file (1, 2, …).
    @inline(__always)
    mutating func occurrenceKey(base: Int64) -> Int64 {
        let n = occurrences.increment(UInt64(bitPattern: base))
        if n == 1 { return base }
        var h = StableHash(seed: UInt64(bitPattern: base))
        h.combine(Int(n))
        return h.value
    }
}
