/// Counts by ``IncidentCounter/Key`` for the counting hot loop.
///
/// Two levels: an open-addressing table (linear probing, multiply-shift hash — Fibonacci
/// hashing, Knuth TAOCP vol. 3 §6.4 — power-of-two capacity kept at most 3/4 full) maps an
/// (LSOA, month, category ÷ 16) to a block of 16 counters, one per category ÷ 16
/// remainder. police.uk files list each LSOA's rows together, so consecutive rows nearly
/// always fall in the block of the row before: the last block is remembered and the hash
/// table is consulted once per run of rows, not once per row. The counters of a block
/// share one cache line, where a flat table of 300,000 cells missed the cache on almost
/// every row (measured: 80% of the loop's time was that one load).
///
/// Memory follows the keys, not a power of two: blocks live in pages of 1,024, so the
/// table grows a page at a time and never copies its counters. Counters are 32-bit (a
/// block is 64 bytes): each one is changed by at most one per row of the file it counts,
/// and wraps rather than traps past 2³¹ (a file of over two billion rows of one key).
/// A national-shaped file of 5,000,000 rows keys about 320,000 blocks: 21 MB of counters here,
/// where 64-bit counters in one array that doubled as it grew peaked at 100 MB.
public struct CountTable: Sendable {
    private struct Slot: Sendable {
        var lsoa: UInt64 = 0
        /// 1 << 63 | month << 16 | category >> 4; 0 marks an empty slot.
        var tag: UInt64 = 0
        var block = 0
    }

    private static let blockSize = 16
    private static let pageShift = 10
    private static let pageBlocks = 1 << pageShift

    private var slots: [Slot]
    private var mask: Int
    /// Block `b` holds the counters `cellPages[b >> 10][16 (b & 1023) ..< + 16]`.
    private var cellPages: [[Int32]] = []
    /// Which counters of each block have been added to (they may since sum to zero).
    private var usedPages: [[UInt16]] = []
    private var keyPages: [[(lsoa: UInt64, tag: UInt64)]] = []
    private var blocks = 0
    /// Number of distinct keys added.
    public private(set) var count = 0
    private var lastLSOA: UInt64 = 0
    private var lastTag: UInt64 = 0
    private var lastBlock = -1

    /// - Parameter capacity: the number of keys expected (it grows past it).
    public init(capacity: Int = 1 << 16) {
        var size = 16
        while size < capacity / 3 { size <<= 1 }
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
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
        let page = block >> Self.pageShift, inPage = block & (Self.pageBlocks - 1)
        cellPages[page][inPage &* Self.blockSize &+ lane] &+= Int32(truncatingIfNeeded: n)
        let bit = UInt16(1) << lane
        if usedPages[page][inPage] & bit == 0 {
            usedPages[page][inPage] |= bit
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
        let block = blocks
        if block & (Self.pageBlocks - 1) == 0 {
            cellPages.append(Array(repeating: 0, count: Self.pageBlocks * Self.blockSize))
            usedPages.append(Array(repeating: 0, count: Self.pageBlocks))
            var keys: [(lsoa: UInt64, tag: UInt64)] = []
            keys.reserveCapacity(Self.pageBlocks)
            keyPages.append(keys)
        }
        blocks += 1
        slots[i] = Slot(lsoa: lsoa, tag: tag, block: block)
        keyPages[block >> Self.pageShift].append((lsoa, tag))
        if blocks * 4 > (mask + 1) * 3 { grow() }
        return block
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        slots = []
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
        var block = 0
        for page in keyPages {
            for key in page {
                var i = Int(truncatingIfNeeded: Self.hash(lsoa: key.lsoa, tag: key.tag) >> 20) & mask
                while slots[i].tag != 0 { i = (i + 1) & mask }
                slots[i] = Slot(lsoa: key.lsoa, tag: key.tag, block: block)
                block += 1
            }
        }
    }

    /// Every (key, count) pair that was added to, block by block in the order the blocks
    /// were made.
    public func forEach(_ body: (IncidentCounter.Key, Int) -> Void) {
        for (p, keys) in keyPages.enumerated() {
            let cells = cellPages[p], used = usedPages[p]
            for (b, key) in keys.enumerated() {
                var bits = used[b]
                let month = Int32(bitPattern: UInt32(truncatingIfNeeded: key.tag >> 16))
                let high = UInt16(truncatingIfNeeded: key.tag) << 4
                while bits != 0 {
                    let lane = bits.trailingZeroBitCount
                    bits &= bits - 1
                    body(
                        IncidentCounter.Key(lsoa: key.lsoa, month: month, category: high | UInt16(lane)),
                        Int(cells[b * Self.blockSize + lane]))
                }
            }
        }
    }

    /// The blocks in key order (LSOA, month, crime type ÷ 16), for the ordered walks below.
    public func keyOrder() -> [Int32] {
        var keys: [(lsoa: UInt64, tag: UInt64)] = []
        keys.reserveCapacity(blocks)
        for page in keyPages { keys.append(contentsOf: page) }
        var order = (0..<Int32(truncatingIfNeeded: blocks)).map { $0 }
        order.sort { (keys[Int($0)].lsoa, keys[Int($0)].tag) < (keys[Int($1)].lsoa, keys[Int($1)].tag) }
        return order
    }

    /// Every (key, count) pair whose count is not zero, in key order (LSOA, month, crime
    /// type): `order` is this table's ``keyOrder()``.
    public func forEach(
        inOrder order: [Int32], _ body: (IncidentCounter.Key, Int) throws -> Void
    ) rethrows {
        for b in order {
            let block = Int(b), page = block >> Self.pageShift, inPage = block & (Self.pageBlocks - 1)
            let key = keyPages[page][inPage]
            var bits = usedPages[page][inPage]
            let month = Int32(bitPattern: UInt32(truncatingIfNeeded: key.tag >> 16))
            let high = UInt16(truncatingIfNeeded: key.tag) << 4
            while bits != 0 {
                let lane = bits.trailingZeroBitCount
                bits &= bits - 1
                let n = Int(cellPages[page][inPage &* Self.blockSize &+ lane])
                if n != 0 {
                    try body(IncidentCounter.Key(lsoa: key.lsoa, month: month, category: high | UInt16(lane)), n)
                }
            }
        }
    }

    /// The counts summed by (LSOA, year, crime type), where the key's `month` holds the
    /// year: non-zero sums only, in the order (LSOA, crime type, year). `order` is this
    /// table's ``keyOrder()``; one LSOA's sums are held at a time.
    public func forEachYear(
        inOrder order: [Int32], _ body: (IncidentCounter.Key, Int) throws -> Void
    ) rethrows {
        var lsoa: UInt64 = 0
        var sums: [UInt64: Int] = [:]
        func flush() throws {
            for (packed, n) in sums.sorted(by: { $0.key < $1.key }) where n != 0 {
                let key = IncidentCounter.Key(
                    lsoa: lsoa, month: Int32(truncatingIfNeeded: Int64(bitPattern: packed) & 0xFFFF_FFFF),
                    category: UInt16(truncatingIfNeeded: packed >> 32))
                try body(key, n)
            }
            sums.removeAll(keepingCapacity: true)
        }
        try forEach(inOrder: order) { k, n in
            if k.lsoa != lsoa {
                try flush()
                lsoa = k.lsoa
            }
            // category << 32 | year: sorting these sorts by (crime type, year).
            let year = UInt64(UInt32(bitPattern: k.month / 100))
            sums[UInt64(k.category) << 32 | year, default: 0] += n
        }
        try flush()
    }
}
