import Analytics
import CrimeData
import Testing

@Suite("area shapes: point in polygon, area, circles")
struct AreaShapeTests {
    func p(_ e: Double, _ n: Double) -> GridPoint { GridPoint(easting: e, northing: n) }

    @Test("holes are outside; a second polygon is inside; a concave notch is outside")
    func containment() throws {
        let outer = [p(0, 0), p(100, 0), p(100, 100), p(0, 100)]
        let hole = [p(40, 40), p(60, 40), p(60, 60), p(40, 60)]
        let notched = [p(200, 0), p(300, 0), p(300, 100), p(250, 50), p(200, 100)]
        let shape = try AreaShape(polygons: [[outer, hole], [notched]])
        #expect(shape.contains(p(10, 10)))
        #expect(!shape.contains(p(50, 50)), "in the hole")
        #expect(shape.contains(p(250, 20)))
        #expect(!shape.contains(p(250, 90)), "in the notch")
        #expect(!shape.contains(p(150, 50)), "between the polygons")
        let expected: Double = 10_000 - 400 + (10_000 - 2_500)
        #expect(shape.squareMetres == expected)
    }

    @Test("a 96-sided circle: area within 0.1% of πr², centre inside, 801 m outside")
    func circle() {
        let c = AreaShape.circle(centre: p(622_832, 308_540), radius: 800)
        #expect(abs(c.squareMetres / (Double.pi * 640_000) - 1) < 0.001)
        #expect(c.contains(p(622_832, 308_540)))
        #expect(c.contains(p(622_832 + 795, 308_540)))
        #expect(!c.contains(p(622_832 + 801, 308_540)))
        #expect(abs(c.centroid.easting - 622_832) < 1e-6 && abs(c.centroid.northing - 308_540) < 1e-6)
    }

    @Test("distance: 0 inside, to the nearest edge outside (square and 96-sided circle)")
    func distance() throws {
        let square = try AreaShape(polygons: [[[p(0, 0), p(100, 0), p(100, 100), p(0, 100)]]])
        #expect(square.distance(to: p(50, 50)) == 0)
        #expect(square.distance(to: p(150, 50)) == 50)
        #expect(abs(square.distance(to: p(103, 104)) - 5) < 1e-12, "to the corner: a 3-4-5 triangle")
        #expect(square.boundsDistance(to: p(103, 104)) == 5)
        let c = AreaShape.circle(centre: p(622_832, 308_540), radius: 800)
        // Vertices lie on the circle, so edges are at most r(1 − cos(π/96)) ≈ 0.43 m inside it.
        #expect(abs(c.distance(to: p(622_832 + 1_600, 308_540)) - 800) < 0.5)
        #expect(abs(c.distance(to: p(622_832, 308_540 - 1_000)) - 200) < 0.5)
    }
}
