import CrimeData
import Testing

@Suite("work over many items on several threads")
struct ParallelTests {
    struct Refused: Error, Equatable { var item: Int }

    @Test("concurrentMap gives each item's result in the items' order, for any number of parts")
    func inOrder() async throws {
        for count in [0, 1, 2, 7, 1_000] {
            for parts in [0, 1, 2, 3, 8] {
                let items = Array(0..<count)
                let squares = try await concurrentMap(items, parts: parts) { $0 * $0 }
                #expect(squares == items.map { $0 * $0 }, "\(count) items in \(parts) parts")
            }
        }
    }

    @Test("an item's error is rethrown")
    func passesErrorsOn() async {
        await #expect(throws: Refused(item: 600)) {
            _ = try await concurrentMap(Array(0..<1_000), parts: 2) { i -> Int in
                if i == 600 { throw Refused(item: i) }
                return i
            }
        }
    }
}
