import Fluent
import Vapor

/// Every route, with its controller's dependencies passed in explicitly.
func routes(_ app: Application) throws {
    let home = HomeController(queries: DataCoverageQueries())
    app.get(use: home.index)
    app.get("api", "v1", "coverage", use: home.coverageJSON)

    let areaStore = AreaStore()
    let queries = AnalysisQueries(areas: areaStore)
    let hotspots = HotspotController(queries: queries, service: HotspotService(queries: queries))
    app.get("hotspots", use: hotspots.page)
    app.get("hotspots", "cells.geojson", use: hotspots.cellsGeoJSON)
    app.get("hotspots", "cells.csv", use: hotspots.cellsCSV)
    app.get("hotspots", "map.svg", use: hotspots.mapSVG)
    app.get("api", "v1", "hotspots", use: hotspots.api)

    let rankings = RankingController(queries: queries, service: RankingService(queries: queries))
    app.get("rankings", use: rankings.page)
    app.get("rankings", "table.csv", use: rankings.csv)
    app.get("api", "v1", "rankings", use: rankings.api)

    let areas = AreaController(queries: queries)
    app.get("areas", use: areas.list)
    app.get("areas", "boundaries.geojson", use: areas.allGeoJSON)
    app.get("areas", ":slug", use: areas.show)
    app.get("areas", ":slug", "boundary.geojson", use: areas.oneGeoJSON)
    app.get("api", "v1", "areas", use: areas.api)
    app.get("health") { _ in "ok" }
}
