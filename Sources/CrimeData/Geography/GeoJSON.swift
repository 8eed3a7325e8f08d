import Foundation

/// Reads and writes area boundaries as GeoJSON (RFC 7946): WGS84 longitude/latitude,
/// Polygon and MultiPolygon geometries, alone, as a Feature, or in a FeatureCollection.
public enum GeoJSON {
    /// One boundary read from a file: its name and its polygons, each an outer ring then
    /// holes, in longitude/latitude without the repeated closing position.
    public struct Boundary: Sendable, Hashable {
        public var name: String
        public var polygons: [[[GeoPoint]]]
    }

    public struct ReadError: Error, CustomStringConvertible, Equatable {
        public var file: String
        /// 1-based feature number, nil for problems with the whole document.
        public var feature: Int?
        public var reason: String
        public var description: String {
            feature.map { "\(file), feature \($0): \(reason)" } ?? "\(file): \(reason)"
        }
    }

    /// Reads every Polygon or MultiPolygon boundary in `data`. Any problem refuses the
    /// whole file with the feature number and what was wrong.
    public static func boundaries(from data: Data, file: String) throws -> [Boundary] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ReadError(file: file, feature: nil, reason: "not valid JSON")
        }
        guard let object = root as? [String: Any], let type = object["type"] as? String else {
            throw ReadError(file: file, feature: nil, reason: "not a GeoJSON object (no \"type\")")
        }
        let features: [Any]
        switch type {
        case "FeatureCollection":
            guard let list = object["features"] as? [Any] else {
                throw ReadError(file: file, feature: nil, reason: "a FeatureCollection needs a \"features\" array")
            }
            features = list
        case "Feature": features = [object]
        case "Polygon", "MultiPolygon": features = [["type": "Feature", "geometry": object, "properties": [:]]]
        default:
            throw ReadError(
                file: file, feature: nil,
                reason: "type \(type) is not a Polygon, MultiPolygon, Feature or FeatureCollection")
        }
        guard !features.isEmpty else { throw ReadError(file: file, feature: nil, reason: "no features") }
        return try features.enumerated().map { k, f in
            do {
                return try boundary(f, number: k + 1)
            } catch let reason as Reason {
                throw ReadError(file: file, feature: k + 1, reason: reason.text)
            }
        }
    }

    private struct Reason: Error { var text: String }

    private static func boundary(_ value: Any, number: Int) throws -> Boundary {
        guard let feature = value as? [String: Any], feature["type"] as? String == "Feature" else {
            throw Reason(text: "not a Feature")
        }
        let properties = feature["properties"] as? [String: Any] ?? [:]
        let name =
            ["name", "Name", "NAME", "title"].lazy.compactMap { properties[$0] as? String }
            .first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "Area \(number)"
        guard let geometry = feature["geometry"] as? [String: Any], let type = geometry["type"] as? String else {
            throw Reason(text: "no geometry")
        }
        let coordinates = geometry["coordinates"]
        switch type {
        case "Polygon":
            return Boundary(name: name, polygons: [try polygon(coordinates, label: "polygon")])
        case "MultiPolygon":
            guard let list = coordinates as? [Any], !list.isEmpty else {
                throw Reason(text: "MultiPolygon has no polygons")
            }
            return Boundary(
                name: name, polygons: try list.enumerated().map { try polygon($1, label: "polygon \($0 + 1)") })
        default:
            throw Reason(text: "geometry \(type) is not an area; use Polygon or MultiPolygon")
        }
    }

    private static func polygon(_ value: Any?, label: String) throws -> [[GeoPoint]] {
        guard let rings = value as? [Any], !rings.isEmpty else { throw Reason(text: "\(label) has no rings") }
        return try rings.enumerated().map { r, ring in
            let where_ = "ring \(r + 1) of \(label)"
            guard let positions = ring as? [Any] else { throw Reason(text: "\(where_) is not an array of positions") }
            let points = try positions.enumerated().map { i, p -> GeoPoint in
                guard let pair = p as? [Any], pair.count >= 2, let lon = (pair[0] as? NSNumber)?.doubleValue,
                    let lat = (pair[1] as? NSNumber)?.doubleValue
                else { throw Reason(text: "position \(i + 1) of \(where_) is not [longitude, latitude]") }
                guard abs(lon) <= 180, abs(lat) <= 90 else {
                    throw Reason(
                        text: "position \(i + 1) of \(where_) is (\(lon), \(lat)), outside longitude/latitude range;"
                            + " RFC 7946 GeoJSON is WGS84 degrees, not British National Grid metres")
                }
                return GeoPoint(longitude: lon, latitude: lat)
            }
            guard points.count >= 4 else {
                throw Reason(text: "\(where_) has \(points.count) positions; a ring needs at least 4")
            }
            guard points.first == points.last else {
                throw Reason(text: "\(where_) is not closed: its first and last positions differ")
            }
            return Array(points.dropLast())
        }
    }

    /// A coordinate for output: at most 6 decimal places (about 0.1 m), no exponent.
    public static func coordinate(_ v: Double) -> String {
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// A ring as a GeoJSON position array, closed as RFC 7946 requires; counter-clockwise
    /// when `outer`, clockwise otherwise (the RFC's right-hand rule).
    public static func ring(_ points: [GeoPoint], outer: Bool) -> String {
        var pts = points
        var twice = 0.0
        for i in 0..<pts.count {
            let a = pts[i], b = pts[(i + 1) % pts.count]
            twice += a.longitude * b.latitude - b.longitude * a.latitude
        }
        if (twice > 0) != outer { pts.reverse() }
        if let first = pts.first { pts.append(first) }
        return "[" + pts.map { "[\(coordinate($0.longitude)),\(coordinate($0.latitude))]" }.joined(separator: ",") + "]"
    }

    /// A MultiPolygon geometry object.
    public static func multiPolygon(_ polygons: [[[GeoPoint]]]) -> String {
        let body = polygons.map { rings in
            "[" + rings.enumerated().map { ring($1, outer: $0 == 0) }.joined(separator: ",") + "]"
        }
        return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + body.joined(separator: ",") + "]}"
    }

    /// A JSON string literal.
    public static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
