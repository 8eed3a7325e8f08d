import NIOConcurrencyHelpers
import NIOPosix
import Vapor

/// CPU-heavy work on threads of its own, with a bound on the work waiting for them.
///
/// Three are made: one for bcrypt (a hash takes about a quarter of a second of a core), one
/// for the heavy analyses a request can ask for (hot-spot grids, CSV checks), one to wait
/// for Chromium printing a report. Off the event loops and Swift's cooperative pool, such work cannot hold up
/// `/health`, sign-in or anyone's page; and once `maxWaiting` jobs are queued or running a
/// further one is refused at once with 503 and `Retry-After` instead of waiting: a flood
/// costs the flooder, not everyone else.
final class BoundedWorkPool: Sendable {
    let pool: NIOThreadPool
    let maxWaiting: Int
    let busyMessage: String
    private let inFlight = NIOLockedValueBox(0)

    init(threads: Int, maxWaiting: Int, busyMessage: String) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        self.maxWaiting = maxWaiting
        self.busyMessage = busyMessage
    }

    func shutdown() { try? pool.syncShutdownGracefully() }

    struct Busy: AbortError {
        var reason: String
        var status: HTTPResponseStatus { .serviceUnavailable }
        var headers: HTTPHeaders { ["Retry-After": "5"] }
    }

    /// Runs `work` on the pool's threads, or throws `Busy` when too many are waiting.
    func run<T: Sendable>(_ work: @Sendable @escaping () throws -> T) async throws -> T {
        let admitted = inFlight.withLockedValue { n -> Bool in
            guard n < maxWaiting else { return false }
            n += 1
            return true
        }
        guard admitted else { throw Busy(reason: busyMessage) }
        defer { inFlight.withLockedValue { $0 -= 1 } }
        return try await pool.runIfActive(work)
    }
}

typealias PasswordHasher = BoundedWorkPool

extension Application {
    private struct PasswordHasherKey: StorageKey { typealias Value = BoundedWorkPool }
    private struct HeavyWorkKey: StorageKey { typealias Value = BoundedWorkPool }
    private struct PDFWorkKey: StorageKey { typealias Value = BoundedWorkPool }

    /// The bcrypt threads (made on first use; shut down with the app).
    var passwordHasher: BoundedWorkPool {
        pool(PasswordHasherKey.self) {
            BoundedWorkPool(
                threads: 2, maxWaiting: 16,
                busyMessage: "Too many sign-ins and password changes at once. Wait a few seconds and try again.")
        }
    }

    /// The thread for heavy analyses a request may ask for.
    var heavyWork: BoundedWorkPool {
        pool(HeavyWorkKey.self) {
            BoundedWorkPool(
                threads: 1, maxWaiting: 8,
                busyMessage: "The server is busy with other large requests. Wait a few seconds and try again.")
        }
    }

    /// The thread that waits for Chromium to print a report (one PDF at a time, two waiting).
    var pdfWork: BoundedWorkPool {
        pool(PDFWorkKey.self) {
            BoundedWorkPool(
                threads: 1, maxWaiting: 3,
                busyMessage:
                    "Other reports are being printed. Wait a few seconds and try again, or use your browser's Print.")
        }
    }

    private func pool<K: StorageKey>(_ key: K.Type, make: () -> BoundedWorkPool) -> BoundedWorkPool
    where K.Value == BoundedWorkPool {
        // `configure` makes both before the server starts, so requests only read them.
        if let existing = storage[key] { return existing }
        let made = make()
        storage.set(key, to: made, onShutdown: { $0.shutdown() })
        return made
    }
}
