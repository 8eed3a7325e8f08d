import CrimeData
import Foundation
import Testing

@Suite("GeoJSON boundaries (RFC 7946)")
struct GeoJSONTests {
    func read(_ text: String) throws -> [GeoJSON.Boundary] {
        try GeoJSON.boundaries(from: Data(text.utf8), file: "areas.geojson")
    }

    let square = "[[1.29,52.62],[1.30,52.62],[1.30,52.63],[1.29,52.63],[1.29,52.62]]"

    @Test("a FeatureCollection of a Polygon with a hole and a MultiPolygon, names from properties")
    func reads() throws {
        let hole = "[[1.294,52.624],[1.296,52.624],[1.296,52.626],[1.294,52.626],[1.294,52.624]]"
        let b = try read(
            """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"name":"Market"},"geometry":{"type":"Polygon","coordinates":[\(square),\(hole)]}},
              {"type":"Feature","properties":{"NAME":"Two parts"},"geometry":{"type":"MultiPolygon","coordinates":[[\(square)],[\(square)]]}},
              {"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":[\(square)]}}]}
            """)
        #expect(b.map(\.name) == ["Market", "Two parts", "Area 3"])
        #expect(b[0].polygons.count == 1 && b[0].polygons[0].count == 2)
        #expect(b[0].polygons[0][0].count == 4, "the closing position is dropped")
        #expect(b[1].polygons.count == 2)
        #expect(try read("{\"type\":\"Polygon\",\"coordinates\":[\(square)]}").count == 1)
    }

    @Test(
        "every problem names the feature and what is wrong",
        arguments: [
            ("not json", "areas.geojson: not valid JSON"),
            ("{\"type\":\"Point\",\"coordinates\":[1,52]}", "type Point is not a Polygon"),
            ("{\"type\":\"FeatureCollection\",\"features\":[]}", "no features"),
            (
                "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,52],[2,53]]}}",
                "feature 1: geometry LineString is not an area"
            ),
            (
                "{\"type\":\"Polygon\",\"coordinates\":[[[1.29,52.62],[1.30,52.62],[1.30,52.63],[1.29,52.63]]]}",
                "feature 1: ring 1 of polygon is not closed"
            ),
            (
                "{\"type\":\"Polygon\",\"coordinates\":[[[622000,308000],[623000,308000],[623000,309000],[622000,308000]]]}",
                "not British National Grid metres"
            ),
            (
                "{\"type\":\"Polygon\",\"coordinates\":[[[1.29,52.62],[1.30,52.62],[1.29,52.62]]]}",
                "a ring needs at least 4"
            ),
            (
                "{\"type\":\"Polygon\",\"coordinates\":[[[1.29,52.62],[\"x\",52.62],[1.30,52.63],[1.29,52.62]]]}",
                "position 2 of ring 1 of polygon is not [longitude, latitude]"
            ),
        ])
    func errors(text: String, expected: String) {
        do {
            _ = try read(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test("written rings are closed, counter-clockwise outside and clockwise for holes")
    func writes() throws {
        let clockwise = [
            GeoPoint(longitude: 0, latitude: 0), GeoPoint(longitude: 0, latitude: 1),
            GeoPoint(longitude: 1, latitude: 1),
        ]
        #expect(GeoJSON.ring(clockwise, outer: true) == "[[1,1],[0,1],[0,0],[1,1]]")
        #expect(GeoJSON.ring(clockwise, outer: false) == "[[0,0],[0,1],[1,1],[0,0]]")
        let back = try read(GeoJSON.multiPolygon([[clockwise]]))
        #expect(Set(back[0].polygons[0][0]) == Set(clockwise))
        #expect(GeoJSON.string("a \"b\"\n") == "\"a \\\"b\\\"\\n\"")
        #expect(GeoJSON.coordinate(1.2345678) == "1.234568" && GeoJSON.coordinate(-2.5) == "-2.5")
    }

    @Test("CSV writing quotes only where RFC 4180 needs it")
    func csv() {
        #expect(CSVWriter.record(["a", "b,c", "say \"hi\"", "x\ny"]) == "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n")
    }
}
