import CSVScan

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A streaming RFC 4180 CSV parser that works on bytes.
///
/// Feed it chunks of any size (`feed(_:)`, then `finish()`), or let it read a file
/// descriptor (`parse(fileDescriptor:)`). Every complete record is handed to the
/// callback as a ``CSVRow`` whose fields point into the parser's buffer: nothing is
/// copied or decoded unless the caller asks for a `String`.
///
/// - Memory is bounded: the buffer holds at most one chunk plus one unfinished record,
///   and a record longer than ``maximumRecordBytes`` is an error (a binary file or an
///   unterminated quote would otherwise be read to the end).
/// - A UTF-8 byte order mark at the start is skipped; lines may end in LF or CRLF.
/// - Quoted fields may contain commas, doubled quotes (`""`) and line breaks.
/// - `CSVRow.line` is the 1-based physical line on which the record starts.
public final class CSVParser {
    /// Whether records are split by the AVX2 loop on this processor (else eight bytes at a time).
    public static var usesAVX2: Bool { csv_scan_uses_avx2() == 1 }

    /// Upper bound on the length of one record, in bytes.
    public let maximumRecordBytes: Int

    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var line = 1
    private var atStart = true
    private var fieldStarts: UnsafeMutablePointer<Int>
    private var fieldEnds: UnsafeMutablePointer<Int>
    private var fieldCapacity = 64
    private let onRow: (borrowing CSVRow) throws -> Void

    public init(
        maximumRecordBytes: Int = 1 << 20,
        onRow: @escaping (borrowing CSVRow) throws -> Void
    ) {
        self.maximumRecordBytes = maximumRecordBytes
        self.capacity = 1 << 20
        self.buffer = .allocate(capacity: capacity)
        self.fieldStarts = .allocate(capacity: fieldCapacity)
        self.fieldEnds = .allocate(capacity: fieldCapacity)
        self.onRow = onRow
    }

    deinit {
        buffer.deallocate()
        fieldStarts.deallocate()
        fieldEnds.deallocate()
    }

    /// Appends bytes and parses every record they complete.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(buffer + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
        try parseAvailable(final: false)
    }

    /// Parses the last record if the input did not end with a line break.
    public func finish() throws {
        try parseAvailable(final: true)
    }

    /// Reads a whole file descriptor in large blocks straight into the buffer.
    public func parse(fileDescriptor fd: Int32, blockSize: Int = 1 << 20) throws {
        while true {
            reserve(blockSize)
            let n = read(fd, buffer + count, blockSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw CSVError.readFailed(errno: errno)
            }
            if n == 0 { break }
            count += n
            try parseAvailable(final: false)
        }
        try finish()
    }

    /// Reads bytes `range` of a file with `pread`, straight into the buffer (no copy),
    /// then finishes. Used to parse one part of a file on each of several threads.
    public func parse(fileDescriptor fd: Int32, range: Range<Int>, blockSize: Int = 1 << 20) throws {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let want = min(blockSize, range.upperBound - offset)
            reserve(want)
            let n = pread(fd, buffer + count, want, off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                throw CSVError.readFailed(errno: errno)
            }
            if n == 0 { break }
            count += n
            offset += n
            try parseAvailable(final: false)
        }
        try finish()
    }

    /// Parses bytes that are all present at once (a memory-mapped file, say) in place,
    /// without copying them. The memory must be writable (quoted fields are unescaped in
    /// place; map files `MAP_PRIVATE`) and stay valid until this returns. `atStart`
    /// says whether these bytes begin the file (a byte order mark is skipped only then).
    public func parse(inPlace bytes: UnsafeMutableBufferPointer<UInt8>, atStart: Bool) throws {
        guard count == 0 else { throw CSVError.parserBusy }
        let (ownBuffer, ownCapacity) = (buffer, capacity)
        buffer = bytes.baseAddress ?? ownBuffer
        capacity = bytes.count
        count = bytes.count
        self.atStart = atStart
        defer {
            buffer = ownBuffer
            capacity = ownCapacity
            count = 0
        }
        try parseAvailable(final: true)
    }

    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let newCapacity = max(capacity * 2, count + extra)
        let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBuffer.update(from: buffer, count: count)
        buffer.deallocate()
        buffer = newBuffer
        capacity = newCapacity
    }

    private func growFields() {
        let newCapacity = fieldCapacity * 2
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        let ends = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        starts.update(from: fieldStarts, count: fieldCapacity)
        ends.update(from: fieldEnds, count: fieldCapacity)
        fieldStarts.deallocate()
        fieldEnds.deallocate()
        fieldStarts = starts
        fieldEnds = ends
        fieldCapacity = newCapacity
    }

    private func parseAvailable(final: Bool) throws {
        var pos = 0
        if atStart {
            if count < 3 && !final { return }
            if count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { pos = 3 }
            atStart = false
        }
        while pos < count {
            let simple = try emitSimple(from: pos)
            if simple >= 0 {
                pos = simple
            } else if simple == Self.incomplete && !final {
                break  // the record continues in the next chunk
            } else if let end = try emitQuoted(from: pos, final: final) {
                pos = end
            } else {
                break  // the record continues in the next chunk
            }
        }
        if pos < count, !final {
            if count - pos > maximumRecordBytes { throw CSVError.recordTooLong(line: line, limit: maximumRecordBytes) }
        }
        let remaining = count - pos
        if remaining > 0 && pos > 0 { (buffer).update(from: buffer + pos, count: remaining) }
        count = remaining
        if final && remaining > 0 {
            // Only reachable for an unterminated quoted field at end of input.
            throw CSVError.unterminatedQuote(line: line)
        }
    }

    private static let hasQuote = -1
    private static let incomplete = -2

    /// A record without quotes, split by the C kernel (``csv_split_simple``: 32 bytes at a
    /// time with AVX2 where the processor has it, eight at a time otherwise). Returns the
    /// index after the record, ``hasQuote`` if the record holds a quote (the caller then uses
    /// the RFC 4180 path), or ``incomplete`` if no line feed is buffered yet. Nothing is
    /// written to the buffer, so either way the record can be parsed again from `pos`.
    private func emitSimple(from pos: Int) throws -> Int {
        while true {
            var n = 0
            let end = csv_split_simple(buffer, pos, count, fieldStarts, fieldEnds, fieldCapacity, &n)
            if end > 0 {
                // A complete record is bounded too (a 1,000,000-column line in one chunk).
                if end - pos > maximumRecordBytes {
                    throw CSVError.recordTooLong(line: line, limit: maximumRecordBytes)
                }
                try deliver(fields: n, lines: 1)
                return end
            }
            switch end {
            case Int(CSV_SCAN_HAS_QUOTE): return Self.hasQuote
            case Int(CSV_SCAN_INCOMPLETE): return Self.incomplete
            default: while fieldCapacity < n { growFields() }  // CSV_SCAN_MORE_FIELDS
            }
        }
    }

    /// End (exclusive, past the line break) of the record at `pos`, tracking quote
    /// parity so that line breaks inside quoted fields do not end it; nil if the
    /// record is not complete yet.
    private func quotedRecordEnd(from pos: Int, final: Bool) throws -> Int? {
        var inQuotes = false
        var i = pos
        while i < count {
            let b = buffer[i]
            if b == 0x22 {
                inQuotes.toggle()
            } else if b == 0x0A && !inQuotes {
                return i + 1
            }
            i += 1
        }
        guard final else { return nil }
        if inQuotes { throw CSVError.unterminatedQuote(line: line) }
        return count
    }

    /// A record with at least one quote: run the RFC 4180 state machine, unescaping
    /// quoted fields in place. Returns nil if the record is not complete yet. The
    /// record is known to be complete before any byte is rewritten, so a record cut
    /// by a chunk boundary is re-parsed from intact bytes.
    private func emitQuoted(from pos: Int, final: Bool) throws -> Int? {
        guard let recordEnd = try quotedRecordEnd(from: pos, final: final) else { return nil }
        if recordEnd - pos > maximumRecordBytes { throw CSVError.recordTooLong(line: line, limit: maximumRecordBytes) }
        // Content ends before the line break (LF or CRLF) that terminates the record.
        var limit = recordEnd
        if limit > pos && buffer[limit - 1] == 0x0A {
            limit -= 1
            if limit > pos && buffer[limit - 1] == 0x0D { limit -= 1 }
        } else if limit > pos && buffer[limit - 1] == 0x0D {
            limit -= 1
        }
        var n = 0
        var i = pos
        var newlines = 0
        while true {
            if n == fieldCapacity { growFields() }
            if i < limit && buffer[i] == 0x22 {
                let start = i
                var write = i
                i += 1
                while true {
                    guard i < limit else { throw CSVError.unterminatedQuote(line: line) }
                    let b = buffer[i]
                    if b == 0x22 {
                        if i + 1 < limit && buffer[i + 1] == 0x22 {
                            buffer[write] = 0x22
                            write += 1
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if b == 0x0A { newlines += 1 }
                    buffer[write] = b
                    write += 1
                    i += 1
                }
                fieldStarts[n] = start
                fieldEnds[n] = write
                n += 1
                if i >= limit { break }
                guard buffer[i] == 0x2C else { throw CSVError.malformedQuotedField(line: line + newlines) }
                i += 1
                if i == limit {
                    addField(&n, start: i, end: i)  // a trailing comma: one more, empty field
                    break
                }
            } else {
                // Unquoted field; a stray quote inside it is kept as a literal.
                let start = i
                while i < limit && buffer[i] != 0x2C { i += 1 }
                addField(&n, start: start, end: i)
                if i >= limit { break }
                i += 1
                if i == limit {
                    addField(&n, start: i, end: i)
                    break
                }
            }
        }
        try deliver(fields: n, lines: 1 + newlines)
        return recordEnd
    }

    @inline(__always)
    private func addField(_ n: inout Int, start: Int, end: Int) {
        if n == fieldCapacity { growFields() }
        fieldStarts[n] = start
        fieldEnds[n] = end
        n += 1
    }

    private func deliver(fields n: Int, lines: Int) throws {
        let row = CSVRow(
            base: UnsafePointer(buffer), starts: UnsafePointer(fieldStarts), ends: UnsafePointer(fieldEnds),
            count: n, line: line)
        line += lines
        try onRow(row)
    }
}

/// Errors of the CSV layer; each names the line where the problem starts.
public enum CSVError: Error, Equatable, CustomStringConvertible {
    case unterminatedQuote(line: Int)
    case malformedQuotedField(line: Int)
    case recordTooLong(line: Int, limit: Int)
    case readFailed(errno: Int32)
    /// `parse(inPlace:)` on a parser still holding bytes from another parse.
    case parserBusy

    public var description: String {
        switch self {
        case .unterminatedQuote(let line): "line \(line): a quoted field is never closed"
        case .malformedQuotedField(let line):
            "line \(line): text follows a closing quote (a quote inside a field must be doubled)"
        case .recordTooLong(let line, let limit):
            "line \(line): record longer than \(limit / 1024) KiB; this does not look like a CSV file"
        case .readFailed(let errno): "read failed (errno \(errno))"
        case .parserBusy: "the parser is still holding bytes from another parse"
        }
    }
}
