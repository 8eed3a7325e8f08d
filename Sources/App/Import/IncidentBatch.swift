import CrimeData

/// New `incidents` rows copied out of the parser's buffer (which the next rows overwrite),
/// so that ``SQLiteBackgroundWriter`` can insert them while the importer reads on.
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
    var bytes: [UInt8] = []
    /// Small statements that must run before these rows (new forces, categories, slices),
    /// queued here so that they never stall the hand-over.
    var preludes: [() throws -> Void] = []

    init(capacity: Int) {
        rows.reserveCapacity(capacity)
        bytes.reserveCapacity(capacity * 128)
    }

    var isEmpty: Bool { rows.isEmpty && preludes.isEmpty }

    mutating func append(_ r: IncidentValues) {
        var crimeID = Text.null
        if r.crimeID.count == 64 {
            let offset = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: 32))
            if bytes.withUnsafeMutableBufferPointer({ ByteParsing.crimeID(r.crimeID, into: $0.baseAddress! + offset) }) {
                crimeID = Text(offset: Int32(offset), count: 32)
            } else {
                bytes.removeLast(32)
            }
        }
        let reportedBy = r.reportedBy.map { text($0) } ?? .null
        rows.append(Row(
            slice: r.slice, key: r.key, hash: r.hash, month: Int32(r.month), category: Int32(r.category),
            longitude: r.position?.longitude ?? .nan, latitude: r.position?.latitude ?? .nan,
            easting: r.grid.map { ($0.easting * 10).rounded() / 10 } ?? .nan,
            northing: r.grid.map { ($0.northing * 10).rounded() / 10 } ?? .nan,
            crimeID: crimeID, location: text(r.location), lsoa: text(r.lsoa), lastOutcome: text(r.lastOutcome),
            context: text(r.context), reportedBy: reportedBy))
    }

    private mutating func text(_ b: UnsafeBufferPointer<UInt8>) -> Text {
        let offset = bytes.count
        bytes.append(contentsOf: b)
        return Text(offset: Int32(offset), count: Int32(b.count))
    }
}

