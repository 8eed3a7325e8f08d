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
    public static func crimeID(_ b: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Bool {
        guard b.count == 64 else { return false }
        for i in 0..<32 {
            guard let hi = hexValue(b[2 * i]), let lo = hexValue(b[2 * i + 1]) else { return false }
            out[i] = hi << 4 | lo
        }
        return true
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    /// Whether two byte buffers hold the same bytes.
    @inline(__always)
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        if a.count == 0 { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
