@testable import CrimeData
import Testing

@Suite("police.uk poly parameter")
struct PolicePolygonTests {
    @Test("pairs with spaces, exponents, empty pairs and a trailing colon; each bad point named")
    func parsing() throws {
        let points = try PolicePolygon.parse(" 52.6286 , 1.2925:52.64,1.30::5.262e1,1.31:")
        #expect(points.count == 3)
        #expect(points[0] == (52.6286, 1.2925) && points[2].latitude == 52.62)
        #expect(
            throws: PolicePolygon.ParseError(
                description: "poly: point 2 (“52.64;1.30”) is not “latitude,longitude” in degrees")
        ) {
            try PolicePolygon.parse("52.6,1.2:52.64;1.30:52.62,1.31")
        }
        #expect(throws: PolicePolygon.ParseError.self) { try PolicePolygon.parse("52.6,1.2,3:52.64,1.30:52.62,1.31") }
        #expect(throws: PolicePolygon.ParseError.self) { try PolicePolygon.parse("95,1:52.64,1.30:52.62,1.31") }
        #expect(throws: PolicePolygon.ParseError.self) { try PolicePolygon.parse("nan,1:52.64,1.30:52.62,1.31") }
        #expect(throws: PolicePolygon.ParseError.self) { try PolicePolygon.parse("52.6,1.2:52.64,1.30") }
    }

    @Test("more than 10,000 points is refused before any is parsed")
    func limit() throws {
        let ring = (0..<PolicePolygon.maximumPoints).map { k in "52.\(k % 1000),1.\(k % 997)" }
        #expect(try PolicePolygon.parse(ring.joined(separator: ":")).count == PolicePolygon.maximumPoints)
        #expect(throws: PolicePolygon.ParseError.self) {
            try PolicePolygon.parse((ring + ["52.6,1.2"]).joined(separator: ":"))
        }
    }
}
