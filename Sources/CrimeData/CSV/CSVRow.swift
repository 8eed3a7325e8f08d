/// One parsed CSV record: a view into the parser's buffer, valid only inside the
/// parser's callback. Fields are byte ranges; ask for `string(_:)` only when needed.
public struct CSVRow: ~Copyable {
    let base: UnsafePointer<UInt8>
    let starts: UnsafePointer<Int>
    let ends: UnsafePointer<Int>
    /// Number of fields in the record.
    public let count: Int
    /// 1-based physical line on which the record starts.
    public let line: Int

    /// The bytes of field `i` (unescaped), or an empty buffer if `i` is out of range.
    @inline(__always)
    public func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        guard i < count else { return UnsafeBufferPointer(start: base, count: 0) }
        return UnsafeBufferPointer(start: base + starts[i], count: ends[i] - starts[i])
    }

    /// Field `i` decoded as UTF-8 (invalid sequences are repaired), "" if out of range.
    public func string(_ i: Int) -> String {
        String(decoding: bytes(i), as: UTF8.self)
    }

    /// True when field `i` is empty or absent.
    @inline(__always)
    public func isEmpty(_ i: Int) -> Bool { i >= count || ends[i] == starts[i] }

    /// All fields as strings (for headers and error messages).
    public var strings: [String] { (0..<count).map { string($0) } }
}
