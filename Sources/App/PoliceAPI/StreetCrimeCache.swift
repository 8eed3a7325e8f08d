import CrimeData
import Fluent
import Foundation
import SQLKit

/// One police.uk street slice (a force's month) held in memory for the police.uk-compatible
/// API, each crime already written as police.uk JSON, with its position and category
/// beside it, so a request is a scan of a few arrays and a copy of bytes: no rows are
/// read or encoded per request.
struct StreetSlice: Sendable {
    var version: SliceVersion
    /// The crimes' JSON objects, end to end; crime `i` is `bytes[start(i)..<ends[i]]`.
    var bytes: [UInt8]
    var ends: [Int]
    var categoryIDs: [Int32]
    /// British National Grid metres; NaN for a crime without a location.
    var easting: [Double]
    var northing: [Double]
    /// police.uk map point id (``PoliceLocationID``); 0 without a location.
    var locationIDs: [Int64]

    /// Crimes with a location come first, ordered by northing; `located` is their count.
    var located: Int

    var count: Int { ends.count }

    /// The located crimes whose northing lies in `low...high` (a binary search each end).
    func rows(northing low: Double, _ high: Double) -> Range<Int> {
        func firstIndex(where predicate: (Double) -> Bool) -> Int {
            var (lo, hi) = (0, located)
            while lo < hi {
                let mid = (lo + hi) / 2
                if predicate(northing[mid]) { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }
        let start = firstIndex { $0 >= low }
        return start..<max(start, firstIndex { $0 > high })
    }

    func start(_ i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }
    func object(_ i: Int) -> ArraySlice<UInt8> { bytes[start(i)..<ends[i]] }
    var memory: Int { bytes.count + ends.count * 8 * 4 + categoryIDs.count * 4 }
}

/// Category ids as a table indexed by id: one load per crime instead of a hash lookup.
struct CategorySet: Sendable {
    private var table: [Bool]

    init(_ ids: [Int]) {
        table = Array(repeating: false, count: (ids.max() ?? 0) + 1)
        for id in ids where id >= 0 { table[id] = true }
    }

    @inline(__always)
    func contains(_ id: Int32) -> Bool { Int(id) < table.count && id >= 0 && table[Int(id)] }
}

/// What identifies a slice's contents: a re-import that changes the slice changes
/// `updatedAt` or `rowCount`, and the cached copy is dropped.
struct SliceVersion: Hashable, Sendable {
    var id: Int
    var updatedAt: String
    var rowCount: Int
}

/// The street slices of recent requests, least recently used dropped first once the
/// cache holds more than `budget` bytes. Loads are shared: concurrent requests for a
/// slice that is being read wait for the one load.
actor StreetCrimeCache {
    let budget: Int
    private var entries: [SliceVersion: Task<StreetSlice, any Error>] = [:]
    private var sizes: [SliceVersion: Int] = [:]
    private var lastUse: [SliceVersion: UInt64] = [:]
    private var clock: UInt64 = 0

    init(budgetBytes: Int) {
        budget = budgetBytes
    }

    func slice(_ version: SliceVersion, load: @escaping @Sendable () async throws -> StreetSlice) async throws
        -> StreetSlice
    {
        clock += 1
        lastUse[version] = clock
        if let task = entries[version] {
            AppMetrics.cache("police_api_street", hit: true)
            return try await task.value
        }
        AppMetrics.cache("police_api_street", hit: false)
        // A newer version of the same slice replaces the old one.
        for old in entries.keys where old.id == version.id { drop(old) }
        let task = Task { try await load() }
        entries[version] = task
        do {
            let slice = try await task.value
            sizes[version] = slice.memory
            evict()
            return slice
        } catch {
            drop(version)
            throw error
        }
    }

    private func drop(_ version: SliceVersion) {
        entries[version] = nil
        sizes[version] = nil
        lastUse[version] = nil
    }

    private func evict() {
        var total = sizes.values.reduce(0, +)
        // Keep at least the newest slice whatever its size.
        while total > budget, sizes.count > 1,
            let oldest = sizes.keys.min(by: { (lastUse[$0] ?? 0) < (lastUse[$1] ?? 0) })
        {
            total -= sizes[oldest] ?? 0
            drop(oldest)
        }
    }

}
