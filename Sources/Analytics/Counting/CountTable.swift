/// Counts by ``IncidentCounter/Key`` for the counting hot loop.
///
/// Two levels: an open-addressing table (linear probing, multiply-shift hash — Fibonacci
/// hashing, Knuth TAOCP vol. 3 §6.4 — power-of-two capacity kept under half full) maps an
/// (LSOA, month, category ÷ 16) to a block of 16 counters, one per category ÷ 16
/// remainder. police.uk files list each LSOA's rows together, so consecutive rows nearly
/// always fall in the block of the row before: the last block is remembered and the hash
/// table is consulted once per run of rows, not once per row. The counters of a block
/// share two cache lines, where a flat table of 300,000 cells missed the cache on
/// almost every row (measured: 80% of the loop's time was that one load).
public struct CountTable: Sendable {
    private struct Slot: Sendable {
        var lsoa: UInt64 = 0
        /// 1 << 63 | month << 16 | category >> 4; 0 marks an empty slot.
        var tag: UInt64 = 0
        var block = 0
    }

    private static let blockSize = 16

    private var slots: [Slot]
    private var mask: Int
    /// Block `b` holds the counters `cells[16 b ..< 16 b + 16]`.
    private var cells: [Int] = []
    /// Which counters of each block have been added to (they may since sum to zero).
    private var used: [UInt16] = []
    private var blockKeys: [(lsoa: UInt64, tag: UInt64)] = []
    /// Number of distinct keys added.
    public private(set) var count = 0
    private var lastLSOA: UInt64 = 0
    private var lastTag: UInt64 = 0
    private var lastBlock = -1

    /// - Parameter capacity: the number of keys expected (it grows past it).
    public init(capacity: Int = 1 << 16) {
        var size = 16
        while size < capacity / 4 { size <<= 1 }
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
        cells.reserveCapacity(min(capacity, 1 << 20))
    }

    @inline(__always)
    private static func hash(lsoa: UInt64, tag: UInt64) -> UInt64 {
        let mixed = lsoa ^ (tag & ~(1 << 63)) &* 0x9E37_79B9_7F4A_7C15
        return (mixed ^ (mixed >> 29)) &* 0xBF58_476D_1CE4_E5B9
    }

    @inline(__always)
    public mutating func add(_ k: IncidentCounter.Key, _ n: Int = 1) {
        let tag = 1 << 63 | UInt64(UInt32(bitPattern: k.month)) << 16 | UInt64(k.category >> 4)
        let block: Int
        if k.lsoa == lastLSOA && tag == lastTag {
            block = lastBlock
        } else {
            block = find(lsoa: k.lsoa, tag: tag)
            lastLSOA = k.lsoa
            lastTag = tag
            lastBlock = block
        }
        let lane = Int(k.category & 15)
        cells[block &* Self.blockSize &+ lane] += n
        let bit = UInt16(1) << lane
        if used[block] & bit == 0 {
            used[block] |= bit
            count += 1
        }
    }

    /// The block of (lsoa, tag), made if new.
    private mutating func find(lsoa: UInt64, tag: UInt64) -> Int {
        var i = Int(truncatingIfNeeded: Self.hash(lsoa: lsoa, tag: tag) >> 20) & mask
        while slots[i].tag != 0 {
            if slots[i].tag == tag && slots[i].lsoa == lsoa { return slots[i].block }
            i = (i + 1) & mask
        }
        let block = blockKeys.count
        slots[i] = Slot(lsoa: lsoa, tag: tag, block: block)
        blockKeys.append((lsoa, tag))
        used.append(0)
        cells.append(contentsOf: repeatElement(0, count: Self.blockSize))
        if blockKeys.count * 2 > mask { grow() }
        return block
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
        for (block, key) in blockKeys.enumerated() {
            var i = Int(truncatingIfNeeded: Self.hash(lsoa: key.lsoa, tag: key.tag) >> 20) & mask
            while slots[i].tag != 0 { i = (i + 1) & mask }
            slots[i] = Slot(lsoa: key.lsoa, tag: key.tag, block: block)
        }
    }

    /// Every (key, count) pair that was added to.
    public func forEach(_ body: (IncidentCounter.Key, Int) -> Void) {
        for (block, key) in blockKeys.enumerated() {
            var bits = used[block]
            let month = Int32(bitPattern: UInt32(truncatingIfNeeded: key.tag >> 16))
            let high = UInt16(truncatingIfNeeded: key.tag) << 4
            while bits != 0 {
                let lane = bits.trailingZeroBitCount
                bits &= bits - 1
                body(
                    IncidentCounter.Key(lsoa: key.lsoa, month: month, category: high | UInt16(lane)),
                    cells[block * Self.blockSize + lane])
            }
        }
    }
}
