import CrimeData
import Foundation

/// Counts street-level crime and ASB by (LSOA, month, crime type) straight from a
/// police.uk street CSV, in parallel, without a database.
///
/// The file is cut into one range per thread at line breaks. A cut is only made where
/// the number of quote characters before it is even (RFC 4180: an odd count means the
/// cut would fall inside a quoted field), moving to the next line break otherwise.
/// Each thread parses its range with its own ``CSVParser`` and counts into its own
/// table; the tables are merged at the end.
public enum IncidentCounter {
    public struct Key: Hashable, Sendable {
        public init(lsoa: UInt64, month: Int32, category: UInt16) {
            self.lsoa = lsoa
            self.month = month
            self.category = category
        }
        /// `E01007359` packed as letter << 56 | digits; 0 when the row has no LSOA.
        public var lsoa: UInt64
        /// `YYYY * 100 + MM`.
        public var month: Int32
        /// Index into ``Result/categories``.
        public var category: UInt16
    }

    public struct Result: Sendable {
        /// The counts, one per (LSOA, month, crime type) cell.
        public var counts: CountTable
        public var categories: [String]
        public var rows: Int
        public var rejected: Int

        /// Rows as (LSOA code, month, crime type, count), sorted.
        public var table: [(lsoa: String, month: Int, category: String, count: Int)] {
            var rows: [(lsoa: String, month: Int, category: String, count: Int)] = []
            rows.reserveCapacity(counts.count)
            counts.forEach { k, v in
                rows.append((IncidentCounter.lsoaCode(k.lsoa), Int(k.month), categories[Int(k.category)], v))
            }
            return rows.sorted { ($0.lsoa, $0.month, $0.category) < ($1.lsoa, $1.month, $1.category) }
        }
    }

    /// - Parameter minimumSplitBytes: files smaller than this are read by one thread.
    public static func count(
        file path: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        minimumSplitBytes: Int = 4 << 20
    ) throws -> Result {
        let partials = try withReadOnlyFile(path) { fd, size in
            let cuts = try cutPoints(fd: fd, size: size, parts: max(1, threads), minimum: minimumSplitBytes)
            let ranges = zip(cuts.dropLast(), cuts.dropFirst()).map { $0..<$1 }
            return try parallelMap(ranges.count) { i in
                try countRange(fd: fd, range: ranges[i], isFirst: i == 0, file: path)
            }
        }
        // Merge, renumbering each part's categories into one list.
        var categories: [String] = []
        var index: [String: UInt16] = [:]
        var counts = CountTable(capacity: partials.reduce(0) { $0 + $1.counts.count })
        var rows = 0, rejected = 0
        for part in partials {
            rows += part.rows
            rejected += part.rejected
            let map = part.categories.map { name -> UInt16 in
                if let i = index[name] { return i }
                let i = UInt16(categories.count)
                categories.append(name)
                index[name] = i
                return i
            }
            part.counts.forEach { k, v in
                counts.add(Key(lsoa: k.lsoa, month: k.month, category: map[Int(k.category)]), v)
            }
        }
        return Result(counts: counts, categories: categories, rows: rows, rejected: rejected)
    }

    struct Partial: Sendable {
        var counts = CountTable()
        var categories: [String] = []
        var rows = 0
        var rejected = 0
    }

    /// The state one thread's row callback works on. Only that thread touches it, so the
    /// runtime exclusivity checks on its properties (6% of the loop) are switched off.
    final class RangeState {
        @exclusivity(unchecked) var part = Partial(counts: CountTable(capacity: 1 << 18))
        let categories = ByteNameTable()
        @exclusivity(unchecked) var sawHeader: Bool
        @exclusivity(unchecked) var problem: (any Error)?
        init(sawHeader: Bool) { self.sawHeader = sawHeader }

        @inline(__always)
        func row(_ row: borrowing CSVRow, file: String) throws {
            if !sawHeader {
                sawHeader = true
                if PoliceFileKind.detect(header: row.strings) != .street {
                    problem = PoliceFileError.notPoliceData(file: file, header: row.strings.joined(separator: ","))
                    throw CSVError.readFailed(errno: 0)
                }
                return
            }
            if row.count == 1 && row.isEmpty(0) { return }
            part.rows += 1
            guard row.count == 12, let month = ByteParsing.month(row.bytes(1)), !row.isEmpty(9) else {
                part.rejected += 1
                return
            }
            let category = categories.id(row.bytes(9)).id
            part.counts.add(Key(lsoa: packLSOA(row.bytes(7)), month: Int32(month), category: UInt16(category)))
        }
    }

    static func countRange(fd: Int32, range: Range<Int>, isFirst: Bool, file: String) throws -> Partial {
        let state = RangeState(sawHeader: !isFirst)
        let parser = CSVParser { row in try state.row(row, file: file) }
        do {
            try parser.parse(fileDescriptor: fd, range: range)
        } catch {
            throw state.problem ?? error
        }
        state.part.categories = state.categories.strings
        return state.part
    }

    /// Range boundaries: 0, cuts at line starts outside quotes, size.
    static func cutPoints(fd: Int32, size: Int, parts: Int, minimum: Int) throws -> [Int] {
        var cuts = [0]
        guard parts > 1, size > minimum else { return [0, size] }
        var quotes = 0
        var counted = 0
        let block = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: block)
        defer { buffer.deallocate() }
        for p in 1..<parts {
            var target = size * p / parts
            // Count quotes from the last counted point up to the target.
            while true {
                while counted < target {
                    let n = pread(fd, buffer, min(block, target - counted), off_t(counted))
                    if n <= 0 { break }
                    var q = buffer
                    let end = buffer + n
                    while q < end, let hit = memchr(q, 0x22, end - q) {
                        quotes += 1
                        q = hit.assumingMemoryBound(to: UInt8.self) + 1
                    }
                    counted += n
                }
                // Advance to the byte after the next line break, counting quotes passed.
                var pos = target
                var found = false
                while pos < size && !found {
                    let n = pread(fd, buffer, min(block, size - pos), off_t(pos))
                    if n <= 0 { break }
                    for i in 0..<n {
                        if buffer[i] == 0x22 { quotes += 1 }
                        if buffer[i] == 0x0A {
                            pos += i + 1
                            found = true
                            break
                        }
                    }
                    if !found { pos += n }
                }
                counted = pos
                if !found { pos = size }
                if quotes % 2 == 0 || pos >= size {
                    target = pos
                    break
                }
                target = pos
            }
            if target > cuts.last! && target < size { cuts.append(target) }
        }
        cuts.append(size)
        return cuts
    }

    /// `E01007359` → letter << 56 | 01007359; anything else → 0.
    @inline(__always)
    public static func packLSOA(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard b.count == 9 else { return 0 }
        var digits: UInt64 = 0
        for i in 1..<9 {
            let d = UInt64(b[i]) &- 48
            guard d < 10 else { return 0 }
            digits = digits * 10 + d
        }
        return UInt64(b[0]) << 56 | digits
    }

    /// Writes the code of a packed LSOA (as ``lsoaCode(_:)`` spells it) into `bytes`, which
    /// must hold 9; returns how many it wrote (0 for no LSOA).
    public static func writeLSOACode(_ packed: UInt64, into bytes: UnsafeMutableRawBufferPointer) -> Int {
        guard packed != 0, bytes.count >= 9 else { return 0 }
        var digits = packed & 0x00FF_FFFF_FFFF_FFFF
        guard digits < 100_000_000 else {
            // Never from packLSOA; spelled out the long way.
            let code = Array(lsoaCode(packed).utf8.prefix(bytes.count))
            for (i, b) in code.enumerated() { bytes[i] = b }
            return code.count
        }
        bytes[0] = UInt8(truncatingIfNeeded: packed >> 56)
        for i in stride(from: 8, through: 1, by: -1) {
            bytes[i] = UInt8(truncatingIfNeeded: 48 + digits % 10)
            digits /= 10
        }
        return 9
    }

    public static func lsoaCode(_ packed: UInt64) -> String {
        guard packed != 0 else { return "" }
        let letter = Character(UnicodeScalar(UInt8(packed >> 56)))
        let digits = String(packed & 0x00FF_FFFF_FFFF_FFFF)
        return String(letter) + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
