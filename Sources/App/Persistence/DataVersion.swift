import Fluent
import SQLKit

/// A number that grows with every change to the imported data: each file's import adds one
/// in the transaction that writes its rows (``ImportBookkeeping/recordSource``), and so does
/// a change to the LSOA reference. Anything computed from the data and kept (in memory or in a
/// table) is filed under the version it was computed at, and is used again only while the
/// version is the same: an instance never answers from before a commit it can see, whichever
/// instance made it.
enum DataVersion {
    /// The statement that moves the version on; run inside the transaction of the change.
    static let bump = "UPDATE data_version SET version = version + 1"

    static func current(on db: any Database) async throws -> Int64 {
        try await db.sql.raw("SELECT version FROM data_version").first(decodingColumn: "version", as: Int64.self) ?? 0
    }
}

/// Results computed from the stored data, kept until the data changes (``DataVersion``):
/// every entry belongs to one version, and a result of a newer version drops the others. At
/// most `capacity` entries, the least recently used dropped first. Two requests for the same
/// missing result may both compute it; the second's copy replaces the first's.
actor ResultCache<Value: Sendable> {
    let name: String
    let capacity: Int
    private var version: Int64 = -1
    private var entries: [String: Value] = [:]
    /// Keys, least recently used first.
    private var order: [String] = []

    init(name: String, capacity: Int) {
        self.name = name
        self.capacity = capacity
    }

    func value(_ key: String, at version: Int64) -> Value? {
        guard version == self.version, let value = entries[key] else {
            AppMetrics.cache(name, hit: false)
            return nil
        }
        AppMetrics.cache(name, hit: true)
        if let i = order.firstIndex(of: key) { order.remove(at: i) }
        order.append(key)
        return value
    }

    func store(_ value: Value, for key: String, at version: Int64) {
        if version > self.version {
            entries.removeAll()
            order.removeAll()
            self.version = version
        }
        // Computed from an older version than the entries held: not kept.
        guard version == self.version else { return }
        if entries.updateValue(value, forKey: key) == nil {
            order.append(key)
        }
        while order.count > capacity {
            entries[order.removeFirst()] = nil
        }
    }

    /// Returns the cached result for `key` at the current data version, or computes and keeps it.
    static func cached(
        _ cache: ResultCache<Value>?, key: String, on db: any Database, compute: () async throws -> Value
    ) async throws -> Value {
        guard let cache else { return try await compute() }
        let version = try await DataVersion.current(on: db)
        if let hit = await cache.value(key, at: version) { return hit }
        let value = try await compute()
        await cache.store(value, for: key, at: version)
        return value
    }
}
