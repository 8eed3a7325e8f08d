import Analytics
import CrimeData
import Fluent
import Foundation
import Vapor

/// `saferstreets bench scan|aggregate|gistar|emerging FILE`: the pure parts of
/// BENCHMARKS.md. Imports are measured with the real `import` command (see
/// `scripts/bench/run.sh`).
///
/// - `scan`: read the file and find every line break (memchr), the single-pass floor.
/// - `aggregate`: parse and count by (LSOA, month, crime type) on all cores, no database.
/// - `gistar`: Gi* z-scores on the 1,000 × 1,000 grid of float64 counts written by
///   `scripts/bench/gistar_peers.py make`, 13-cell band; `--output` writes the z-scores.
/// - `emerging`: emerging hot-spot analysis over 36 monthly grids of 100,000 cells, made
///   from the same file (its first 100,000 cells, each month rescaled); FILE as for gistar.
/// - `rank`: the LSOA ranking of a force over its latest 36 months, from the stored
///   aggregates of the configured database, end to end (queries and statistics); FILE is
///   the force id.
/// - `plan`: recomputes every computed measure of the Police and Crime Plan from the
///   configured database; FILE is a force id. If that force has no measures yet, 25 are
///   made first: five crime sets (ASB, neighbourhood crime, violence and sexual offences,
///   drugs, all crime per 1,000) for the force and the four local authorities with the most
///   incidents in the data.
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "what", help: "scan, aggregate, gistar, emerging, rank or plan")
        var what: String
        @Argument(name: "file", help: "a police.uk street CSV (scan, aggregate) or a grid file (gistar, emerging)")
        var file: String
        @Option(name: "output", help: "gistar: write the z-scores here as float64")
        var output: String?
        @Option(name: "threads", help: "threads for aggregate (default: all cores)")
        var threads: Int?
        @Option(name: "repeat", help: "runs (default 3); the best is reported")
        var repeats: Int?
    }

    var help: String { "Measure the single-pass floor, parse + aggregate, Gi* or emerging hot spots" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let threads = signature.threads ?? ProcessInfo.processInfo.activeProcessorCount
        var best = Double.infinity
        var detail = ""
        let grid = ["gistar", "emerging"].contains(signature.what) ? try Self.readGrid(signature.file) : []
        for _ in 0..<(signature.repeats ?? 3) {
            let start = DispatchTime.now()
            switch signature.what {
            case "scan":
                let lines = try Self.scan(signature.file, threads: threads)
                detail = "\(lines) lines"
            case "aggregate":
                let result = try IncidentCounter.count(file: signature.file, threads: threads)
                detail =
                    "\(result.rows) rows, \(result.counts.count) (LSOA, month, type) cells, "
                    + (CSVParser.usesAVX2 ? "AVX2 field split" : "portable field split")
            case "gistar":
                let band = try DistanceBand(cellSize: 1, band: 2)
                let start = DispatchTime.now()
                let gi = try GetisOrd.giStar(values: grid, columns: 1000, rows: 1000, band: band, threads: threads)
                best = min(best, Self.seconds(since: start))
                detail = "\(gi.n) cells, \(band.cellCount)-cell band"
                if let output = signature.output {
                    try gi.z.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: output)) }
                }
                continue
            case "emerging":
                let cells = 100_000
                let series: [[Double]] = (0..<36).map { t in
                    (0..<cells).map { i in
                        let factor: Double = 0.7 + 0.06 * Double((i * 7 + t * 13) % 11)
                        return (grid[i] * factor).rounded()
                    }
                }
                let g = try Grid(cellSize: 100, minColumn: 0, minRow: 0, columns: 1000, rows: 100)
                let start = DispatchTime.now()
                let result = try EmergingHotspots.run(
                    series: series, grid: g, parameters: .init(hotspot: HotspotParameters(cellSize: 100)))
                best = min(best, Self.seconds(since: start))
                let hot = result.filter { $0.pattern.isHot }.count
                detail = "\(cells) cells × 36 months, \(hot) cells with a hot pattern"
                continue
            case "rank":
                let queries = AnalysisQueries(areas: AreaStore())
                let data = try await queries.availability(on: context.application.db)
                guard let force = data.forces.first(where: { $0.force.id == signature.file }) else {
                    throw Abort(.badRequest, reason: "bench rank: no street data for force \(signature.file)")
                }
                let query = AnalysisQuery(
                    force: force.force.id, from: ByteParsing.monthString(MonthPeriod.add(-35, to: force.last)),
                    to: ByteParsing.monthString(force.last))
                let options = try query.validated(against: data).get()
                let start = DispatchTime.now()
                let report = try await RankingService(queries: queries).rank(options, on: context.application.db)
                best = min(best, Self.seconds(since: start))
                detail =
                    "\(report.rows.count) LSOAs, \(options.period), \(Format.count(report.forceTotal)) ASB incidents"
                continue
            case "plan":
                let db = context.application.db
                let service = PlanService(
                    plans: PlanStore(audit: AuditLog()), measures: MeasureStore(audit: AuditLog()))
                try await Self.benchMeasures(force: signature.file, service: service, on: db)
                let start = DispatchTime.now()
                let n = try await service.refresh(on: db)
                best = min(best, Self.seconds(since: start))
                let values = try await service.measures.values(on: db).values.reduce(0) { $0 + $1.count }
                detail = "\(n) computed measures, \(Format.count(values)) values"
                continue
            default:
                throw Abort(.badRequest, reason: "bench: say scan, aggregate, gistar, emerging, rank or plan")
            }
            best = min(best, Self.seconds(since: start))
        }
        context.console.print("\(signature.what)\t\(String(format: "%.3f", best))\t\(threads) threads\t\(detail)")
    }

    /// The 26 benchmark measures for `force`, made once.
    static func benchMeasures(force: String, service: PlanService, on db: any Database) async throws {
        let existing = try await service.measures.all(on: db)
        guard !existing.contains(where: { $0.slug.hasPrefix("bench-\(force)-") }) else { return }
        guard PoliceForce.known.contains(where: { $0.id == force }) else {
            throw Abort(.badRequest, reason: "bench plan: no known force \(force)")
        }
        // The local authorities with the most recorded incidents in the data held.
        let lads = try await service.queries.busiestLocalAuthorities(4, on: db)
        let sets: [(String, [String], Bool)] = [
            ("asb", ["anti-social-behaviour"], false),
            ("neighbourhood", ["burglary", "robbery", "theft-from-the-person", "vehicle-crime"], false),
            ("violence", ["violent-crime"], false), ("drugs", ["drugs"], false), ("all-rate", ["all-crime"], true),
        ]
        let categories = Set(CrimeCategory.known.map(\.slug))
        // The heaviest: every crime of the force against its outcomes (a scan of its incidents).
        try await service.measures.save(
            MeasureDraft(
                slug: Slug.make("bench-\(force)-charge-share"), name: "charge share \(force)",
                source: .chargeSummonsShare, geography: .force, geographyID: force),
            knownCategories: categories, by: nil, on: db)
        for (geography, id) in [(MeasureGeography.force, force)] + lads.map({ (MeasureGeography.localAuthority, $0) }) {
            for (name, slugs, rate) in sets {
                let d = MeasureDraft(
                    slug: Slug.make("bench-\(force)-\(name)-\(id)"), name: "\(name) \(id)", source: .crimes,
                    categories: slugs, geography: geography, geographyID: id, perThousand: rate)
                try await service.measures.save(d, knownCategories: categories, by: nil, on: db)
            }
        }
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// The 1,000,000 float64 counts of the Gi* benchmark grid.
    static func readGrid(_ path: String) throws -> [Double] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count == 8_000_000 else {
            throw Abort(
                .badRequest,
                reason: "\(path): expected 1,000,000 float64 values; make it with scripts/bench/gistar_peers.py make")
        }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    /// Reads the file in 1 MiB blocks on `threads` threads and counts line breaks.
    static func scan(_ path: String, threads: Int) throws -> Int {
        let counts = try withReadOnlyFile(path) { fd, size in
            try parallelMap(threads) { t in
                let block = 1 << 20
                let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: block)
                defer { buffer.deallocate() }
                var offset = size * t / threads
                let end = size * (t + 1) / threads
                var lines = 0
                while offset < end {
                    let n = pread(fd, buffer, min(block, end - offset), off_t(offset))
                    if n <= 0 { break }
                    var p = UnsafeMutableRawPointer(buffer)
                    let stop = UnsafeMutableRawPointer(buffer + n)
                    while p < stop, let hit = memchr(p, 0x0A, stop - p) {
                        lines += 1
                        p = hit + 1
                    }
                    offset += n
                }
                return lines
            }
        }
        return counts.reduce(0, +)
    }
}
