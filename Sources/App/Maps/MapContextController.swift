import Analytics
import CrimeData
import Vapor

/// The bundled context layers (land, local authorities, LSOAs) for the interactive maps, as
/// GeoJSON for a box of British National Grid metres, `?bbox=minE,minN,maxE,maxN`, or of
/// WGS84 degrees, `?bounds=west,south,east,north`.
struct MapContextController: Sendable {
    let context: MapContext

    struct Query: Decodable {
        var bbox: String?
        /// West, south, east, north in WGS84 degrees: what a panned interactive map asks for.
        var bounds: String?
    }

    static func numbers(_ text: String?) -> [Double]? {
        let parts = (text ?? "").split(separator: ",", omittingEmptySubsequences: false).compactMap {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        return parts.count == 4 && parts.allSatisfy(\.isFinite) ? parts : nil
    }

    /// The British National Grid box around a WGS84 box within Great Britain's reach.
    static func box(bounds text: String?) throws -> Extent {
        guard let b = numbers(text), b[0] >= -12, b[2] <= 4, b[1] >= 48, b[3] <= 62, b[0] < b[2], b[1] < b[3] else {
            throw Abort(
                .badRequest,
                reason:
                    "bounds must be four numbers: west, south, east, north (WGS84 degrees, within 12°W–4°E, 48°N–62°N)")
        }
        let corners = [(b[0], b[1]), (b[0], b[3]), (b[2], b[1]), (b[2], b[3])].map {
            BritishNationalGrid.grid(from: GeoPoint(longitude: $0.0, latitude: $0.1))
        }
        guard let box = Extent(points: corners.map { ($0.easting, $0.northing) }) else {
            throw Abort(.badRequest, reason: "bounds could not be placed on the British National Grid")
        }
        return try checked(box, "bounds")
    }

    /// Boxes from 100 m to 1,000 km a side, inside the grid's range.
    static func box(_ text: String?) throws -> Extent {
        guard let p = numbers(text), p.allSatisfy({ $0 >= -1_000_000 && $0 <= 2_000_000 }) else {
            throw Abort(
                .badRequest,
                reason:
                    "bbox must be four numbers: minimum easting, minimum northing, maximum easting, maximum northing (British National Grid metres)"
            )
        }
        return try checked(Extent(minEasting: p[0], minNorthing: p[1], maxEasting: p[2], maxNorthing: p[3]), "bbox")
    }

    /// Refuses a box under 100 m or over 1,000 km on a side (or given maximum first).
    private static func checked(_ box: Extent, _ name: String) throws -> Extent {
        guard box.width >= 100, box.height >= 100, box.width <= 1_000_000, box.height <= 1_000_000 else {
            throw Abort(.badRequest, reason: "\(name) must be between 100 m and 1,000 km on each side, minimum first")
        }
        return box
    }

    @Sendable func geoJSON(req: Request) async throws -> Response {
        let q = try req.query.decode(Query.self)
        let box = q.bounds != nil && q.bbox == nil ? try Self.box(bounds: q.bounds) : try Self.box(q.bbox)
        let body = context.geoJSON(in: box)
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "geo+json")
        // The layers change only with a new release.
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=86400")
        return response
    }
}
