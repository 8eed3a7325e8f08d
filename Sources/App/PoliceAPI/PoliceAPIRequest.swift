import Analytics
import CrimeData
import Vapor

/// Where a police.uk method looks: a one-mile circle round `lat`/`lng`, or the `poly`
/// polygon; in British National Grid metres, as the stored incidents are.
struct PoliceAPIRegion: Sendable {
    static let oneMile = 1_609.344

    enum Shape: Sendable {
        case circle(centre: GridPoint, radius: Double)
        case polygon(BandedRing)
    }

    var shape: Shape
    var bounds: Extent

    init(centre: GeoPoint, radius: Double = Self.oneMile) {
        let c = BritishNationalGrid.grid(from: centre)
        shape = .circle(centre: c, radius: radius)
        bounds = Extent(
            minEasting: c.easting - radius, minNorthing: c.northing - radius,
            maxEasting: c.easting + radius, maxNorthing: c.northing + radius)
    }

    init(polygon points: [(latitude: Double, longitude: Double)]) throws {
        let ring = points.map {
            BritishNationalGrid.grid(from: GeoPoint(longitude: $0.longitude, latitude: $0.latitude))
        }
        guard let banded = BandedRing(ring) else {
            throw Abort(.badRequest, reason: "the place asked for is too far from the United Kingdom to search")
        }
        shape = .polygon(banded)
        bounds = banded.bounds
    }

    @inline(__always)
    func contains(easting e: Double, northing n: Double) -> Bool {
        guard e >= bounds.minEasting, e <= bounds.maxEasting, n >= bounds.minNorthing, n <= bounds.maxNorthing else {
            return false
        }
        switch shape {
        case .circle(let c, let r):
            let dx = e - c.easting, dy = n - c.northing
            return dx * dx + dy * dy <= r * r
        case .polygon(let ring):
            return ring.contains(GridPoint(easting: e, northing: n))
        }
    }

    func contains(latitude: Double, longitude: Double) -> Bool {
        let g = BritishNationalGrid.grid(from: GeoPoint(longitude: longitude, latitude: latitude))
        return contains(easting: g.easting, northing: g.northing)
    }

    /// A latitude/longitude box round the region, for a first cut in SQL on tables that
    /// keep only WGS84 coordinates (outcomes, stop and search). Padded by 0.01°.
    var geoBox: (minLat: Double, maxLat: Double, minLng: Double, maxLng: Double) {
        let corners = [
            GridPoint(easting: bounds.minEasting, northing: bounds.minNorthing),
            GridPoint(easting: bounds.maxEasting, northing: bounds.minNorthing),
            GridPoint(easting: bounds.minEasting, northing: bounds.maxNorthing),
            GridPoint(easting: bounds.maxEasting, northing: bounds.maxNorthing),
        ].map(BritishNationalGrid.geo(from:))
        return (
            corners.map(\.latitude).min()! - 0.01, corners.map(\.latitude).max()! + 0.01,
            corners.map(\.longitude).min()! - 0.01, corners.map(\.longitude).max()! + 0.01
        )
    }
}

/// The parameters of a police.uk method, read from the query string and, for POST, from
/// the form body (police.uk accepts `poly` by POST for long polygons). A bad value is a
/// 400, as on police.uk.
struct PoliceAPIParameters {
    let request: Request
    /// The POST form, decoded once (a 10,000-point `poly` is a quarter of a megabyte: decoding
    /// it again for every parameter asked for cost more than the search itself).
    private let form: [String: String]

    init(request: Request) {
        self.request = request
        form = request.method == .POST ? Self.decodedForm(request) : [:]
    }

    private struct FormKey: StorageKey { typealias Value = [String: String] }

    private static func decodedForm(_ request: Request) -> [String: String] {
        if let cached = request.storage[FormKey.self] { return cached }
        let form = (try? request.content.decode([String: String].self)) ?? [:]
        request.storage[FormKey.self] = form
        return form
    }

    func string(_ name: String) -> String? {
        if let value = form[name], !value.isEmpty { return value }
        guard let value = request.query[String.self, at: name], !value.isEmpty else { return nil }
        return value
    }

    /// `date=YYYY-MM`, or nil when absent.
    func month() throws -> Int? {
        guard let text = string("date") else { return nil }
        guard let month = ByteParsing.month(text) else {
            throw Abort(.badRequest, reason: "date must be a month written YYYY-MM, e.g. 2024-01 (got “\(text)”)")
        }
        return month
    }

    func coordinate(_ name: String, range: ClosedRange<Double>) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw Abort(
                .badRequest,
                reason: "\(name) must be a number of degrees in \(range.lowerBound)…\(range.upperBound) (got “\(text)”)"
            )
        }
        return value
    }

    /// `lat` and `lng` together, or nil when neither is given.
    func point() throws -> GeoPoint? {
        let lat = try coordinate("lat", range: -90...90), lng = try coordinate("lng", range: -180...180)
        switch (lat, lng) {
        case (let lat?, let lng?): return GeoPoint(longitude: lng, latitude: lat)
        case (nil, nil): return nil
        default: throw Abort(.badRequest, reason: "lat and lng go together: give both, or a poly")
        }
    }

    /// The one-mile circle round `lat`/`lng`, or the `poly` polygon.
    func region() throws -> PoliceAPIRegion {
        let region: PoliceAPIRegion
        if let poly = string("poly") {
            do {
                region = try PoliceAPIRegion(polygon: try PolicePolygon.parse(poly))
            } catch let error as PolicePolygon.ParseError {
                throw Abort(.badRequest, reason: error.description)
            }
        } else {
            guard let point = try point() else {
                throw Abort(.badRequest, reason: "give lat and lng (a one-mile circle) or poly (lat,lng:lat,lng:…)")
            }
            region = PoliceAPIRegion(centre: point)
        }
        // The National Grid has no sensible coordinates for points far from Britain.
        let b = region.bounds, box = region.geoBox
        guard
            [b.minEasting, b.maxEasting, b.minNorthing, b.maxNorthing, box.minLat, box.maxLat, box.minLng, box.maxLng]
                .allSatisfy(\.isFinite)
        else {
            throw Abort(.badRequest, reason: "the place asked for is too far from the United Kingdom to search")
        }
        return region
    }

    func required(_ name: String) throws -> String {
        guard let value = string(name) else { throw Abort(.badRequest, reason: "\(name) is required") }
        return value
    }

    /// `location_id`: a map point id as the other methods give it.
    func locationID() throws -> Int64? {
        guard let text = string("location_id") else { return nil }
        guard let id = Int64(text), PoliceLocationID.point(of: id) != nil else {
            throw Abort(
                .badRequest, reason: "location_id must be a location id as the other methods return it (got “\(text)”)")
        }
        return id
    }
}

/// A JSON array answered from already-encoded objects: one buffer for small answers,
/// streamed in 256 KiB chunks for large ones, so a whole force's month never sits in
/// memory as one response.
enum PoliceAPIBody {
    static let chunk = 256 * 1024

    static func response(parts: [ArraySlice<UInt8>]) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        let total = parts.reduce(2) { $0 + $1.count + 1 }
        if total <= chunk {
            var buffer = ByteBufferAllocator().buffer(capacity: total)
            write(parts, into: &buffer)
            return Response(status: .ok, headers: headers, body: .init(buffer: buffer))
        }
        return Response(
            status: .ok, headers: headers,
            body: .init(asyncStream: { writer in
                do {
                    try await stream(parts, to: writer)
                } catch {
                    // The client went away, or the connection failed: end the stream with the error.
                    try? await writer.write(.error(error))
                }
            }))
    }

    static func stream(_ parts: [ArraySlice<UInt8>], to writer: any AsyncBodyStreamWriter) async throws {
        var start = 0
        while start < parts.count {
            var buffer = ByteBufferAllocator().buffer(capacity: chunk + 4096)
            if start == 0 { buffer.writeInteger(UInt8(ascii: "[")) }
            var end = start
            while end < parts.count, buffer.readableBytes < chunk {
                if end > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                buffer.writeBytes(parts[end])
                end += 1
            }
            if end == parts.count { buffer.writeInteger(UInt8(ascii: "]")) }
            try await writer.write(.buffer(buffer))
            start = end
        }
        try await writer.write(.end)
    }

    static func write(_ parts: [ArraySlice<UInt8>], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "["))
        for (n, part) in parts.enumerated() {
            if n > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeBytes(part)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// One JSON value already written as bytes.
    static func value(_ bytes: [UInt8]) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes)))
    }

    /// A list of objects each written by `write`.
    static func array<T>(_ items: [T], write: (T, inout [UInt8]) -> Void) -> Response {
        var out: [UInt8] = []
        PoliceAPIJSON.array(items, to: &out, write)
        return value(out)
    }
}
