@testable import App
import Analytics
import CrimeData
import Foundation
import Testing
import VaporTesting

/// The bundled context layers and the route that serves them.
@Suite("map context layers")
struct MapContextTests {
    struct Collection: Decodable {
        struct Feature: Decodable {
            struct Properties: Decodable {
                var layer: String
                var name: String
                var code: String?
            }
            var properties: Properties
        }
        var features: [Feature]
        var attribution: String
    }

    /// Norfolk's box in BNG metres, and a box of central Norwich.
    static let norfolk = "560000,270000,660000,350000"
    static let norwich = "620000,300000,632000,314000"

    @Test("the bundled layers: land, every local authority of England and Wales, Norfolk's LSOAs")
    func bundled() {
        let c = MapContext.bundled
        #expect(c.land.count > 10, "Great Britain and its islands")
        #expect(c.authorities.count == 331, "the 2011 local authority districts of England and Wales")
        #expect(c.lsoas.count == 538, "Norfolk's 2011 LSOAs")
        let norwich = GridPoint(easting: 623_000, northing: 308_500)
        #expect(c.land.contains { $0.contains(norwich) }, "Norwich is on land")
        #expect(
            !c.land.contains { $0.contains(GridPoint(easting: 680_000, northing: 320_000)) }, "the North Sea is not")
        let owner = c.authorities.filter { $0.shape.contains(norwich) }.map(\.name)
        #expect(owner == ["Norwich"], "the city centre lies in Norwich alone: \(owner)")
    }

    @Test("the route serves the layers for a box, LSOAs only when zoomed in, and refuses bad boxes")
    func route() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/maps/context.geojson?bbox=\(Self.norfolk)") { res async throws in
                #expect(res.status == .ok)
                #expect(res.headers.contentType?.description.hasPrefix("application/geo+json") == true)
                let c = try JSONDecoder().decode(Collection.self, from: Data(buffer: res.body))
                let layers = Set(c.features.map(\.properties.layer))
                #expect(layers == ["land", "authority"], "no LSOAs on a county-wide box: \(layers)")
                let names = Set(c.features.map(\.properties.name))
                #expect(names.isSuperset(of: ["Norwich", "Breckland", "North Norfolk", "Great Yarmouth"]))
                #expect(c.attribution.contains("GSHHG"))
            }
            try await app.testing().test(.GET, "/maps/context.geojson?bbox=\(Self.norwich)") { res async throws in
                let c = try JSONDecoder().decode(Collection.self, from: Data(buffer: res.body))
                let lsoas = c.features.filter { $0.properties.layer == "lsoa" }
                #expect(lsoas.count > 20, "the city's LSOAs: \(lsoas.count)")
                #expect(lsoas.allSatisfy { $0.properties.code?.hasPrefix("E01") == true })
            }
            try await app.testing().test(.GET, "/maps/context.geojson?bounds=1.2,52.6,1.35,52.66") { res async throws in
                #expect(res.status == .ok, "a box in degrees, as a panned map asks")
            }
            for bad in [
                "bbox=1,2,3", "bbox=0,0,50,50", "bbox=0,0,2000000,2000000", "bbox=nan,0,1000,1000",
                "bbox=5000,5000,0,0", "bounds=100,0,120,10", "bounds=1,52,1,52", "",
            ] {
                try await app.testing().test(.GET, "/maps/context.geojson?\(bad)") { res async in
                    #expect(res.status == .badRequest, "\(bad)")
                }
            }
        }
    }

    @Test("an SVG map of Norfolk draws land, sea and boundaries inside its frame, and keeps labels apart")
    func svgMap() {
        let extent = Extent(minEasting: 560_000, minNorthing: 270_000, maxEasting: 660_000, maxNorthing: 350_000)
        let labels = ["Norwich", "Norwich again", "Cromer", "Far away"].enumerated().map { k, text in
            SVGMap.Label(
                point: k == 3
                    ? GridPoint(easting: 100_000, northing: 100_000)
                    : GridPoint(easting: k == 2 ? 622_000 : 623_000, northing: k == 2 ? 342_000 : 308_500),
                text: text)
        }
        // An outline without a name (a buffer ring) takes no room from the names near it.
        let ring = AreaShape.circle(centre: GridPoint(easting: 623_000, northing: 308_600), radius: 300)
        let map = SVGMap(extent: extent, outlines: [.init(shape: ring, label: "", href: nil)], labels: labels)
        let svg = map.render(title: "Norfolk", description: "context")
        #expect(svg.contains("class=\"land\""))
        #expect(svg.contains("class=\"authorities\""))
        #expect(!svg.contains("class=\"lsoas\""), "no LSOA lines on a county map")
        #expect(svg.contains("fill=\"#dcebf5\""), "sea around the land")
        let placed = map.placedLabels().map(\.0.text)
        #expect(placed == ["Norwich", "Cromer"], "the overlapping and the outside label are left off: \(placed)")
        let town = SVGMap(
            extent: Extent(minEasting: 620_000, minNorthing: 300_000, maxEasting: 632_000, maxNorthing: 314_000))
        #expect(town.render(title: "Norwich", description: "context").contains("class=\"lsoas\""))
    }
}
