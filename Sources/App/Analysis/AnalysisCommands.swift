import Analytics
import CrimeData
import Foundation
import Vapor

/// The options the `rank` and `hotspots` commands share with the web pages' query string.
struct AnalysisSignature: CommandSignature {
    @Option(name: "force", help: "police.uk force id, e.g. norfolk (default: the force with most data)")
    var force: String?
    @Option(name: "from", help: "first month, YYYY-MM (default: 11 months before --to)")
    var from: String?
    @Option(name: "to", help: "last month, YYYY-MM (default: the latest month)")
    var to: String?
    @Option(name: "category", help: "crime type slugs, comma-separated, or all (default: anti-social-behaviour)")
    var category: String?
    @Option(name: "cell", help: "hotspots: cell size in metres, or auto")
    var cell: String?
    @Option(name: "band", help: "hotspots: distance band in metres (default: cell × √2)")
    var band: String?
    @Option(name: "correction", help: "hotspots: fdr (default), holm or none")
    var correction: String?
    @Option(name: "area", help: "a stored area's slug: analyse inside it only")
    var area: String?
    @Option(name: "level", help: "rank: lsoa (default), msoa, local-authority or areas")
    var level: String?
    @Option(name: "sort", help: "rank: rate (default), count, harm or change")
    var sort: String?
    @Option(name: "weights", help: "rank: harm weights replacing the defaults, e.g. burglary=10,robbery=20")
    var weights: String?
    @Flag(name: "emerging", help: "hotspots: add the emerging pattern of each cell over the months")
    var emerging: Bool
    @Option(name: "format", help: "rank: csv (default) or json; hotspots: csv (default) or geojson")
    var format: String?
    @Option(name: "output", help: "write to this file instead of standard output")
    var output: String?

    var query: AnalysisQuery {
        AnalysisQuery(
            force: force, from: from, to: to, category: category.map { [$0] }, cell: cell, band: band,
            correction: correction,
            area: area, level: level, sort: sort, weights: weights)
    }

    init() {}

    /// Validates against the data, or throws every problem at once.
    /// `allForces`: whether `--force all` is accepted (rankings).
    func options(_ app: Application, allForces: Bool = false) async throws -> AnalysisOptions {
        let data = try await AnalysisQueries(areas: AreaStore()).availability(on: app.db)
        switch query.validated(against: data, allForces: allForces) {
        case .success(let o): return o
        case .failure(let e):
            throw CommandFailure(message: e.errors.map { "--\($0.field): \($0.message)" }.joined(separator: "\n"))
        }
    }

    func write(_ text: String, context: CommandContext) throws {
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
            context.console.print("wrote \(output)")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

/// A command that cannot go on: the message is printed and the exit status is 2.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// `saferstreets rank …`: which areas are affected most, as CSV or JSON.
struct RankCommand: AsyncCommand {
    typealias Signature = AnalysisSignature
    var help: String { "Rank LSOAs, MSOAs, local authorities or named areas (CSV or JSON)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await reportingFailure(context) {
            let o = try await signature.options(app, allForces: true)
            let queries = AnalysisQueries(areas: AreaStore())
            let report = try await RankingService(queries: queries).rank(o, on: app.db)
            switch signature.format ?? "csv" {
            case "csv": try signature.write(RankingExport.csv(report), context: context)
            case "json":
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                try signature.write(
                    String(decoding: try encoder.encode(report), as: UTF8.self) + "\n", context: context)
            default: throw CommandFailure(message: "--format: rank writes csv or json")
            }
        }
    }
}

/// `saferstreets hotspots …`: grid hot spots as CSV or GeoJSON.
struct HotspotsCommand: AsyncCommand {
    typealias Signature = AnalysisSignature
    var help: String { "Getis-Ord Gi* grid hot spots, optionally with emerging patterns (CSV or GeoJSON)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await reportingFailure(context) {
            let o = try await signature.options(app)
            let service = HotspotService(queries: AnalysisQueries(areas: AreaStore()), heavyWork: app.heavyWork)
            let report: HotspotReport
            do {
                report = try await service.run(o, emerging: signature.emerging, on: app.db)
            } catch let e as HotspotError {
                throw CommandFailure(message: e.description)
            }
            switch signature.format ?? "csv" {
            case "csv": try signature.write(HotspotExport.csv(report), context: context)
            case "geojson": try signature.write(HotspotExport.geoJSON(report), context: context)
            default: throw CommandFailure(message: "--format: hotspots writes csv or geojson")
            }
            let r = report.result
            FileHandle.standardError.write(
                Data(
                    """
                    \(Format.count(report.incidents)) incidents in \(Format.count(r.cells.count)) cells of \(Int(r.parameters.cellSize)) m; \
                    hot: \(r.count(of: .hot99)) at 99%, \(r.count(of: .hot95)) at 95%, \(r.count(of: .hot90)) at 90%; \
                    cold: \(r.count(of: .cold99) + r.count(of: .cold95) + r.count(of: .cold90))\n
                    """.utf8))
        }
    }
}

/// Prints a `CommandFailure` (or an area problem) and sets exit status 2 instead of a stack
/// of framework errors.
func reportingFailure(_ context: CommandContext, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let e as CommandFailure {
        context.console.error(e.message)
        context.application.storage[ExitStatusKey.self] = 2
    } catch let e as AreaError {
        context.console.error(e.description)
        context.application.storage[ExitStatusKey.self] = 2
    } catch let e as GeoJSON.ReadError {
        context.console.error(e.description)
        context.application.storage[ExitStatusKey.self] = 2
    }
}
