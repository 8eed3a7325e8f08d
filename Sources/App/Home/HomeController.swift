import Fluent
import Vapor

/// The home page and its JSON twin.
struct HomeController: Sendable {
    let queries: DataCoverageQueries

    func page(on db: any Database) async throws -> HomePage {
        async let slices = queries.slices(on: db)
        async let last = queries.lastImport(on: db)
        async let lsoas = queries.lsoaCount(on: db)
        return try await HomePage(slices: slices, lastImport: last, lsoas: lsoas)
    }

    @Sendable func index(req: Request) async throws -> Response {
        var page = try await page(on: req.db)
        page.canImport = req.currentUser?.role.isOPCC == true
        return try await req.render("home/index", page)
    }

    @Sendable func coverageJSON(req: Request) async throws -> Response {
        let slices = try await queries.slices(on: req.db)
        struct Entry: Content {
            var force: String
            var kind: String
            var month: String
            var rows: Int
        }
        let entries = slices.map {
            Entry(force: $0.forceId, kind: $0.kind, month: ByteParsing.monthString($0.month), rows: $0.rowCount)
        }
        return try await entries.encodeResponse(for: req)
    }
}

import CrimeData
