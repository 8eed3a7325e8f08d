import Foundation

/// Runs the import's bulk writes on a thread of their own, so that one core parses,
/// validates and hashes the next rows while the other writes the previous ones (SQLite's
/// inserts; PostgreSQL's COPY, whose server process then works alongside the parser).
///
/// Jobs run one at a time, in the order submitted, on this thread alone, and the importer's
/// own uses of the connection come after `drain()`, which waits until every job has run: one
/// thread uses the connection at any moment. Up to ``depth`` jobs, of ``maxBytes`` together,
/// may be queued or running, so that a batch which takes the writer longer than the ones
/// around it does not stop the parsing of the next (one job at a time, the importer waited
/// 1.3–1.5 s of an 8–9 s import of the national-shaped file; four at a time, 0.5 s). The
/// first job that fails is kept; later jobs are skipped, and the error is thrown by the next
/// `submit` or `drain`, so the importer rolls the file back as it would have without the
/// thread.
final class BackgroundWriter: @unchecked Sendable {
    /// Jobs queued or running at most.
    static let depth = 4
    /// Bytes of the jobs queued or running at most, unless a single job is larger: the
    /// batches held stay within the import's memory target (a full batch is about 15 MB).
    static let maxBytes = 16 << 20

    private let state = NSCondition()
    private var jobs: [(run: () throws -> Void, bytes: Int)] = []
    /// Jobs queued or running, and their bytes.
    private var inFlight = 0
    private var inFlightBytes = 0
    private var failure: (any Error)?
    private var stopping = false
    private var waited: UInt64 = 0
    private var busy: UInt64 = 0
    private var cpu: UInt64 = 0

    /// Starts the thread; it holds the writer until `stop()`.
    init() {
        let thread = Thread { self.loop() }
        thread.name = "saferstreets-import-writer"
        thread.start()
    }

    /// Ends the thread once the jobs in hand are done.
    func stop() {
        state.lock()
        defer { state.unlock() }
        waitUntilIdle()
        stopping = true
        state.broadcast()
    }

    /// Hands a job holding about `bytes` of memory to the thread; waits while the queue is
    /// full.
    func submit(bytes: Int = 0, _ job: @escaping () throws -> Void) throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        state.lock()
        defer { state.unlock() }
        while inFlight > 0 && (inFlight >= Self.depth || inFlightBytes + bytes > Self.maxBytes) { state.wait() }
        waited += DispatchTime.now().uptimeNanoseconds - t0
        if let failure { throw failure }
        jobs.append((job, bytes))
        inFlight += 1
        inFlightBytes += bytes
        state.broadcast()
    }

    /// Waits until every submitted job has run; throws the first failure.
    func drain() throws {
        state.lock()
        defer { state.unlock() }
        waitUntilIdle()
        if let failure { throw failure }
    }

    /// Forgets a failure (after the transaction it spoiled has been rolled back).
    func reset() {
        state.lock()
        defer { state.unlock() }
        waitUntilIdle()
        failure = nil
    }

    /// Seconds spent running jobs (wall clock, and of them on a core: the difference is
    /// time the thread was ready but not running, or blocked in the kernel), and seconds
    /// `submit` waited for room in the queue.
    var seconds: (busy: Double, cpu: Double, waited: Double) {
        state.lock()
        defer { state.unlock() }
        waitUntilIdle()
        return (Double(busy) / 1e9, Double(cpu) / 1e9, Double(waited) / 1e9)
    }

    /// Returns once no job is queued or running. Call with `state` locked.
    private func waitUntilIdle() {
        while inFlight > 0 { state.wait() }
    }

    /// This thread's processor time so far, in nanoseconds.
    private static func threadCPU() -> UInt64 {
        var t = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0 else { return 0 }
        return UInt64(clamping: t.tv_sec) &* 1_000_000_000 &+ UInt64(clamping: t.tv_nsec)
    }

    private func loop() {
        while true {
            state.lock()
            while jobs.isEmpty && !stopping { state.wait() }
            if jobs.isEmpty {
                state.unlock()
                return
            }
            let job = jobs.removeFirst()
            let skip = failure != nil
            state.unlock()
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Self.threadCPU()
            var error: (any Error)?
            if !skip {
                do { try job.run() } catch let e { error = e }
            }
            let c1 = Self.threadCPU(), t1 = DispatchTime.now().uptimeNanoseconds
            state.lock()
            if let error, failure == nil { failure = error }
            busy += t1 > t0 ? t1 - t0 : 0
            cpu &+= c1 > c0 ? c1 - c0 : 0
            inFlight -= 1
            inFlightBytes -= job.bytes
            state.broadcast()
            state.unlock()
        }
    }
}
