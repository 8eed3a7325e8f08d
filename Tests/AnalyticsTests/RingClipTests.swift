import CrimeData
import Testing

@testable import Analytics

/// Areas of the clipped rings against shapely 2's `Polygon.intersection(box).area`,
/// computed outside the project:
///   u = Polygon([(0,0),(10,0),(10,10),(7,10),(7,3),(3,3),(3,10),(0,10)]); u.intersection(box(2,1,12,8)).area == 36.0
///   t = Polygon([(0,0),(100,0),(50,80)]); t.intersection(box(20,10,200,40)).area == 1911.25
@Suite struct RingClipTests {
    func ring(_ xy: [(Double, Double)]) -> [GridPoint] { xy.map { GridPoint(easting: $0.0, northing: $0.1) } }

    func area(_ r: [GridPoint]) -> Double {
        var twice = 0.0
        for (i, p) in r.enumerated() {
            let q = r[(i + 1) % r.count]
            twice += p.easting * q.northing - q.easting * p.northing
        }
        return abs(twice) / 2
    }

    @Test func concaveRingKeepsTheAreaInsideTheBox() {
        let u = ring([(0, 0), (10, 0), (10, 10), (7, 10), (7, 3), (3, 3), (3, 10), (0, 10)])
        let clipped = RingClip.clip(u, to: Extent(minEasting: 2, minNorthing: 1, maxEasting: 12, maxNorthing: 8))
        #expect(abs(area(clipped) - 36.0) < 1e-9)
        #expect(clipped.allSatisfy { $0.easting >= 2 && $0.easting <= 12 && $0.northing >= 1 && $0.northing <= 8 })
    }

    @Test func triangleCutByABand() {
        let t = ring([(0, 0), (100, 0), (50, 80), (0, 0)])
        let clipped = RingClip.clip(t, to: Extent(minEasting: 20, minNorthing: 10, maxEasting: 200, maxNorthing: 40))
        #expect(abs(area(clipped) - 1911.25) < 1e-9)
    }

    @Test func ringOutsideOrInside() {
        let square = ring([(0, 0), (1, 0), (1, 1), (0, 1)])
        #expect(RingClip.clip(square, to: Extent(minEasting: 5, minNorthing: 5, maxEasting: 6, maxNorthing: 6)).isEmpty)
        #expect(
            RingClip.clip(square, to: Extent(minEasting: -1, minNorthing: -1, maxEasting: 2, maxNorthing: 2)) == square)
        #expect(RingClip.clip([], to: Extent(minEasting: 0, minNorthing: 0, maxEasting: 1, maxNorthing: 1)).isEmpty)
    }
}
