/// Writes one JSON object member by member into a byte buffer: `{` before the first, commas
/// between, `}` at `end`. Keys and strings are escaped as `PoliceAPIJSON.string` escapes them
/// (RFC 8259); `number` writes text the caller has already made a JSON number.
public struct JSONObjectWriter {
    private var members = 0

    public init() {}

    public mutating func key(_ name: String, to out: inout [UInt8]) {
        out.append(members == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        members += 1
        PoliceAPIJSON.string(name, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ name: String, _ value: String, to out: inout [UInt8]) {
        key(name, to: &out)
        PoliceAPIJSON.string(value, to: &out)
    }

    /// A member whose value is a JSON number already written as text (`12500.5`, `12`).
    public mutating func number(_ name: String, _ text: String, to out: inout [UInt8]) {
        key(name, to: &out)
        out.append(contentsOf: text.utf8)
    }

    public func end(_ out: inout [UInt8]) {
        if members == 0 { out.append(UInt8(ascii: "{")) }
        out.append(UInt8(ascii: "}"))
    }
}
