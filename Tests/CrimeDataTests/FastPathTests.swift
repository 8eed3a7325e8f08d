import CSVScan
import Foundation
@testable import CrimeData
import Testing

/// The import's hot-path helpers, each against a plain reference.
@Suite("fast paths")
struct FastPathTests {
    /// A deterministic generator, so a failure can be replayed.
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func referenceNibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    @Test("hexadecimal words: every byte value in every lane is judged and decoded as a byte loop would")
    func hexWordExhaustive() {
        let valid = Array("0123456789abcdefABCDEF".utf8)
        for lane in 0..<8 {
            for value in 0...255 {
                var bytes = (0..<8).map { valid[($0 * 5 + lane) % valid.count] }
                bytes[lane] = UInt8(value)
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                let (ok, decoded) = ByteParsing.hexWord(word)
                let nibbles = bytes.map(Self.referenceNibble)
                #expect(ok == !nibbles.contains(nil), "lane \(lane), byte \(value)")
                if ok {
                    let n = nibbles.map { $0! }
                    let expected = (0..<4).reduce(UInt32(0)) {
                        $0 | UInt32(n[2 * $1] << 4 | n[2 * $1 + 1]) << (8 * UInt32($1))
                    }
                    #expect(decoded == expected, "lane \(lane), byte \(value)")
                }
            }
        }
    }

    @Test("Crime IDs decode to their 32 bytes; a bad character anywhere is refused")
    func crimeIDs() {
        var rng = SplitMix(state: 7)
        let digits = Array("0123456789abcdefABCDEF".utf8)
        for _ in 0..<500 {
            var text = (0..<64).map { _ in digits[Int(rng.next() % UInt64(digits.count))] }
            var out = [UInt8](repeating: 0, count: 32)
            let ok = text.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { ByteParsing.crimeID(b, into: $0.baseAddress!) }
            }
            #expect(ok)
            #expect(text.withUnsafeBufferPointer { ByteParsing.isCrimeID($0) })
            let expected = (0..<32).map {
                Self.referenceNibble(text[2 * $0])! << 4 | Self.referenceNibble(text[2 * $0 + 1])!
            }
            #expect(out == expected)
            text[Int(rng.next() % 64)] = [0x67, 0x2C, 0x20, 0xC3, 0x00, 0x47][Int(rng.next() % 6)]
            #expect(!text.withUnsafeBufferPointer { ByteParsing.isCrimeID($0) })
            #expect(
                !text.withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { ByteParsing.crimeID(b, into: $0.baseAddress!) }
                })
        }
        #expect(!Array("abc".utf8).withUnsafeBufferPointer { ByteParsing.isCrimeID($0) })
    }

    @Test(
        "StableHash reads a field's last bytes in one load and still hashes as byte by byte (stored keys must not change)"
    )
    func stableHashTail() {
        var rng = SplitMix(state: 13)
        for length in 0..<48 {
            for _ in 0..<20 {
                let bytes = (0..<length + 8).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                // The field is the first `length` bytes: the load must not read past it.
                let fast: UInt64 = bytes.withUnsafeBufferPointer { all in
                    var h = StableHash(seed: 3)
                    h.combine(UnsafeBufferPointer(rebasing: all[0..<length]))
                    return h.state
                }
                var reference = StableHash(seed: 3)
                var i = 0
                while i + 8 <= length {
                    reference.mix((0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) })
                    i += 8
                }
                var tail: UInt64 = 0
                for (k, j) in (i..<length).enumerated() { tail |= UInt64(bytes[j]) << (8 * UInt64(k)) }
                reference.mix(tail ^ (UInt64(length) << 56))
                #expect(fast == reference.state, "length \(length)")
            }
        }
    }

    @Test("KeyCounter counts like a Dictionary, through growth and for the key 0")
    func keyCounter() {
        var rng = SplitMix(state: 11)
        var counter = KeyCounter(capacity: 4)
        var reference: [UInt64: UInt32] = [:]
        var keys: [UInt64] = [0]
        for _ in 0..<20_000 {
            let key = rng.next() % 3 == 0 ? keys[Int(rng.next() % UInt64(keys.count))] : rng.next()
            keys.append(key)
            reference[key, default: 0] += 1
            #expect(counter.increment(key) == reference[key]!)
        }
        #expect(counter.count == reference.count)
        // Past one byte's count: three keys seen 600 times each, interleaved.
        for _ in 0..<600 {
            for key in [keys[1], keys[2], 0] {
                reference[key, default: 0] += 1
                #expect(counter.increment(key) == reference[key]!)
            }
        }
        counter.removeAll()
        #expect(counter.count == 0)
        #expect(counter.increment(keys[1]) == 1)
        #expect(counter.increment(keys[1]) == 2)
    }

    @Test("ByteNameTable gives each distinct name one dense id, even names alike in length and ends")
    func byteNameTable() {
        let table = ByteNameTable()
        var names: [String] = []
        for name in CrimeCategory.known.map(\.name) where !names.contains(name) { names.append(name) }
        // Same length, same first and last eight bytes, different middle.
        names += ["Aaaaaaaa-1-Zzzzzzzz", "Aaaaaaaa-2-Zzzzzzzz", "", "x", "Other crime ", "Other crim"]
        names += (0..<300).map { "name \($0)" }
        for (i, name) in names.enumerated() {
            let first = Array(name.utf8).withUnsafeBufferPointer { table.id($0) }
            #expect(first.id == i && first.isNew)
        }
        for (i, name) in names.enumerated() {
            let again = Array(name.utf8).withUnsafeBufferPointer { table.id($0) }
            #expect(again.id == i && !again.isNew)
        }
        #expect(table.strings == names)
    }

    @Test("the AVX2 and portable field splitters agree on random records")
    func splitters() {
        var rng = SplitMix(state: 3)
        let alphabet = Array("ab,,,\n\r\"x1 ".utf8)
        var a = [Int](repeating: 0, count: 64), b = a, c = a, d = a
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 120)
            let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let start = length == 0 ? 0 : Int(rng.next() % UInt64(length))
            let capacity = Int(rng.next() % 2 == 0 ? 64 : 3)
            var n1 = 0, n2 = 0
            let r1 = bytes.withUnsafeBufferPointer {
                csv_split_simple($0.baseAddress, start, length, &a, &b, capacity, &n1)
            }
            let r2 = bytes.withUnsafeBufferPointer {
                csv_split_simple_portable($0.baseAddress, start, length, &c, &d, capacity, &n2)
            }
            #expect(r1 == r2)
            if r1 > 0 || r1 == Int(CSV_SCAN_MORE_FIELDS) { #expect(n1 == n2) }
            if r1 > 0 {
                #expect(Array(a[0..<n1]) == Array(c[0..<n2]) && Array(b[0..<n1]) == Array(d[0..<n2]))
                // Against a byte loop: fields end at commas, the record at its LF (less a CR).
                let lf = bytes[start...].firstIndex(of: 0x0A)!
                #expect(r1 == lf + 1)
                var fields: [(Int, Int)] = [], from = start
                for i in start..<lf where bytes[i] == 0x2C {
                    fields.append((from, i))
                    from = i + 1
                }
                fields.append((from, lf > from && bytes[lf - 1] == 0x0D ? lf - 1 : lf))
                #expect(fields.map(\.0) == Array(a[0..<n1]) && fields.map(\.1) == Array(b[0..<n1]))
            }
        }
    }

    @Test("the projection's fast path agrees with the direct formulas to a micrometre across Great Britain")
    func projectionFastPath() {
        var rng = SplitMix(state: 5)
        var cache = BritishNationalGrid.Cache(slots: 64)
        for _ in 0..<5_000 {
            let p = GeoPoint(
                longitude: -6.5 + Double(rng.next() % 1_000_000) / 1_000_000 * 8.3,
                latitude: 49.9 + Double(rng.next() % 1_000_000) / 1_000_000 * 8.8)
            let fast = BritishNationalGrid.grid(from: p)
            let direct = Self.directGrid(p)
            #expect(abs(fast.easting - direct.easting) < 1e-6 && abs(fast.northing - direct.northing) < 1e-6)
            #expect(cache.grid(from: p) == fast)
            #expect(cache.grid(from: p) == fast)
        }
    }

    /// The textbook path: Helmert on cartesian coordinates, `atan2` iteration, then the
    /// projection with its own sine, cosine and tangent.
    static func directGrid(_ p: GeoPoint) -> GridPoint {
        typealias B = BritishNationalGrid
        let (x, y, z) = B.cartesian(
            lat: p.latitude * .pi / 180, lon: p.longitude * .pi / 180, a: B.wgsA, b: B.wgsA * (1 - B.wgsF))
        let k = 1 + B.s
        let dx = (x - B.tx) / k, dy = (y - B.ty) / k, dz = (z - B.tz) / k
        let (lat, lon) = B.geodetic(
            x: dx + B.rz * dy - B.ry * dz, y: -B.rz * dx + dy + B.rx * dz, z: B.ry * dx - B.rx * dy + dz, a: B.airyA,
            b: B.airyB)
        let e2 = 1 - (B.airyB * B.airyB) / (B.airyA * B.airyA)
        let sinLat = sin(lat), cosLat = cos(lat), tanLat = tan(lat)
        let nu = B.airyA * B.f0 / (1 - e2 * sinLat * sinLat).squareRoot()
        let rho = B.airyA * B.f0 * (1 - e2) / pow(1 - e2 * sinLat * sinLat, 1.5)
        let eta2 = nu / rho - 1
        let m = B.meridionalArc(lat)
        let cos3 = cosLat * cosLat * cosLat, cos5 = cos3 * cosLat * cosLat
        let tan2 = tanLat * tanLat, tan4 = tan2 * tan2
        let dl = lon - B.lon0, dl2 = dl * dl
        let north =
            m + B.n0 + nu / 2 * sinLat * cosLat * dl2
            + nu / 24 * sinLat * cos3 * (5 - tan2 + 9 * eta2) * dl2 * dl2
            + nu / 720 * sinLat * cos5 * (61 - 58 * tan2 + tan4) * dl2 * dl2 * dl2
        let east =
            B.e0 + nu * cosLat * dl + nu / 6 * cos3 * (nu / rho - tan2) * dl2 * dl
            + nu / 120 * cos5 * (5 - 18 * tan2 + tan4 + 14 * eta2 - 58 * tan2 * eta2) * dl2 * dl2 * dl
        return GridPoint(easting: east, northing: north)
    }
}
