import CrimeData
import Foundation

/// Clips polygon rings to a rectangle (Sutherland–Hodgman), for drawing a large shape, such
/// as a coastline, inside a map's frame. A concave ring may come back with zero-width bridges
/// along the rectangle's edge: right for a fill, and the edge is the frame's own line.
public enum RingClip {
    /// The part of `ring` inside `box`; empty when nothing of it is inside. The ring need not
    /// repeat its first point at the end, and the result does not.
    public static func clip(_ ring: [GridPoint], to box: Extent) -> [GridPoint] {
        var out = ring
        if out.count > 1, out.first == out.last { out.removeLast() }
        out = cut(out, inside: { $0.easting >= box.minEasting }) { a, b in cross(a, b, easting: box.minEasting) }
        out = cut(out, inside: { $0.easting <= box.maxEasting }) { a, b in cross(a, b, easting: box.maxEasting) }
        out = cut(out, inside: { $0.northing >= box.minNorthing }) { a, b in cross(a, b, northing: box.minNorthing) }
        out = cut(out, inside: { $0.northing <= box.maxNorthing }) { a, b in cross(a, b, northing: box.maxNorthing) }
        return out.count >= 3 ? out : []
    }

    private static func cut(
        _ ring: [GridPoint], inside: (GridPoint) -> Bool, crossing: (GridPoint, GridPoint) -> GridPoint
    ) -> [GridPoint] {
        guard let last = ring.last else { return [] }
        var out: [GridPoint] = []
        out.reserveCapacity(ring.count + 4)
        var previous = last
        var previousInside = inside(last)
        for p in ring {
            let pInside = inside(p)
            if pInside {
                if !previousInside { out.append(crossing(previous, p)) }
                out.append(p)
            } else if previousInside {
                out.append(crossing(previous, p))
            }
            previous = p
            previousInside = pInside
        }
        return out
    }

    private static func cross(_ a: GridPoint, _ b: GridPoint, easting e: Double) -> GridPoint {
        let t = (e - a.easting) / (b.easting - a.easting)
        return GridPoint(easting: e, northing: a.northing + t * (b.northing - a.northing))
    }

    private static func cross(_ a: GridPoint, _ b: GridPoint, northing n: Double) -> GridPoint {
        let t = (n - a.northing) / (b.northing - a.northing)
        return GridPoint(easting: a.easting + t * (b.easting - a.easting), northing: n)
    }
}
