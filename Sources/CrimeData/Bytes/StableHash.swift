/// A fast 64-bit hash that is the same on every run and machine (unlike `Hasher`),
/// used for the import's row keys and change detection. Not cryptographic.
///
/// Eight bytes at a time are mixed with a multiply–xorshift step (the mixing of
/// wyhash/rapidhash, simplified); the final value goes through the `fmix64` finaliser
/// of MurmurHash3 so that nearby inputs spread over all 64 bits.
public struct StableHash {
    public private(set) var state: UInt64

    public init(seed: UInt64 = 0x9E37_79B9_7F4A_7C15) { state = seed }

    @inline(__always)
    mutating func mix(_ word: UInt64) {
        let m = (state ^ word).multipliedFullWidth(by: 0xA076_1D64_78BD_642F)
        state = m.high ^ m.low
    }

    /// Adds bytes, and their length so that field boundaries matter.
    @inline(__always)
    public mutating func combine(_ b: UnsafeBufferPointer<UInt8>) {
        var i = 0
        let n = b.count
        if let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                mix(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            var tail: UInt64 = 0
            if i < n && n >= 8 {
                // The last 1–7 bytes, little-endian, from one load of the final eight
                // (the same value as assembling them one by one, below).
                tail = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) >> (UInt64(8 - (n - i)) * 8)
            } else {
                var shift: UInt64 = 0
                while i < n {
                    tail |= UInt64(base[i]) << shift
                    shift += 8
                    i += 1
                }
            }
            mix(tail ^ (UInt64(n) << 56))
        } else {
            mix(0xFF << 56)
        }
    }

    @inline(__always)
    public mutating func combine(_ value: UInt64) { mix(value) }

    @inline(__always)
    public mutating func combine(_ value: Int) { mix(UInt64(bitPattern: Int64(value))) }

    public mutating func combine(_ s: String) {
        var s = s
        s.withUTF8 { combine($0) }
    }

    /// The hash, finalised; as `Int64` so that it fits a database INTEGER column.
    public var value: Int64 {
        var h = state
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return Int64(bitPattern: h)
    }
}
