import CrimeData

/// New `incidents` rows copied out of the parser's buffer (which the next rows overwrite),
/// so that ``BackgroundWriter`` can insert them while the importer reads on.
struct IncidentBatch {
    /// Bytes `offset ..< offset + count` of ``bytes``; `count` −1 is SQL NULL.
    struct Text {
        var offset: Int32
        var count: Int32
        static let null = Text(offset: 0, count: -1)
    }

    struct Row {
        var slice: Int64
        var key: Int64
        var hash: Int64
        var month: Int32
        var category: Int32
        /// NaN is NULL (a parsed coordinate is never NaN: the decoder refuses it).
        var longitude: Double
        var latitude: Double
        var easting: Double
        var northing: Double
        /// The 32 bytes of the Crime ID, or NULL.
        var crimeID: Text
        var location: Text
        var lsoa: Text
        var lastOutcome: Text
        var context: Text
        var reportedBy: Text
    }

    var rows: [Row] = []
    /// The rows' text and Crime ID bytes, back to back.
    let bytes: ByteArena
    /// Small statements that must run before these rows (new forces, categories, slices),
    /// queued here so that they never stall the hand-over.
    var preludes: [() throws -> Void] = []

    /// A batch is one slice's new rows, up to 65,536 of them or 16 MB of their bytes: sorted
    /// by key, they are appended to the end of the key index, as a new slice has the largest id.
    static let maxRows = 1 << 16
    static let maxBytes = 16 << 20

    init(capacity: Int = 1 << 15) {
        rows.reserveCapacity(capacity)
        bytes = ByteArena(capacity: capacity * 128)
    }

    var isEmpty: Bool { rows.isEmpty && preludes.isEmpty }

    /// Whether `r` must go in a new batch: a batch holds one slice's rows.
    func isOtherSlice(_ r: IncidentValues) -> Bool { rows.last.map { $0.slice != r.slice } ?? false }

    var isFull: Bool { rows.count >= Self.maxRows || bytes.count >= Self.maxBytes }

    /// About the memory the batch's rows and text hold.
    var byteCount: Int { rows.count * MemoryLayout<Row>.stride + bytes.count }

    mutating func append(_ r: IncidentValues) {
        var crimeID = Text.null
        if r.crimeID.count == 64 {
            let offset = bytes.count
            if ByteParsing.crimeID(r.crimeID, into: bytes.reserve(32)) {
                crimeID = Text(offset: Int32(offset), count: 32)
            } else {
                bytes.count = offset
            }
        }
        let reportedBy = r.reportedBy.map { bytes.append($0) } ?? .null
        rows.append(
            Row(
                slice: r.slice, key: r.key, hash: r.hash, month: Int32(r.month), category: Int32(r.category),
                longitude: r.position?.longitude ?? .nan, latitude: r.position?.latitude ?? .nan,
                easting: r.grid.map { ($0.easting * 10).rounded() / 10 } ?? .nan,
                northing: r.grid.map { ($0.northing * 10).rounded() / 10 } ?? .nan,
                crimeID: crimeID, location: bytes.append(r.location), lsoa: bytes.append(r.lsoa),
                lastOutcome: bytes.append(r.lastOutcome), context: bytes.append(r.context), reportedBy: reportedBy))
    }

    /// Row indexes in (slice, key) order. A batch holds rows of one slice (it is handed
    /// over when the slice changes), so each row's key, in signed order, with its index in
    /// the low 16 bits, is sorted as a plain integer. Keys are hashes: two that differ only
    /// in their low 16 bits are as rare as a collision, and cost one insert off the fast path.
    static func keyOrder(_ rows: [Row]) -> [Int] {
        guard rows.count <= maxRows, let first = rows.first, rows.allSatisfy({ $0.slice == first.slice }) else {
            return rows.indices.sorted { (rows[$0].slice, rows[$0].key) < (rows[$1].slice, rows[$1].key) }
        }
        var packed = rows.enumerated().map { i, r in
            (UInt64(bitPattern: r.key) ^ (1 << 63)) & ~0xFFFF | UInt64(i)
        }
        packed.sort()
        return packed.map { Int($0 & 0xFFFF) }
    }
}

/// A growable run of bytes written with `memcpy` (an `Array` append of a few bytes costs a
/// call and checks each time: measured at 9% of the importing thread). Owned by one batch.
final class ByteArena: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    fileprivate(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Room for `n` more bytes, counted as written; returns where they go.
    @inline(__always)
    func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if count + n > capacity { grow(count + n) }
        let at = base + count
        count += n
        return at
    }

    @inline(__always)
    func append(_ b: UnsafeBufferPointer<UInt8>) -> IncidentBatch.Text {
        let offset = count
        if let source = b.baseAddress, b.count > 0 { reserve(b.count).update(from: source, count: b.count) }
        return IncidentBatch.Text(offset: Int32(offset), count: Int32(b.count))
    }

    private func grow(_ needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }
}
