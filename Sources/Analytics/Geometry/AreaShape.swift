import CrimeData
import Foundation

/// The outline of an area in British National Grid metres: one or more polygons, each an
/// outer ring followed by any holes (the structure of a GeoJSON MultiPolygon). Rings need
/// not repeat their first point at the end.
public struct AreaShape: Sendable, Hashable, Codable {
    public var polygons: [[[GridPoint]]]
    public let bounds: Extent

    /// Every shape made from input comes through `GeoJSON` (which refuses a ring of fewer than
    /// four positions, closed, with a message naming it) or `circle` (at least 8 points);
    /// anything else without an outer ring of three points is refused.
    public init(polygons: [[[GridPoint]]]) throws {
        guard polygons.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.count >= 3 } }),
            let bounds = Extent(points: polygons.lazy.flatMap { $0[0] }.map { ($0.easting, $0.northing) })
        else { throw AnalyticsInputError("Every polygon of a shape needs an outer ring of at least three points.") }
        self.polygons = polygons
        self.bounds = bounds
    }

    private init(polygons: [[[GridPoint]]], bounds: Extent) {
        self.polygons = polygons
        self.bounds = bounds
    }

    /// A circle as a regular polygon of `segments` sides whose vertices lie on the circle.
    /// A radius under 1 m (or not a number) is drawn as 1 m, and fewer than 8 segments as 8.
    public static func circle(centre: GridPoint, radius: Double, segments: Int = 96) -> AreaShape {
        let radius = radius >= 1 ? radius : 1, segments = max(segments, 8)
        let ring = (0..<segments).map { k -> GridPoint in
            let a = 2 * Double.pi * Double(k) / Double(segments)
            return GridPoint(easting: centre.easting + radius * cos(a), northing: centre.northing + radius * sin(a))
        }
        // Its vertices lie on the circle: the square around it bounds them.
        return AreaShape(
            polygons: [[ring]],
            bounds: Extent(
                points: ring.map { ($0.easting, $0.northing) })
                ?? Extent(
                    minEasting: centre.easting - radius, minNorthing: centre.northing - radius,
                    maxEasting: centre.easting + radius, maxNorthing: centre.northing + radius))
    }

    /// Point in polygon by the even-odd (crossing number) rule over every ring of a
    /// polygon, so holes are excluded; true when inside any of the polygons. Points exactly
    /// on an edge may fall either side.
    @inlinable
    public func contains(_ p: GridPoint) -> Bool {
        guard bounds.contains(easting: p.easting, northing: p.northing) else { return false }
        for polygon in polygons {
            var inside = false
            for ring in polygon {
                var j = ring.count - 1
                for i in 0..<ring.count {
                    let a = ring[i], b = ring[j]
                    if (a.northing > p.northing) != (b.northing > p.northing) {
                        let x =
                            a.easting + (p.northing - a.northing) * (b.easting - a.easting) / (b.northing - a.northing)
                        if p.easting < x { inside.toggle() }
                    }
                    j = i
                }
            }
            if inside { return true }
        }
        return false
    }

    /// Area in square metres (shoelace formula; holes subtract).
    public var squareMetres: Double {
        polygons.reduce(0) { total, polygon in
            total
                + polygon.enumerated().reduce(0) { sum, item in
                    let (k, ring) = item
                    var twice = 0.0
                    let (e0, n0) = (bounds.minEasting, bounds.minNorthing)
                    for i in 0..<ring.count {
                        let a = ring[i], b = ring[(i + 1) % ring.count]
                        twice += (a.easting - e0) * (b.northing - n0) - (b.easting - e0) * (a.northing - n0)
                    }
                    return sum + (k == 0 ? 1 : -1) * abs(twice) / 2
                }
        }
    }

    /// The area-weighted centre of the outer rings (for labels). Computed relative to the
    /// south-west corner of the bounds, so national-grid magnitudes lose no precision.
    public var centroid: GridPoint {
        let (e0, n0) = (bounds.minEasting, bounds.minNorthing)
        var cx = 0.0, cy = 0.0, total = 0.0
        for polygon in polygons {
            let ring = polygon[0]
            for i in 0..<ring.count {
                let a = ring[i], b = ring[(i + 1) % ring.count]
                let (ax, ay, bx, by) = (a.easting - e0, a.northing - n0, b.easting - e0, b.northing - n0)
                let cross = ax * by - bx * ay
                cx += (ax + bx) * cross
                cy += (ay + by) * cross
                total += cross
            }
        }
        guard total != 0 else { return GridPoint(easting: e0, northing: n0) }
        return GridPoint(easting: e0 + cx / (3 * total), northing: n0 + cy / (3 * total))
    }

    /// Distance in metres from a point to the area: 0 inside, otherwise the shortest
    /// distance to any edge of any ring (point-to-segment, by projection clamped to the
    /// segment). Used for buffer (displacement) rings around treated areas.
    public func distance(to p: GridPoint) -> Double {
        if contains(p) { return 0 }
        var best = Double.infinity
        for polygon in polygons {
            for ring in polygon {
                var j = ring.count - 1
                for i in 0..<ring.count {
                    best = min(best, Self.segmentDistance(p, ring[j], ring[i]))
                    j = i
                }
            }
        }
        return best
    }

    /// The shortest distance from the point to the bounding box (0 inside it): a cheap
    /// lower bound for ``distance(to:)``.
    public func boundsDistance(to p: GridPoint) -> Double {
        let dx = max(bounds.minEasting - p.easting, 0, p.easting - bounds.maxEasting)
        let dy = max(bounds.minNorthing - p.northing, 0, p.northing - bounds.maxNorthing)
        return (dx * dx + dy * dy).squareRoot()
    }

    static func segmentDistance(_ p: GridPoint, _ a: GridPoint, _ b: GridPoint) -> Double {
        let (dx, dy) = (b.easting - a.easting, b.northing - a.northing)
        let (px, py) = (p.easting - a.easting, p.northing - a.northing)
        let length2 = dx * dx + dy * dy
        let t = length2 > 0 ? min(1, max(0, (px * dx + py * dy) / length2)) : 0
        let (ex, ey) = (px - t * dx, py - t * dy)
        return (ex * ex + ey * ey).squareRoot()
    }
}
