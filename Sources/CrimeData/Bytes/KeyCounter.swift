/// How many times each 64-bit key has been seen, for keys that are already well-mixed
/// hashes (``StableHash`` values): the key's own high bits pick the slot, linear probing,
/// power-of-two capacity kept at most 3/4 full. The importer asks it once per row
/// ("is this key new in its slice?", "which occurrence of this ASB row is this?"), where
/// `Set` and `Dictionary` spent most of their time seeding and running SipHash.
///
/// Nearly every key is seen once, so a slot's count is one byte; the few keys seen 255
/// times or more keep their count in `overflow`. (A file's ASB rows, 1,500,000 keys in a
/// national-shaped file of 5,000,000 rows, took 25 MB with 32-bit counts, 19 MB so.)
public struct KeyCounter: Sendable {
    private var keys: [UInt64]
    private var counts: [UInt8]
    private var overflow: [UInt64: UInt32] = [:]
    /// The key 0 cannot mark its own slot empty, so it is counted here.
    private var zeroCount: UInt32 = 0
    public private(set) var count = 0
    private var shift: UInt64

    public init(capacity: Int = 1024) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        keys = Array(repeating: 0, count: size)
        counts = Array(repeating: 0, count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    /// Counts one more sighting of `key` and returns the new total (1 the first time).
    @inline(__always)
    public mutating func increment(_ key: UInt64) -> UInt32 {
        if key == 0 {
            zeroCount += 1
            if zeroCount == 1 { count += 1 }
            return zeroCount
        }
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let k = keys[i]
            if k == key {
                let n = counts[i]
                if n < UInt8.max - 1 {
                    counts[i] = n + 1
                    return UInt32(n + 1)
                }
                counts[i] = UInt8.max
                overflow[key, default: UInt32(n)] += 1
                return overflow[key] ?? 0
            }
            if k == 0 { break }
            i = (i + 1) & mask
        }
        keys[i] = key
        counts[i] = 1
        count += 1
        if count * 4 > keys.count * 3 { grow() }
        return 1
    }

    /// Forgets every key, keeping the storage.
    public mutating func removeAll() {
        for i in keys.indices { keys[i] = 0 }
        overflow = [:]
        zeroCount = 0
        count = 0
    }

    private mutating func grow() {
        let oldKeys = keys, oldCounts = counts
        let size = keys.count * 2
        keys = Array(repeating: 0, count: size)
        counts = Array(repeating: 0, count: size)
        shift -= 1
        let mask = size - 1
        for (k, n) in zip(oldKeys, oldCounts) where k != 0 {
            var i = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while keys[i] != 0 { i = (i + 1) & mask }
            keys[i] = k
            counts[i] = n
        }
    }
}
