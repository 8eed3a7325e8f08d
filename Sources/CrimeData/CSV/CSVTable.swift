import Foundation

/// A small CSV file uploaded by a person (activity records, measure figures): read whole,
/// with a header, bounded in rows and columns, refused with one clear reason if it is not
/// such a file. Each record keeps its line number for error messages.
public struct CSVTable: Sendable {
    public struct Record: Sendable {
        public var line: Int
        public var fields: [String]
    }

    /// The header's names, trimmed and lower-cased.
    public var header: [String]
    /// The records after the header, blank lines left out.
    public var records: [Record]

    /// Reads `bytes`, or says in words why it cannot (for "the file …").
    public static func read(_ bytes: [UInt8], maximumRows: Int, maximumColumns: Int) -> Result<CSVTable, Refusal> {
        // PostgreSQL refuses NUL in text, and no text file holds one.
        if bytes.contains(0) { return .failure(Refusal("the file contains NUL bytes, so it is not a text CSV file")) }
        var rows: [Record] = []
        var tooWide: (line: Int, columns: Int)?
        let parser = CSVParser(maximumRecordBytes: 64 << 10) { row in
            guard row.count <= maximumColumns else {
                tooWide = (row.line, row.count)
                throw Limit()
            }
            rows.append(Record(line: row.line, fields: row.strings))
            if rows.count > maximumRows + 1 { throw Limit() }
        }
        do {
            try bytes.withUnsafeBytes { try parser.feed($0) }
            try parser.finish()
        } catch is Limit {
            if let tooWide {
                return .failure(
                    Refusal(
                        "line \(tooWide.line) has \(tooWide.columns) columns; this file has at most \(maximumColumns)"))
            }
            return .failure(Refusal("more than \(maximumRows) rows; split the file"))
        } catch {
            return .failure(Refusal("not a readable CSV file (\(error))"))
        }
        guard let first = rows.first else { return .failure(Refusal("the file is empty")) }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let records = rows.dropFirst().filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }
        return .success(CSVTable(header: header, records: Array(records)))
    }

    /// Why a file was refused as a whole.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    private struct Limit: Error {}
}
