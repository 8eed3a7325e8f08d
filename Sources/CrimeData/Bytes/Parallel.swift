import Foundation

/// Runs `body(0..<count)` on as many threads as there are items (via
/// `DispatchQueue.concurrentPerform`) and returns the results in order. If any call
/// throws, the first error is rethrown after all have finished.
public func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
    let results = ParallelResults<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { i in
        do {
            results.set(i, try body(i))
        } catch {
            results.fail(error)
        }
    }
    if let error = results.error { throw error }
    return results.values.map { $0! }
}

/// One slot per task, each written by exactly one thread under the lock.
private final class ParallelResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [T?]
    private(set) var error: (any Error)?

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: T) {
        lock.lock()
        values[i] = value
        lock.unlock()
    }

    func fail(_ e: any Error) {
        lock.lock()
        if error == nil { error = e }
        lock.unlock()
    }
}
