import CSQLiteShim
import Foundation

/// While a large import runs, asks the kernel every 50 ms to start writing the database's
/// and the WAL's dirty pages to disk (``shim_start_writeback``, which does not wait).
///
/// With gigabytes of memory the kernel would otherwise hold a whole import's pages until
/// the commit's fsync and the checkpoint's fsync, and the disk would sit idle while the
/// rows are parsed, then work alone for seconds at the end (measured on the 5,000,000-row
/// benchmark: about a second of the commit). Durability is unchanged: SQLite still syncs
/// where it always does; this only moves disk work earlier.
final class WriteBackPump: @unchecked Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(paths: [String]) {
        let thread = Thread { [stopped, finished] in
            var descriptors = [Int32](repeating: -1, count: paths.count)
            while stopped.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
                for (i, path) in paths.enumerated() {
                    if descriptors[i] < 0 { descriptors[i] = open(path, O_RDONLY | O_CLOEXEC) }
                    if descriptors[i] >= 0 { _ = shim_start_writeback(descriptors[i]) }
                }
            }
            for fd in descriptors where fd >= 0 { close(fd) }
            finished.signal()
        }
        thread.name = "saferstreets-write-back"
        thread.start()
    }

    /// Ends the thread and waits for it.
    func stop() {
        stopped.signal()
        finished.wait()
    }
}
