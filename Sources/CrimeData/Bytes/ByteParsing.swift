/// Small parsers that read ASCII fields straight from bytes, with no `String` made.
public enum ByteParsing {
    /// `YYYY-MM` as `YYYY * 100 + MM`, or nil if malformed or the month is not 1–12.
    @inline(__always)
    public static func month(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard b.count == 7, b[4] == 0x2D else { return nil }
        let y0 = Int(b[0]) &- 48, y1 = Int(b[1]) &- 48, y2 = Int(b[2]) &- 48, y3 = Int(b[3]) &- 48
        let m0 = Int(b[5]) &- 48, m1 = Int(b[6]) &- 48
        guard UInt(bitPattern: y0) < 10, UInt(bitPattern: y1) < 10, UInt(bitPattern: y2) < 10,
            UInt(bitPattern: y3) < 10, UInt(bitPattern: m0) < 10, UInt(bitPattern: m1) < 10
        else { return nil }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        let m = m0 * 10 + m1
        guard m >= 1 && m <= 12, year >= 1900 else { return nil }
        return year * 100 + m
    }

    /// `YYYY-MM` from a string.
    public static func month(_ s: String) -> Int? {
        var s = s
        return s.withUTF8 { month($0) }
    }

    /// `YYYYMM` as `YYYY-MM`.
    public static func monthString(_ yyyymm: Int) -> String {
        let m = yyyymm % 100
        return "\(yyyymm / 100)-\(m < 10 ? "0" : "")\(m)"
    }

    /// A decimal number such as `-1.550626`, `53.5974` or `12`, or nil if malformed.
    ///
    /// Up to 15 significant digits are accumulated exactly as an integer and divided by
    /// an exact power of ten, so the result is the correctly rounded double (Clinger's
    /// fast path); longer inputs fall back to the standard library parser.
    @inline(__always)
    public static func decimal(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let n = b.count
        guard n > 0 else { return nil }
        var negative = false
        if b[0] == 0x2D { negative = true; i = 1 } else if b[0] == 0x2B { i = 1 }
        var mantissa: Int64 = 0
        var digits = 0
        var fraction = 0
        var seenDot = false
        while i < n {
            let c = b[i]
            if c == 0x2E {
                if seenDot { return nil }
                seenDot = true
            } else {
                let d = Int64(c) &- 48
                guard d >= 0 && d <= 9 else { return slowDecimal(b) }
                mantissa = mantissa &* 10 &+ d
                digits += 1
                if seenDot { fraction += 1 }
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        if digits > 15 { return slowDecimal(b) }
        let value = Double(mantissa) / powersOfTen[fraction]
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...22).map { p in
        var v = 1.0
        for _ in 0..<p { v *= 10 }
        return v
    }

    private static func slowDecimal(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        Double(String(decoding: b, as: UTF8.self))
    }

    /// A police.uk Crime ID: 64 hexadecimal characters, decoded to 32 bytes.
    @inline(__always)
    public static func crimeID(_ b: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Bool {
        guard b.count == 64, let base = b.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        var valid = true
        for i in 0..<8 {
            let (ok, value) = hexWord(raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
            valid = valid && ok
            UnsafeMutableRawPointer(out + 4 * i).storeBytes(of: value.littleEndian, as: UInt32.self)
        }
        return valid
    }

    /// Whether `b` is 64 hexadecimal characters (a police.uk Crime ID).
    @inline(__always)
    public static func isCrimeID(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 64, let base = b.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        var valid = true
        for i in 0..<8 { valid = valid && hexWord(raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)).valid }
        return valid
    }

    /// Eight hexadecimal characters (a little-endian load) checked and decoded at once, SWAR:
    /// a byte is a digit when its low seven bits are in 0x30...0x39, a letter when, with the
    /// case bit set, they are in 0x61...0x66, and in both cases its high bit is clear; each
    /// range test is two subtractions whose high bits cannot borrow across bytes. The nibble
    /// of a valid character is its low four bits, plus 9 for a letter (bit 6 set).
    @inline(__always)
    static func hexWord(_ w: UInt64) -> (valid: Bool, value: UInt32) {
        let high: UInt64 = 0x8080_8080_8080_8080
        let clear = ~w & high
        let digit = ((w | high) &- 0x3030_3030_3030_3030) & ~((w | high) &- 0x3A3A_3A3A_3A3A_3A3A)
        let lower = w | 0x2020_2020_2020_2020
        let letter = ((lower | high) &- 0x6161_6161_6161_6161) & ~((lower | high) &- 0x6767_6767_6767_6767)
        let valid = ((digit | letter) & clear) == high
        let nibbles = (w & 0x0F0F_0F0F_0F0F_0F0F) &+ 9 &* ((w >> 6) & 0x0101_0101_0101_0101)
        // Byte 2k becomes nibble 2k << 4 | nibble 2k+1; then the even bytes are packed.
        var t = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF_00FF_00FF_00FF
        t = (t | (t >> 8)) & 0x0000_FFFF_0000_FFFF
        t = (t | (t >> 16)) & 0xFFFF_FFFF
        return (valid, UInt32(truncatingIfNeeded: t))
    }

    /// Whether two byte buffers hold the same bytes.
    @inline(__always)
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let x = a.baseAddress, let y = b.baseAddress else { return a.count == 0 }
        return memcmp(x, y, a.count) == 0
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ByteParsing {
    /// Bytes as lowercase hexadecimal (`0a1f…`), two digits each.
    public static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
