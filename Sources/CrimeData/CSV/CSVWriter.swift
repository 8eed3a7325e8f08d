import Foundation

/// Writes RFC 4180 CSV: fields holding a comma, quote, CR or LF are quoted, quotes doubled;
/// records end with CRLF as the RFC specifies.
public enum CSVWriter {
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}
