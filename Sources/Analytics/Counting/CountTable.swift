/// An open-addressing hash table from ``IncidentCounter/Key`` to a count, for the
/// counting hot loop: linear probing, a multiply-shift hash (Fibonacci hashing, Knuth
/// TAOCP vol. 3 §6.4), power-of-two capacity kept under 50% full. Several times faster
/// than `Dictionary` here because it neither seeds SipHash per lookup nor boxes values.
public struct CountTable: Sendable {
    private var keys: [IncidentCounter.Key]
    private var counts: [Int]
    private var used: [Bool]
    public private(set) var count = 0
    private var mask: Int

    public init(capacity: Int = 1 << 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: IncidentCounter.Key(lsoa: 0, month: 0, category: 0), count: size)
        counts = Array(repeating: 0, count: size)
        used = Array(repeating: false, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func hash(_ k: IncidentCounter.Key) -> UInt64 {
        let mixed = k.lsoa ^ (UInt64(UInt32(bitPattern: k.month)) << 16 | UInt64(k.category)) &* 0x9E37_79B9_7F4A_7C15
        return (mixed ^ (mixed >> 29)) &* 0xBF58_476D_1CE4_E5B9
    }

    @inline(__always)
    public mutating func add(_ k: IncidentCounter.Key, _ n: Int = 1) {
        var i = Int(truncatingIfNeeded: Self.hash(k) >> 20) & mask
        while used[i] {
            if keys[i] == k {
                counts[i] += n
                return
            }
            i = (i + 1) & mask
        }
        used[i] = true
        keys[i] = k
        counts[i] = n
        count += 1
        if count * 2 > mask { grow() }
    }

    private mutating func grow() {
        let old = zip(keys, counts).enumerated().filter { used[$0.offset] }.map(\.element)
        let size = (mask + 1) * 2
        keys = Array(repeating: IncidentCounter.Key(lsoa: 0, month: 0, category: 0), count: size)
        counts = Array(repeating: 0, count: size)
        used = Array(repeating: false, count: size)
        mask = size - 1
        count = 0
        for (k, n) in old { add(k, n) }
    }

    /// Every (key, count) pair.
    public func forEach(_ body: (IncidentCounter.Key, Int) -> Void) {
        for i in 0...mask where used[i] { body(keys[i], counts[i]) }
    }
}
