import Foundation

/// A parsed JSON value that keeps JSON's own types apart (a boolean is not a number, an
/// integer is not a string), for comparing answers with documented examples.
indirect enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object(
        [String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .integer(i)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .integer(let i): "\(i)"
        case .number(let d): "\(d)"
        case .string(let s): "\"\(s)\""
        case .array(let a): "[\(a.count) items]"
        case .object(let o): "{\(o.keys.sorted().joined(separator: ","))}"
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var array: [JSONValue] {
        if case .array(let a) = self { return a }
        return []
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var integer: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// Differences in shape between `self` (an answer) and `documented` (an example):
    /// the same keys at every level, the same JSON type for every value; a null on either
    /// side is accepted only for a key in `nullable`. Arrays: every element of the answer
    /// is compared with the example's element it is closest to.
    /// Keys in `optional` may be absent from the answer (police.uk leaves them out too
    /// when it has nothing, e.g. a neighbourhood's contact details).
    func shapeDifferences(
        from documented: JSONValue, nullable: Set<String>, optional: Set<String> = [], path: String = "$"
    ) -> [String] {
        switch (self, documented) {
        case (.object(let ours), .object(let theirs)):
            var problems: [String] = []
            for key in Set(theirs.keys).subtracting(ours.keys).subtracting(optional).sorted() {
                problems.append("\(path).\(key): missing")
            }
            for key in Set(ours.keys).subtracting(theirs.keys).sorted() {
                problems.append("\(path).\(key): not in police.uk's answer")
            }
            for key in Set(ours.keys).intersection(theirs.keys).sorted() {
                let (a, b) = (ours[key]!, theirs[key]!)
                if a == .null || b == .null {
                    if a.typeName != b.typeName && !nullable.contains(key) {
                        problems.append("\(path).\(key): \(a.typeName) where police.uk has \(b.typeName)")
                    }
                    continue
                }
                problems += a.shapeDifferences(from: b, nullable: nullable, optional: optional, path: "\(path).\(key)")
            }
            return problems
        case (.array(let ours), .array(let theirs)):
            // Each element against the example it is closest to (an ASB entry against
            // police.uk's ASB entry, a crime with an outcome against one with an outcome).
            guard !theirs.isEmpty else { return [] }
            return ours.enumerated().flatMap { item in
                theirs.map {
                    item.element.shapeDifferences(
                        from: $0, nullable: nullable, optional: optional, path: "\(path)[\(item.offset)]")
                }
                .min { $0.count < $1.count }!
            }
        default:
            return typeName == documented.typeName
                ? [] : ["\(path): \(typeName) where police.uk has \(documented.typeName)"]
        }
    }
}
