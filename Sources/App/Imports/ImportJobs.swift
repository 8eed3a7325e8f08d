import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Imports started from the web: the uploaded file is written to a private folder, then
/// imported in the background through the same path as `saferstreets import`, while its
/// page shows progress (bytes, rows, rows a second, time left). Jobs live in memory; what
/// each import did is also recorded in `imports` as for the command.
final class ImportJobs: Sendable {
    /// Where a job is: the upload is arriving, it waits for the import before it, it is
    /// importing, or it ended.
    enum State: String, Sendable, Encodable {
        case uploading, queued, running, finished, failed
        var isActive: Bool { self == .uploading || self == .queued || self == .running }
    }

    struct Job: Sendable, Encodable {
        var id: String
        var fileName: String
        var startedBy: String
        var startedAt: Date
        var state: State
        var bytesDone: UInt64 = 0
        var bytesTotal: UInt64 = 0
        var rows = 0
        var summary = ""
        var rejects: [String] = []
        var finishedAt: Date?

        var percent: Double { bytesTotal == 0 ? 0 : min(100, Double(bytesDone) / Double(bytesTotal) * 100) }
        var seconds: Double { (finishedAt ?? Date()).timeIntervalSince(startedAt) }
        var rowsPerSecond: Int { seconds > 0 ? Int(Double(rows) / seconds) : 0 }
        /// Seconds left at the current rate, while running.
        var secondsLeft: Int? {
            guard state == .running, bytesDone > 0, bytesTotal > bytesDone else { return nil }
            return Int(seconds * Double(bytesTotal - bytesDone) / Double(bytesDone))
        }

        enum CodingKeys: String, CodingKey {
            case id, fileName, startedBy, state, bytesDone, bytesTotal, rows, summary, rejects, percent, rowsPerSecond,
                secondsLeft
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(fileName, forKey: .fileName)
            try c.encode(startedBy, forKey: .startedBy)
            try c.encode(state, forKey: .state)
            try c.encode(bytesDone, forKey: .bytesDone)
            try c.encode(bytesTotal, forKey: .bytesTotal)
            try c.encode(rows, forKey: .rows)
            try c.encode(summary, forKey: .summary)
            try c.encode(rejects, forKey: .rejects)
            try c.encode((percent * 10).rounded() / 10, forKey: .percent)
            try c.encode(rowsPerSecond, forKey: .rowsPerSecond)
            try c.encodeIfPresent(secondsLeft, forKey: .secondsLeft)
        }
    }

    private let jobs = NIOLockedValueBox<[String: Job]>([:])
    /// The last job queued: each job waits for the one before, so imports run one at a
    /// time (two at once would only fight for SQLite's one writer).
    private let tail = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func job(_ id: String) -> Job? { jobs.withLockedValue { $0[id] } }

    var recent: [Job] { jobs.withLockedValue { Array($0.values) }.sorted { $0.startedAt > $1.startedAt } }

    func update(_ id: String, _ change: (inout Job) -> Void) {
        jobs.withLockedValue { all in
            if var job = all[id] { change(&job); all[id] = job }
        }
    }

    func add(_ job: Job) { jobs.withLockedValue { $0[job.id] = job } }

    /// Imports `path` (then deletes its folder) in the background; the job's progress and
    /// result are updated as it goes.
    func run(_ id: String, path: URL, app: Application, origin: String) {
        update(id) { $0.state = .queued }
        tail.withLockedValue { previous in
            let before = previous
            previous = Task.detached { [self] in
                await before?.value
                await self.importNow(id, path: path, app: app, origin: origin)
            }
        }
    }

    private func importNow(_ id: String, path: URL, app: Application, origin: String) async {
        update(id) { $0.state = .running }
        defer { try? FileManager.default.removeItem(at: path.deletingLastPathComponent()) }
        do {
            let report = try await ImportStores.runImport(app: app, paths: [path.path], origin: origin) {
                done, total, rows in
                self.update(id) {
                    $0.bytesDone = done; $0.bytesTotal = total; $0.rows = rows
                }
            }
            update(id) { job in
                // People see the name of the file they uploaded, never the server's folder.
                let name = job.fileName
                job.state = .finished
                job.finishedAt = Date()
                job.bytesDone = job.bytesTotal
                job.rows = report.rowsRead
                job.summary = Self.hidingFolder(report.summary, path: path, as: name)
                job.rejects = report.rejects.prefix(100).map {
                    Self.hidingFolder("\($0.file), line \($0.line): \($0.reason)", path: path, as: name)
                }
            }
        } catch {
            app.logger.error("web import failed", metadata: ["job": "\(id)", "error": "\(type(of: error))"])
            update(id) { job in
                job.state = .failed
                job.finishedAt = Date()
                job.summary = Self.hidingFolder(
                    "The import stopped: \(error). Nothing of the file being imported was kept.", path: path,
                    as: job.fileName)
            }
        }
    }

    /// `text` with the upload's private path (and its folder) replaced by the file's name.
    static func hidingFolder(_ text: String, path: URL, as name: String) -> String {
        text.replacingOccurrences(of: path.path, with: name)
            .replacingOccurrences(of: path.deletingLastPathComponent().path + "/", with: "")
    }
}
