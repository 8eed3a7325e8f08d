import Foundation

/// Runs the import's bulk writes on a thread of their own, so that one core parses,
/// validates and hashes the next rows while the other writes the previous ones (SQLite's
/// inserts; PostgreSQL's COPY, whose server process then works alongside the parser).
///
/// Jobs run one at a time, in the order submitted, on one connection that only one thread
/// uses at any moment: `submit` waits for the job before it (the semaphores order every
/// access), and the importer's own reads of the connection come after `drain()`. The
/// first job that fails is kept; later jobs are skipped, and the error is thrown by the
/// next `submit` or `drain`, so the importer rolls the file back as it would have without
/// the thread.
final class BackgroundWriter: @unchecked Sendable {
    private let go = DispatchSemaphore(value: 0)
    private let idle = DispatchSemaphore(value: 1)
    private var job: (() throws -> Void)?
    private var failure: (any Error)?
    private var stopping = false

    /// Starts the thread; it holds the writer until `stop()`.
    init() {
        let thread = Thread { self.loop() }
        thread.name = "saferstreets-import-writer"
        thread.start()
    }

    /// Ends the thread once the job in hand is done.
    func stop() {
        idle.wait()
        stopping = true
        go.signal()
    }

    /// Hands a job to the thread, once the previous one has finished.
    func submit(_ job: @escaping () throws -> Void) throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        idle.wait()
        waited += DispatchTime.now().uptimeNanoseconds - t0
        if let failure {
            idle.signal()
            throw failure
        }
        self.job = job
        go.signal()
    }

    /// Waits until every submitted job has run; throws the first failure.
    func drain() throws {
        idle.wait()
        defer { idle.signal() }
        if let failure { throw failure }
    }

    /// Forgets a failure (after the transaction it spoiled has been rolled back).
    func reset() {
        idle.wait()
        failure = nil
        idle.signal()
    }

    private var waited: UInt64 = 0
    private var busy: UInt64 = 0
    private var cpu: UInt64 = 0

    /// Seconds spent running jobs (wall clock, and of them on a core: the difference is
    /// time the thread was ready but not running, or blocked in the kernel), and seconds
    /// `submit` waited for the job before.
    var seconds: (busy: Double, cpu: Double, waited: Double) {
        idle.wait()
        defer { idle.signal() }
        return (Double(busy) / 1e9, Double(cpu) / 1e9, Double(waited) / 1e9)
    }

    /// This thread's processor time so far, in nanoseconds.
    private static func threadCPU() -> UInt64 {
        var t = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0 else { return 0 }
        return UInt64(clamping: t.tv_sec) &* 1_000_000_000 &+ UInt64(clamping: t.tv_nsec)
    }

    private func loop() {
        while true {
            go.wait()
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Self.threadCPU()
            defer {
                busy += DispatchTime.now().uptimeNanoseconds - t0
                let c1 = Self.threadCPU()
                cpu &+= c1 > c0 ? c1 - c0 : 0
            }
            if stopping {
                idle.signal()  // a semaphore must be back at its initial value when freed
                return
            }
            if let job, failure == nil {
                do { try job() } catch { failure = error }
            }
            job = nil
            idle.signal()
        }
    }
}
