@testable import App
import Analytics
import CrimeData
import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Testing
import VaporTesting

@Suite("hot spots and areas through HTTP, on three months of the Norfolk demo")
struct HotspotTests {
    /// Three demo months (about 20,000 street rows) and the eleven town-centre areas.
    func load(_ app: Application) async throws {
        let folder = app.scratch.appendingPathComponent("demo")
        _ = try NorfolkDemo().write(to: folder, months: 3)
        let report = try await app.importFiles(folder.path)
        #expect(report.rejected == 0)
        try await NorfolkDemo.createTownAreas(on: app.db)
    }

    static let query = "force=norfolk&from=2022-10&to=2022-12"

    @Test("page, GeoJSON, CSV and SVG agree; hot cells are in the towns; parameters are recorded")
    func downloads() async throws {
        try await withTestApp { app in
            try await load(app)
            try await app.testing().test(.GET, "/hotspots?\(Self.query)") { res async in
                #expect(res.status == .ok)
                let html = res.body.string
                #expect(html.contains("<svg"))
                #expect(html.contains("Hot spot, 99% confidence"))
                #expect(html.contains("hot-spot cells hold"))
                #expect(html.contains("Norwich town centre"), "town outlines are labelled")
            }
            var features: [[String: Any]] = []
            try await app.testing().test(.GET, "/hotspots/cells.geojson?\(Self.query)&cell=500") { res async throws in
                #expect(res.status == .ok)
                #expect(res.headers.contentType?.description == "application/geo+json")
                let root = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(root["type"] as? String == "FeatureCollection")
                let parameters = try #require(root["parameters"] as? [String: String])
                #expect(parameters["cell_size_m"] == "500")
                #expect(parameters["correction"] == "fdr")
                #expect(parameters["neighbourhood_cells"] == "9")
                features = try #require(root["features"] as? [[String: Any]])
            }
            #expect(features.count > 100)
            let norwich = GridPoint(easting: 622_832, northing: 308_540)
            var hotNearNorwich = 0
            for f in features {
                let geometry = try #require(f["geometry"] as? [String: Any])
                let ring = try #require((geometry["coordinates"] as? [[[Double]]])?.first)
                #expect(ring.count == 5 && ring.first! == ring.last!, "a closed square")
                let props = try #require(f["properties"] as? [String: Any])
                let cls = try #require(props["class"] as? String)
                #expect(HotspotClass.allCases.map(\.slug).contains(cls))
                if cls == "hot-99" {
                    let c = BritishNationalGrid.grid(from: GeoPoint(longitude: ring[0][0], latitude: ring[0][1]))
                    if c.distance(to: norwich) < 2_500 { hotNearNorwich += 1 }
                }
            }
            #expect(hotNearNorwich > 0, "Norwich city centre is a hot spot")
            try await app.testing().test(.GET, "/hotspots/cells.csv?\(Self.query)&cell=500") { res async in
                let lines = res.body.string.split(separator: "\r\n")
                #expect(lines.count == features.count + 1)
                #expect(lines[0] == Substring(HotspotExport.csvHeader.joined(separator: ",")))
            }
            try await app.testing().test(.GET, "/hotspots/map.svg?\(Self.query)&cell=500") { res async in
                #expect(res.headers.contentType?.description == "image/svg+xml")
                let parser = XMLParser(data: Data(buffer: res.body))
                #expect(parser.parse(), "the SVG is well-formed XML")
            }
        }
    }

    @Test("emerging and density views, an area, and problems shown on the page")
    func viewsAndProblems() async throws {
        try await withTestApp { app in
            try await load(app)
            try await app.testing().test(
                .GET, "/hotspots?\(Self.query)&view=emerging&area=norwich-town-centre&cell=150"
            ) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("Emerging patterns"))
                #expect(res.body.string.contains("in Norwich town centre"))
            }
            try await app.testing().test(.GET, "/hotspots?\(Self.query)&view=density") { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("Incidents per km²"))
            }
            try await app.testing().test(.GET, "/hotspots?\(Self.query)&cell=25") { res async in
                #expect(res.body.string.contains("more than the 4,000,000 allowed"))
            }
            try await app.testing().test(.GET, "/hotspots?\(Self.query)&cell=5&correction=maybe&view=3d") { res async in
                #expect(res.status == .badRequest)
                let html = res.body.string
                #expect(html.contains("Cell size must be a number of metres"))
                #expect(html.contains("Correction must be fdr, holm or none"))
                #expect(html.contains("View must be classes, density or emerging"))
            }
            try await app.testing().test(.GET, "/api/v1/hotspots?\(Self.query)&area=atlantis") { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("There is no area"))
            }
            try await app.testing().test(.GET, "/api/v1/hotspots?\(Self.query)&cell=1000&correction=holm") {
                res async throws in
                #expect(res.status == .ok)
                let r = try JSONDecoder().decode(HotspotController.APIResult.self, from: Data(buffer: res.body))
                #expect(r.parameters["correction"] == "holm")
                #expect(r.cells.count == r.cellsInStudyArea)
                #expect(r.classCounts["hot-99"]! > 0)
            }
        }
    }

    @Test("areas: list, page, GeoJSON round trip, ranking of the town centres")
    func areas() async throws {
        try await withTestApp { app in
            try await load(app)
            try await app.testing().test(.GET, "/areas") { res async in
                #expect(res.status == .ok)
                for town in ["Norwich", "King&#39;s Lynn", "Great Yarmouth", "Thetford", "Cromer"] {
                    #expect(res.body.string.contains("\(town) town centre"), "\(town)")
                }
            }
            try await app.testing().test(.GET, "/areas/thetford-town-centre") { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("800 m radius"))
                #expect(res.body.string.contains("ASB by month"))
            }
            try await app.testing().test(.GET, "/areas/atlantis") { res async in #expect(res.status == .notFound) }
            try await app.testing().test(.GET, "/areas/boundaries.geojson") { res async throws in
                let boundaries = try GeoJSON.boundaries(from: Data(buffer: res.body), file: "download")
                #expect(boundaries.count == 11)
                let thetford = try #require(boundaries.first { $0.name == "Thetford town centre" })
                let shape = try AreaShape(
                    polygons: thetford.polygons.map { $0.map { $0.map(BritishNationalGrid.grid(from:)) } })
                let centre = try NorfolkDemo.townCentres().first { $0.name == "Thetford" }!.centre
                #expect(shape.contains(centre))
                #expect(abs(shape.squareMetres - Double.pi * 800 * 800) / (Double.pi * 800 * 800) < 0.005)
            }
            try await app.testing().test(.GET, "/api/v1/rankings?\(Self.query)&level=areas&sort=count") {
                res async throws in
                struct R: Decodable { struct Row: Decodable { var id: String; var count: Int }; var rows: [Row] }
                let r = try JSONDecoder().decode(R.self, from: Data(buffer: res.body))
                #expect(r.rows.count == 11)
                #expect(r.rows[0].id == "norwich-town-centre", "the city centre has the most ASB")
                // Boundary counts by point in polygon equal a direct count of incidents within 800 m.
                let centre = try NorfolkDemo.townCentres().first { $0.name == "Norwich" }!.centre
                let direct = try await app.scalar(
                    """
                    SELECT COUNT(*) AS n FROM incidents WHERE category_id = 1 AND month BETWEEN 202210 AND 202212
                      AND (easting - \(centre.easting)) * (easting - \(centre.easting))
                        + (northing - \(centre.northing)) * (northing - \(centre.northing)) < 799.0 * 799.0
                    """)
                #expect(
                    abs(r.rows[0].count - direct) <= direct / 200,
                    "\(r.rows[0].count) vs \(direct) (the 96-gon differs from the circle by < 0.1%)")
            }
        }
    }

    @Test("boundary areas are recounted by the import that changes the data, not by a page request")
    func recountAfterImport() async throws {
        try await withTestApp { app in
            try await NorfolkDemo.createTownAreas(on: app.db)
            let count =
                "SELECT COALESCE(SUM(c.count), 0) AS n FROM area_counts c JOIN areas a ON a.id = c.area_id WHERE a.slug = 'norwich-town-centre'"
            #expect(try await app.scalar(count) == 0)
            let rows = (0..<3).map { PoliceCSV.asb(month: "2025-06", location: "On or near Gentleman's Walk \($0)") }
            _ = try await app.importFiles(try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "june.csv"))
            #expect(try await app.scalar(count) == 3, "Gentleman's Walk is inside the Norwich town-centre circle")
        }
    }

    @Test("on a real police.uk month the hottest cells are the city centres: Leeds for all crime, Bradford for ASB")
    func realWestYorkshire() async throws {
        try await withTestApp { app in
            let path = try #require(
                Bundle.module.path(forResource: "2016-07-west-yorkshire-street", ofType: "csv", inDirectory: "Fixtures")
            )
            _ = try await app.importFiles(path)
            func hottest(_ query: String) async throws -> GridPoint {
                var best = GridPoint(easting: 0, northing: 0)
                try await app.testing().test(
                    .GET, "/api/v1/hotspots?force=west-yorkshire&from=2016-07&to=2016-07&\(query)"
                ) { res async throws in
                    #expect(res.status == .ok)
                    let r = try JSONDecoder().decode(HotspotController.APIResult.self, from: Data(buffer: res.body))
                    let top = try #require(r.cells.max { ($0.z ?? -99) < ($1.z ?? -99) })
                    let size = Double(r.parameters["cell_size_m"]!)!
                    best = GridPoint(easting: top.eastingMin + size / 2, northing: top.northingMin + size / 2)
                }
                return best
            }
            let leeds = GridPoint(easting: 430_300, northing: 433_600)  // Leeds city centre
            let bradford = GridPoint(easting: 416_300, northing: 433_000)  // Bradford city centre
            #expect(try await hottest("category=all").distance(to: leeds) < 1_500)
            #expect(try await hottest("cell=250").distance(to: bradford) < 1_000)
        }
    }
}
