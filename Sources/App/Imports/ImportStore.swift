import Analytics
import CrimeData

/// What an import needs from a database, synchronously, inside one transaction per
/// file. `SQLiteImportStore` drives SQLite's C API with reused prepared statements;
/// `PostgresImportStore` streams rows through COPY.
protocol ImportStore: AnyObject {
    func begin() throws
    func commit() throws
    func rollback()

    /// Existing slice ids and their state, loaded once per import.
    func loadSlices() throws -> [SliceKey: SliceState]
    func loadForces() throws -> [String: String]
    func loadCategories() throws -> [String: Int]
    func createForce(id: String, name: String) throws
    func createCategory(id: Int, name: String, slug: String) throws
    func createSlice(_ key: SliceKey, updatedAt: String) throws -> Int64
    func updateSlice(id: Int64, rowCount: Int64, sourceHash: Int64, updatedAt: String) throws

    /// Rows already stored for a slice: key → (id, content hash, LSOA, category).
    func loadRows(slice: Int64, kind: PoliceFileKind) throws -> [Int64: StoredRow]

    func insertIncident(_ r: IncidentValues) throws
    func updateIncident(id: Int64, _ r: IncidentValues) throws
    func insertOutcome(_ r: OutcomeValues) throws
    func updateOutcome(id: Int64, _ r: OutcomeValues) throws
    func insertStop(_ row: borrowing CSVRow, slice: Int64, key: Int64, hash: Int64, month: Int) throws
    func updateStop(id: Int64, _ row: borrowing CSVRow, slice: Int64, key: Int64, hash: Int64, month: Int) throws

    /// Adds deltas to the maintained aggregates: by LSOA and month, by LSOA and year (summed
    /// from `byLSOA` here, one LSOA at a time), by force and by local authority district
    /// (`counts_by_district`, the LSOA counts summed by the district each LSOA of the
    /// reference lies in). The LSOA deltas are written in key order, so each write lands
    /// next to the one before.
    func applyCounts(byLSOA: CountTable, byForce: [PlaceCountKey: Int64], byDistrict: [PlaceCountKey: Int64]) throws
    /// The local authority district of each LSOA in the reference, by packed code.
    func loadDistricts() throws -> [UInt64: String]
    /// A file imported before with this fingerprint, if every slice it wrote still
    /// carries the fingerprint (nothing has changed them since).
    func unchangedSource(fingerprint: Int64, byteCount: Int64) throws -> KnownSource?
    /// Whether any file of this many bytes was recorded (none: no file of this size can be
    /// unchanged, so its fingerprint need not be taken before it is read).
    func knowsSource(byteCount: Int64) throws -> Bool
    /// Records a file just imported and the slices it wrote.
    func recordSource(_ source: KnownSource, fingerprint: Int64, byteCount: Int64, at: String) throws

    /// Bulk-loads the ONS reference into `lsoas`.
    func insertLSOAs(_ lsoas: [LSOA]) throws
    /// Makes pending writes visible to reads in the same transaction (COPY buffers).
    func flush() throws
    /// Seconds the writer thread spent writing rows (wall clock, and of them on a core), and
    /// seconds the importer waited for it.
    var writerSeconds: (busy: Double, cpu: Double, waited: Double) { get }
}

struct KnownSource: Sendable {
    var kind: String
    var rowsRead: Int
    var rejected: Int
    var sliceIDs: [Int64]
    var importedAt: String
}

struct SliceKey: Hashable, Sendable {
    var kind: PoliceFileKind
    var forceID: String
    var month: Int
}

struct SliceState: Sendable {
    var id: Int64
    var rowCount: Int64
    var sourceHash: Int64
}

struct StoredRow {
    var id: Int64
    var hash: Int64
    /// Packed LSOA code (``IncidentCounter/packLSOA(_:)``), 0 for none.
    var lsoa: UInt64
    var category: Int
}

/// A key of `counts_by_force` or `counts_by_district` (a force id or a district code and a
/// month), or, when written, of `counts_by_lsoa_year` (an LSOA code and a year, in `month`).
struct PlaceCountKey: Hashable {
    var place: String
    var month: Int
    var category: Int
}

/// The columns of one `incidents` row, as byte views (valid during the call).
struct IncidentValues {
    var slice: Int64
    var key: Int64
    var hash: Int64
    var crimeID: UnsafeBufferPointer<UInt8>
    var month: Int
    var category: Int
    var position: GeoPoint?
    var grid: GridPoint?
    var location: UnsafeBufferPointer<UInt8>
    var lsoa: UnsafeBufferPointer<UInt8>
    var lastOutcome: UnsafeBufferPointer<UInt8>
    var context: UnsafeBufferPointer<UInt8>
    var reportedBy: UnsafeBufferPointer<UInt8>?
}

struct OutcomeValues {
    var slice: Int64
    var key: Int64
    var hash: Int64
    var crimeID: UnsafeBufferPointer<UInt8>
    var month: Int
    var outcome: UnsafeBufferPointer<UInt8>
    var position: GeoPoint?
    var lsoa: UnsafeBufferPointer<UInt8>
}
