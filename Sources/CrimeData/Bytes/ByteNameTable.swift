/// Dense ids 0, 1, 2, … for the few distinct names a hot loop meets (crime types, outcome
/// categories), looked up straight from bytes: a hash of the length and the first and last
/// eight bytes picks a slot (open addressing, linear probing, kept under half full), and the
/// bytes are then compared exactly. No `String` is made and nothing is retained per lookup.
///
/// One thread at a time: it is a class so that the hot loop mutates it in place, and its
/// properties skip the runtime exclusivity checks (measured at 10% of the counting loop).
public final class ByteNameTable {
    /// Slot → id + 1 (0 is empty).
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var slotMask: Int
    /// All names' bytes, back to back; name `i` is `bytes[offsets[i] ..< offsets[i] + lengths[i]]`.
    @exclusivity(unchecked) private var bytes: [UInt8] = []
    @exclusivity(unchecked) private var offsets: [Int] = []
    @exclusivity(unchecked) private var lengths: [Int] = []
    @exclusivity(unchecked) private var hashes: [UInt64] = []

    public init() {
        slotMask = 63
        slots = .allocate(capacity: slotMask + 1)
        slots.initialize(repeating: 0, count: slotMask + 1)
    }

    deinit { slots.deallocate() }

    /// Number of distinct names.
    public var count: Int { lengths.count }

    /// The id of `name`, adding it if new (`isNew` tells which).
    @inline(__always)
    public func id(_ name: UnsafeBufferPointer<UInt8>) -> (id: Int, isNew: Bool) {
        let h = Self.hash(name)
        var i = Int(truncatingIfNeeded: h >> 40) & slotMask
        while true {
            let entry = Int(slots[i])
            if entry == 0 { break }
            if hashes[entry - 1] == h && matches(entry - 1, name) { return (entry - 1, false) }
            i = (i + 1) & slotMask
        }
        let id = lengths.count
        offsets.append(bytes.count)
        lengths.append(name.count)
        hashes.append(h)
        bytes.append(contentsOf: name)
        slots[i] = Int32(id + 1)
        if lengths.count * 2 > slotMask { rehash() }
        return (id, true)
    }

    /// Name `id` as text.
    public func string(_ id: Int) -> String {
        String(decoding: bytes[offsets[id]..<offsets[id] + lengths[id]], as: UTF8.self)
    }

    /// Every name, by id.
    public var strings: [String] { (0..<count).map(string) }

    @inline(__always)
    private func matches(_ id: Int, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lengths[id] == name.count else { return false }
        return bytes.withUnsafeBufferPointer { all in
            ByteParsing.equal(UnsafeBufferPointer(rebasing: all[offsets[id]..<offsets[id] + name.count]), name)
        }
    }

    private func rehash() {
        let size = (slotMask + 1) * 2
        slots.deallocate()
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        slotMask = size - 1
        for (id, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h >> 40) & slotMask
            while slots[i] != 0 { i = (i + 1) & slotMask }
            slots[i] = Int32(id + 1)
        }
    }

    /// Length, first and last (up to) eight bytes, mixed (splitmix64's finaliser).
    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = b.count
        var first: UInt64 = 0, last: UInt64 = 0
        if n >= 8, let base = b.baseAddress {
            first = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
            last = UnsafeRawPointer(base + n - 8).loadUnaligned(as: UInt64.self)
        } else {
            for i in 0..<n { first |= UInt64(b[i]) << (8 * UInt64(i)) }
        }
        var x = first &* 0x9E37_79B9_7F4A_7C15 ^ last ^ UInt64(n) &* 0xC2B2_AE3D_27D4_EB4F
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }
}
