import Foundation

/// Writes RFC 4180 CSV: fields holding a comma, quote, CR or LF are quoted, quotes doubled;
/// records end with CRLF as the RFC specifies.
///
/// Every field is also neutralised against formula injection as OWASP recommends: a field
/// that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or CR)
/// gets a leading apostrophe and is quoted, so `=HYPERLINK(…)` typed by a partner shows as
/// text in the OPCC's spreadsheet. Plain numbers such as `-1.5` or `+3` are left alone.
public enum CSVWriter {
    public static func field(_ s: String) -> String {
        if let first = s.utf8.first, formulaStarts.contains(first), !isPlainNumber(s) {
            return "\"'" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        // Bytes, not characters: a comma, quote, CR or LF is one ASCII byte, never part of another.
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// `=`, `+`, `-`, `@`, tab and CR.
    static let formulaStarts: Set<UInt8> = [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D]

    /// A decimal number with an optional sign, point and exponent (`-1.5`, `+3`, `-2e-5`):
    /// a spreadsheet reads it as a number, never as a formula.
    static func isPlainNumber(_ s: String) -> Bool {
        var digits = 0, seenPoint = false, seenExponent = false, previous: UInt8 = 0
        for (k, b) in s.utf8.enumerated() {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard k == 0 || previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") else { return false }
            case UInt8(ascii: "."):
                guard !seenPoint, !seenExponent else { return false }
                seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard digits > 0, !seenExponent else { return false }
                seenExponent = true
            default: return false
            }
            previous = b
        }
        return digits > 0 && previous != UInt8(ascii: "e") && previous != UInt8(ascii: "E")
            && previous != UInt8(ascii: "+") && previous != UInt8(ascii: "-")
    }
}
