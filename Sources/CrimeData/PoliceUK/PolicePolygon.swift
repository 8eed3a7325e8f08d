import Foundation

/// The `poly` parameter of the police.uk methods: `lat,lng:lat,lng:…`, at least three
/// points; the ring is closed for the caller.
public enum PolicePolygon {
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The most points a `poly` may have. police.uk's own clients send a few dozen (its
    /// documentation's GET limit of about 4,000 characters holds some 200); 10,000 covers
    /// a detailed ward or district outline.
    public static let maximumPoints = 10_000

    public static func parse(_ text: String) throws -> [(latitude: Double, longitude: Double)] {
        // Counted before anything is split or parsed: a 150,000-point poly costs nothing.
        var colons = 0
        for b in text.utf8 where b == UInt8(ascii: ":") {
            colons += 1
            if colons >= maximumPoints {
                throw ParseError(
                    description:
                        "poly has more than \(maximumPoints) points; simplify the outline (e.g. to one point every 20 m) or split the area"
                )
            }
        }
        // Bytes, not Strings: a 10,000-point poly is parsed in well under a millisecond.
        var points: [(latitude: Double, longitude: Double)] = []
        points.reserveCapacity(colons + 1)
        var text = text
        try text.withUTF8 { bytes in
            var start = 0
            var index = 0
            func pair(_ from: Int, _ to: Int) throws {
                guard to > from else { return }  // empty pairs ("a::b", a trailing colon) are skipped
                let slice = UnsafeBufferPointer(rebasing: bytes[from..<to])
                func trimmed(_ s: UnsafeBufferPointer<UInt8>.SubSequence) -> UnsafeBufferPointer<UInt8> {
                    var a = s.startIndex, b = s.endIndex
                    while a < b, s[a] == 0x20 || s[a] == 0x09 { a += 1 }
                    while b > a, s[b - 1] == 0x20 || s[b - 1] == 0x09 { b -= 1 }
                    return UnsafeBufferPointer(rebasing: s[a..<b])
                }
                index += 1
                let comma = slice.firstIndex(of: UInt8(ascii: ","))
                guard let comma, slice[(comma + 1)...].firstIndex(of: UInt8(ascii: ",")) == nil,
                    let lat = ByteParsing.decimal(trimmed(slice[..<comma]))
                        ?? Double(String(decoding: trimmed(slice[..<comma]), as: UTF8.self)),
                    let lng = ByteParsing.decimal(trimmed(slice[(comma + 1)...]))
                        ?? Double(String(decoding: trimmed(slice[(comma + 1)...]), as: UTF8.self)),
                    lat.isFinite, lng.isFinite, (-90...90).contains(lat), (-180...180).contains(lng)
                else {
                    let shown = String(decoding: slice.prefix(60), as: UTF8.self)
                    throw ParseError(
                        description: "poly: point \(index) (“\(shown)”) is not “latitude,longitude” in degrees")
                }
                points.append((lat, lng))
            }
            for i in 0..<bytes.count where bytes[i] == UInt8(ascii: ":") {
                try pair(start, i)
                start = i + 1
            }
            try pair(start, bytes.count)
        }
        guard points.count >= 3 else {
            throw ParseError(description: "poly needs at least three “latitude,longitude” points separated by colons")
        }
        return points
    }
}
