import Foundation
import NIOConcurrencyHelpers
import Vapor

#if canImport(Glibc)
    import Glibc
#endif

/// One instance's share of the import queue: it claims a job, imports the uploaded file
/// through the same path as `saferstreets import`, and records the result, one job at a time.
/// An upload nudges the worker of the instance that took it; while serving, every instance
/// also looks at the queue every few seconds, so a job left by an instance that died is taken
/// up by another. The upload folder (`SAFERSTREETS_UPLOAD_DIR`) must be one every instance
/// reads: a shared mount when the instances run on several machines.
final class ImportWorker: Sendable {
    struct Progress: Sendable { var bytesDone: UInt64; var bytesTotal: UInt64; var rows: Int }

    let queue: ImportQueue
    let folder: URL
    /// This instance in leases: "host:pid:random".
    let owner: String
    /// Seconds between heartbeats (PostgreSQL) and between looks at the queue while serving.
    let interval: Double

    private struct Flags { var busy = false; var again = false; var current: String? }
    private let flags = NIOLockedValueBox(Flags())
    private let live = NIOLockedValueBox<[String: Progress]>([:])
    private let loop = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(queue: ImportQueue, folder: URL, interval: Double = 5) {
        self.queue = queue
        self.folder = folder
        self.interval = interval
        owner = "\(Self.host):\(getpid()):\(SessionStore.randomToken().prefix(8))"
    }

    static var host: String { ProcessInfo.processInfo.hostName.replacingOccurrences(of: ":", with: "_") }

    /// The progress of a job this instance is importing, read as it goes.
    func progress(_ id: String) -> Progress? { live.withLockedValue { $0[id] } }

    /// Works the queue now, unless this instance is already working it (then it looks again
    /// once it is done, so a job queued meanwhile is not left waiting).
    func nudge(_ app: Application) {
        Task.detached { await self.work(app) }
    }

    func work(_ app: Application) async {
        let start = flags.withLockedValue { f -> Bool in
            if f.busy {
                f.again = true
                return false
            }
            f.busy = true
            return true
        }
        guard start else { return }
        while true {
            do {
                try await recover(app)
                while let job = try await queue.claim(owner: owner, on: app.db) { await run(job, app: app) }
            } catch {
                app.logger.warning("import queue: \(String(describing: error).prefix(200))")
            }
            let done = flags.withLockedValue { f -> Bool in
                if f.again {
                    f.again = false
                    return false
                }
                f.busy = false
                return true
            }
            if done { return }
        }
    }

    /// Fails the jobs abandoned too often, frees at once the jobs of this machine's instances
    /// whose process is gone (their lease would otherwise have to run out), and ends the
    /// prepared transactions of an import killed while committing (PostgreSQL), so that they
    /// hold no locks until the next import.
    func recover(_ app: Application) async throws {
        for path in try await queue.failAbandoned(on: app.db) { removeUpload(path) }
        for (id, owner) in try await queue.running(on: app.db) where Self.isDead(owner) {
            try await queue.expire(id, owner: owner, on: app.db)
        }
        if case .postgres(let url) = app.appConfig.database, try await queue.preparedImports(on: app.db) > 0 {
            let logger = app.logger
            try await Task.detached { try CopyLane.recover(url: url, logger: logger) }.value
        }
    }

    /// Whether `owner` names a process of this machine that no longer runs.
    static func isDead(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":")
        guard parts.count == 3, String(parts[0]) == host, let pid = Int32(parts[1]) else { return false }
        return kill(pid, 0) == -1 && errno == ESRCH
    }

    private func run(_ job: ImportQueue.Job, app: Application) async {
        flags.withLockedValue { $0.current = job.id }
        defer {
            flags.withLockedValue { $0.current = nil }
            live.withLockedValue { $0[job.id] = nil }
        }
        let path = folder.appendingPathComponent(job.storedPath)
        let id = job.id, owner = self.owner, queue = self.queue
        guard !job.storedPath.contains(".."), FileManager.default.fileExists(atPath: path.path) else {
            try? await queue.finish(
                id, owner: owner, state: .failed, rows: 0,
                summary:
                    "The uploaded file is not in the upload folder of the server that took the job: every instance must read the same folder (SAFERSTREETS_UPLOAD_DIR). Upload it again.",
                rejects: [], on: app.db)
            return
        }
        // PostgreSQL: the lease is renewed with the progress. SQLite's one writer is busy with
        // the import, so there the lease is long and a dead process is found by its pid.
        let heartbeat: Task<Void, Never>? =
            SQLFlavor(app.db.sql) == .postgres
            ? Task { [interval, live] in
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                    if Task.isCancelled { return }
                    let p = live.withLockedValue { $0[id] } ?? Progress(bytesDone: 0, bytesTotal: 0, rows: 0)
                    let kept = try? await queue.heartbeat(
                        id, owner: owner, bytesDone: Int(p.bytesDone), bytesTotal: Int(p.bytesTotal), rows: p.rows,
                        on: app.db)
                    if kept == false { app.logger.warning("import \(id): the lease was lost to another instance") }
                }
            } : nil
        defer { heartbeat?.cancel() }
        let name = job.fileName
        do {
            let report = try await ImportStores.runImport(app: app, paths: [path.path], origin: job.origin) {
                [live] done, total, rows in
                live.withLockedValue { $0[id] = Progress(bytesDone: done, bytesTotal: total, rows: rows) }
            }
            let p = progress(id)
            try await queue.finish(
                id, owner: owner, state: .finished, rows: report.rowsRead,
                bytes: (Int(p?.bytesDone ?? 0), Int(p?.bytesTotal ?? 0)),
                summary: Self.hidingFolder(report.summary, path: path, as: name),
                rejects: report.rejects.prefix(100).map {
                    Self.hidingFolder("\($0.file), line \($0.line): \($0.reason)", path: path, as: name)
                }, on: app.db)
        } catch {
            app.logger.error("web import failed", metadata: ["job": "\(id)", "error": "\(type(of: error))"])
            let p = progress(id)
            try? await queue.finish(
                id, owner: owner, state: .failed, rows: 0,
                bytes: (Int(p?.bytesDone ?? 0), Int(p?.bytesTotal ?? 0)),
                summary: Self.hidingFolder(
                    "The import stopped: \(error). Nothing of the file being imported was kept.", path: path, as: name),
                rejects: [], on: app.db)
        }
        removeUpload(job.storedPath)
    }

    private func removeUpload(_ stored: String) {
        guard !stored.contains(".."), let first = stored.split(separator: "/").first else { return }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(String(first)))
    }

    /// `text` with the upload's private path (and its folder) replaced by the file's name.
    static func hidingFolder(_ text: String, path: URL, as name: String) -> String {
        text.replacingOccurrences(of: path.path, with: name)
            .replacingOccurrences(of: path.deletingLastPathComponent().path + "/", with: "")
    }
}

/// While serving: the worker looks at the queue every `interval` seconds; at shutdown, the
/// job in hand goes back to the queue for another instance (or this one's next start).
struct ImportWorkerLifecycle: LifecycleHandler {
    let worker: ImportWorker

    func didBootAsync(_ app: Application) async throws {
        let worker = self.worker
        worker.startLoop(app)
    }

    func shutdownAsync(_ app: Application) async {
        await worker.stop(app)
    }
}

extension ImportWorker {
    func startLoop(_ app: Application) {
        let task = Task { [self] in
            while !Task.isCancelled {
                await work(app)
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
        loop.withLockedValue { $0 = task }
    }

    func stop(_ app: Application) async {
        loop.withLockedValue { $0?.cancel() }
        if let id = flags.withLockedValue({ $0.current }) {
            try? await queue.release(id, owner: owner, on: app.db)
            app.logger.notice("import \(id) given back to the queue at shutdown")
        }
    }
}
