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

/// `transform` of each item, in order, worked out in up to `parts` slices at once on the
/// cooperative thread pool: for CPU work over many items inside async code (which
/// `parallelMap` would block). The first error thrown is rethrown.
public func concurrentMap<T: Sendable, R: Sendable>(
    _ items: [T], parts: Int = ProcessInfo.processInfo.activeProcessorCount,
    _ transform: @escaping @Sendable (T) throws -> R
) async throws -> [R] {
    let size = max(1, (items.count + max(1, parts) - 1) / max(1, parts))
    guard items.count > size else { return try items.map(transform) }
    return try await withThrowingTaskGroup(of: (Int, [R]).self) { group in
        for start in stride(from: 0, to: items.count, by: size) {
            let slice = Array(items[start..<min(items.count, start + size)])
            group.addTask { (start, try slice.map(transform)) }
        }
        var done: [(Int, [R])] = []
        for try await part in group { done.append(part) }
        return done.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }
}
