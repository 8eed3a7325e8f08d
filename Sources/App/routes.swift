import Fluent
import Vapor

/// Every route, with its controller's dependencies passed in explicitly.
func routes(_ app: Application) throws {
    let home = HomeController(queries: DataCoverageQueries())
    app.get(use: home.index)
    app.get("api", "v1", "coverage", use: home.coverageJSON)
    app.get("health") { _ in "ok" }
}
