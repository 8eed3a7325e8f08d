import Analytics
import CrimeData
import Foundation

/// What lies under every map: land and sea, local authority boundaries and, where bundled,
/// LSOA boundaries, in British National Grid metres. Read once from
/// `Resources/maps/context-layers.json` (made by `scripts/maps/make_context_layers.py`; the
/// README's "Maps" section gives the sources and licences). No internet at run time.
struct MapContext: Sendable {
    struct Area: Sendable {
        var code: String
        var name: String
        var shape: AreaShape
    }

    /// Land polygons (outer ring, then holes) with their bounds.
    var land: [AreaShape] = []
    var authorities: [Area] = []
    var lsoas: [Area] = []

    static let attribution =
        "Coast: GSHHG (LGPL-3.0). Boundaries approximate, from OS and ONS open data, © Crown copyright 2025 (OGL)."

    /// The bundled layers; empty (maps draw without context) if the file is missing or unreadable.
    static let bundled: MapContext = {
        guard let url = Bundle.module.url(forResource: "context-layers", withExtension: "json", subdirectory: "maps"),
            let data = try? Data(contentsOf: url)
        else { return MapContext() }
        return (try? MapContext(json: data)) ?? MapContext()
    }()

    private struct File: Decodable {
        struct Entry: Decodable {
            var code: String
            var name: String?
            var polygons: [[[[Int]]]]
        }
        var land: [[[[Int]]]]
        var authorities: [Entry]
        var lsoas: [Entry]
    }

    init() {}

    init(json: Data) throws {
        let file = try JSONDecoder().decode(File.self, from: json)
        func shape(_ polygons: [[[[Int]]]]) -> AreaShape? {
            let rings = polygons.map { polygon in
                polygon.map { ring in
                    ring.compactMap { xy in
                        xy.count == 2 ? GridPoint(easting: Double(xy[0]), northing: Double(xy[1])) : nil
                    }
                }
            }
            return try? AreaShape(polygons: rings)
        }
        land = file.land.compactMap { shape([$0]) }
        authorities = file.authorities.compactMap { e in
            shape(e.polygons).map { Area(code: e.code, name: e.name ?? e.code, shape: $0) }
        }
        lsoas = file.lsoas.compactMap { e in
            shape(e.polygons).map { Area(code: e.code, name: e.name ?? e.code, shape: $0) }
        }
    }

    /// True when any land is bundled for this extent (so the map may show sea around it).
    func hasLand(in extent: Extent) -> Bool { land.contains { $0.bounds.intersects(extent) } }
}
