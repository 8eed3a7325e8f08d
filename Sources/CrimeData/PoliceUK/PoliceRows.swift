/// A street-level crime or ASB row (current or 2010–2012 layout), as byte views into
/// the parser's buffer: valid only inside the parser callback.
public struct IncidentRow {
    /// Empty for ASB and for the 2010–2012 layout.
    public var crimeID: UnsafeBufferPointer<UInt8>
    /// `YYYY * 100 + MM`.
    public var month: Int
    public var reportedBy: UnsafeBufferPointer<UInt8>
    public var fallsWithin: UnsafeBufferPointer<UInt8>
    /// nil when police.uk gives no location (the crime is still counted).
    public var position: GeoPoint?
    /// Given directly by the 2010–2012 layout; otherwise computed by the caller.
    public var grid: GridPoint?
    public var location: UnsafeBufferPointer<UInt8>
    public var lsoaCode: UnsafeBufferPointer<UInt8>
    public var lsoaName: UnsafeBufferPointer<UInt8>
    public var crimeType: UnsafeBufferPointer<UInt8>
    public var lastOutcome: UnsafeBufferPointer<UInt8>
    public var context: UnsafeBufferPointer<UInt8>
}

/// An outcomes-file row: an outcome given in `month` to the crime `crimeID`.
public struct OutcomeRow {
    public var crimeID: UnsafeBufferPointer<UInt8>
    public var month: Int
    public var fallsWithin: UnsafeBufferPointer<UInt8>
    public var position: GeoPoint?
    public var lsoaCode: UnsafeBufferPointer<UInt8>
    public var outcomeType: UnsafeBufferPointer<UInt8>
}

/// A stop-and-search row. The force is not in the row: it comes from the file name.
public struct StopRow {
    public var month: Int
    public var position: GeoPoint?
}

/// Why one row was refused; the importer adds the file and line.
public struct RowError: Error, Equatable, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// Validates rows of each police.uk layout and exposes their fields.
public enum PoliceRowDecoder {
    public static func street(_ row: borrowing CSVRow) throws(RowError) -> IncidentRow {
        guard row.count == 12 else { throw RowError("expected 12 fields, found \(row.count)") }
        let id = row.bytes(0)
        if id.count != 0 && !isCrimeID(id) {
            throw RowError("Crime ID is not 64 hexadecimal characters: \(preview(id))")
        }
        guard let month = ByteParsing.month(row.bytes(1)) else {
            throw RowError("Month is not YYYY-MM: \(preview(row.bytes(1)))")
        }
        guard !row.isEmpty(3) else { throw RowError("Falls within is empty") }
        let position = try coordinates(longitude: row.bytes(4), latitude: row.bytes(5))
        let lsoa = row.bytes(7)
        if lsoa.count != 0 && !isAreaCode(lsoa) {
            throw RowError("LSOA code is not an ONS code such as E01026764: \(preview(lsoa))")
        }
        guard !row.isEmpty(9) else { throw RowError("Crime type is empty") }
        return IncidentRow(
            crimeID: id, month: month, reportedBy: row.bytes(2), fallsWithin: row.bytes(3), position: position,
            grid: nil, location: row.bytes(6), lsoaCode: lsoa, lsoaName: row.bytes(8), crimeType: row.bytes(9),
            lastOutcome: row.bytes(10), context: row.bytes(11))
    }

    public static func legacyStreet(_ row: borrowing CSVRow) throws(RowError) -> IncidentRow {
        guard row.count == 8 else { throw RowError("expected 8 fields, found \(row.count)") }
        guard let month = ByteParsing.month(row.bytes(0)) else {
            throw RowError("Month is not YYYY-MM: \(preview(row.bytes(0)))")
        }
        guard !row.isEmpty(2) else { throw RowError("Falls within is empty") }
        var grid: GridPoint?
        var position: GeoPoint?
        if !(row.isEmpty(3) && row.isEmpty(4)) {
            guard let e = ByteParsing.decimal(row.bytes(3)), let n = ByteParsing.decimal(row.bytes(4)),
                e >= 0, e <= 700_000, n >= 0, n <= 1_300_000
            else {
                throw RowError(
                    "Easting/Northing are not British National Grid metres: \(preview(row.bytes(3))), \(preview(row.bytes(4)))"
                )
            }
            grid = GridPoint(easting: e, northing: n)
            position = BritishNationalGrid.geo(from: grid!)
        }
        guard !row.isEmpty(6) else { throw RowError("Crime type is empty") }
        let empty = row.bytes(99)
        return IncidentRow(
            crimeID: empty, month: month, reportedBy: row.bytes(1), fallsWithin: row.bytes(2), position: position,
            grid: grid, location: row.bytes(5), lsoaCode: empty, lsoaName: empty, crimeType: row.bytes(6),
            lastOutcome: empty, context: row.bytes(7))
    }

    public static func outcome(_ row: borrowing CSVRow) throws(RowError) -> OutcomeRow {
        guard row.count == 10 else { throw RowError("expected 10 fields, found \(row.count)") }
        guard isCrimeID(row.bytes(0)) else {
            throw RowError("Crime ID is not 64 hexadecimal characters: \(preview(row.bytes(0)))")
        }
        guard let month = ByteParsing.month(row.bytes(1)) else {
            throw RowError("Month is not YYYY-MM: \(preview(row.bytes(1)))")
        }
        guard !row.isEmpty(3) else { throw RowError("Falls within is empty") }
        let position = try coordinates(longitude: row.bytes(4), latitude: row.bytes(5))
        guard !row.isEmpty(9) else { throw RowError("Outcome type is empty") }
        return OutcomeRow(
            crimeID: row.bytes(0), month: month, fallsWithin: row.bytes(3), position: position,
            lsoaCode: row.bytes(7), outcomeType: row.bytes(9))
    }

    public static func stop(_ row: borrowing CSVRow) throws(RowError) -> StopRow {
        guard row.count == 15 else { throw RowError("expected 15 fields, found \(row.count)") }
        let date = row.bytes(1)
        guard date.count >= 10, let month = ByteParsing.month(UnsafeBufferPointer(rebasing: date[0..<7])),
            date[7] == 0x2D
        else {
            throw RowError("Date is not an ISO 8601 date such as 2016-07-01T12:30:00+01:00: \(preview(date))")
        }
        let position = try coordinates(longitude: row.bytes(5), latitude: row.bytes(4))
        guard !row.isEmpty(0) else { throw RowError("Type is empty") }
        return StopRow(month: month, position: position)
    }

    static func coordinates(
        longitude: UnsafeBufferPointer<UInt8>, latitude: UnsafeBufferPointer<UInt8>
    ) throws(RowError) -> GeoPoint? {
        if longitude.count == 0 && latitude.count == 0 { return nil }
        guard let lon = ByteParsing.decimal(longitude), let lat = ByteParsing.decimal(latitude),
            lon >= -180, lon <= 180, lat >= -90, lat <= 90
        else {
            throw RowError("Longitude/Latitude are not decimal degrees: \(preview(longitude)), \(preview(latitude))")
        }
        return GeoPoint(longitude: lon, latitude: lat)
    }

    @inline(__always)
    static func isCrimeID(_ b: UnsafeBufferPointer<UInt8>) -> Bool { ByteParsing.isCrimeID(b) }

    /// An ONS code: a letter, two digits, six digits (E01026764, W01000001).
    @inline(__always)
    static func isAreaCode(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 9, b[0] >= 0x41, b[0] <= 0x5A else { return false }
        for i in 1..<9 where b[i] < 0x30 || b[i] > 0x39 { return false }
        return true
    }

    /// A short, printable excerpt of a bad field for an error message.
    static func preview(_ b: UnsafeBufferPointer<UInt8>) -> String {
        if b.count == 0 { return "(empty)" }
        let text = String(decoding: b.prefix(40), as: UTF8.self)
        let cleaned = String(text.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? "?" : Character($0) })
        return "\"" + cleaned + (b.count > 40 ? "…" : "") + "\""
    }
}
