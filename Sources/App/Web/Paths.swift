/// Every URL the app links to, built in one place.
enum Paths {
    static let home = "/"
    static let hotspots = "/hotspots"
    static let hotspotCellsGeoJSON = "/hotspots/cells.geojson"
    static let hotspotCellsCSV = "/hotspots/cells.csv"
    static let hotspotMapSVG = "/hotspots/map.svg"
    static let rankings = "/rankings"
    static let rankingsCSV = "/rankings/table.csv"
    static let areas = "/areas"
    static let areasGeoJSON = "/areas/boundaries.geojson"
    static func area(_ slug: String) -> String { "/areas/\(slug)" }
    static func areaGeoJSON(_ slug: String) -> String { "/areas/\(slug)/boundary.geojson" }
    static let apiHotspots = "/api/v1/hotspots"
    static let apiRankings = "/api/v1/rankings"
    static let apiAreas = "/api/v1/areas"

    /// `path` with a query string, if any.
    static func with(_ path: String, query: String) -> String { query.isEmpty ? path : "\(path)?\(query)" }
}
