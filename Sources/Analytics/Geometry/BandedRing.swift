import CrimeData

/// Point-in-polygon for one ring in O(edges in the point's band) rather than O(all edges):
/// the ring's edges are sorted into horizontal bands of its bounding box, an edge into
/// every band its northing span touches. The answer is exactly the crossing-number rule of
/// `AreaShape.contains`, so the two agree on every point; this one stays fast for rings of
/// thousands of vertices (a police.uk `poly` of 10,000 points costs a few edges a test).
public struct BandedRing: Sendable {
    public let bounds: Extent
    private let bandCount: Int
    private let bandHeight: Double
    /// Band k's edges are `edges[offsets[k]..<offsets[k + 1]]`, each (ax, ay, bx, by).
    private let offsets: [Int]
    private let edges: [(Double, Double, Double, Double)]

    /// `ring` need not repeat its first point; it needs at least three points.
    public init?(_ ring: [GridPoint]) {
        guard ring.count >= 3, let bounds = Extent(points: ring.map { ($0.easting, $0.northing) }),
            bounds.minNorthing.isFinite, bounds.maxNorthing.isFinite
        else { return nil }
        self.bounds = bounds
        let count = max(1, min(4096, ring.count / 2))
        let height = max((bounds.maxNorthing - bounds.minNorthing) / Double(count), 1e-9)
        bandCount = count
        bandHeight = height
        func band(_ n: Double) -> Int { max(0, min(count - 1, Int((n - bounds.minNorthing) / height))) }
        var lists = [[(Double, Double, Double, Double)]](repeating: [], count: count)
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            j = i
            guard a.northing != b.northing else { continue }  // horizontal edges never cross
            for k in band(min(a.northing, b.northing))...band(max(a.northing, b.northing)) {
                lists[k].append((a.easting, a.northing, b.easting, b.northing))
            }
        }
        var offsets = [0]
        offsets.reserveCapacity(count + 1)
        for list in lists { offsets.append(offsets[offsets.count - 1] + list.count) }
        self.offsets = offsets
        edges = lists.flatMap { $0 }
    }

    /// Whether the point is inside the ring (even-odd rule, as `AreaShape.contains`).
    @inlinable
    public func contains(_ p: GridPoint) -> Bool {
        guard bounds.contains(easting: p.easting, northing: p.northing) else { return false }
        return crossings(p)
    }

    @usableFromInline
    func crossings(_ p: GridPoint) -> Bool {
        let k = max(0, min(bandCount - 1, Int((p.northing - bounds.minNorthing) / bandHeight)))
        var inside = false
        for i in offsets[k]..<offsets[k + 1] {
            let (ax, ay, bx, by) = edges[i]
            if (ay > p.northing) != (by > p.northing) {
                let x = ax + (p.northing - ay) * (bx - ax) / (by - ay)
                if p.easting < x { inside.toggle() }
            }
        }
        return inside
    }
}
