import Analytics
import CrimeData
import Foundation
import Vapor

/// `saferstreets bench scan|aggregate FILE`: the pure parts of BENCHMARKS.md. Imports are
/// measured with the real `import` command (see `scripts/bench/run.sh`).
///
/// - `scan`: read the file and find every line break (memchr), the single-pass floor.
/// - `aggregate`: parse and count by (LSOA, month, crime type) on all cores, no database.
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "what", help: "scan or aggregate")
        var what: String
        @Argument(name: "file", help: "a police.uk street CSV")
        var file: String
        @Option(name: "threads", help: "threads for aggregate (default: all cores)")
        var threads: Int?
        @Option(name: "repeat", help: "runs (default 3); the best is reported")
        var repeats: Int?
    }

    var help: String { "Measure the single-pass floor (scan) or parse + aggregate (aggregate) on a street CSV" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let threads = signature.threads ?? ProcessInfo.processInfo.activeProcessorCount
        var best = Double.infinity
        var detail = ""
        for _ in 0..<(signature.repeats ?? 3) {
            let start = DispatchTime.now()
            switch signature.what {
            case "scan":
                let lines = try Self.scan(signature.file, threads: threads)
                detail = "\(lines) lines"
            case "aggregate":
                let result = try IncidentCounter.count(file: signature.file, threads: threads)
                detail = "\(result.rows) rows, \(result.counts.count) (LSOA, month, type) cells"
            default:
                throw Abort(.badRequest, reason: "bench: say scan or aggregate")
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        context.console.print("\(signature.what)\t\(String(format: "%.3f", best))\t\(threads) threads\t\(detail)")
    }

    /// Reads the file in 1 MiB blocks on `threads` threads and counts line breaks.
    static func scan(_ path: String, threads: Int) throws -> Int {
        let counts = try withReadOnlyFile(path) { fd, size in try parallelMap(threads) { t in
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
        } }
        return counts.reduce(0, +)
    }
}
