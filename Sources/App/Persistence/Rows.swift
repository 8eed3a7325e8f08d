import SQLKit

/// The one way SaferStreets reads rows: snake_case columns (`created_at`) decode into
/// camelCase properties (`createdAt`) of typed row structs, on SQLite and PostgreSQL alike
/// (`ColumnName` below).
/// `scripts/check_layout.sh` refuses SQLKit's own `all(decoding:)` / `first(decoding:)`
/// anywhere else, so every row struct is read the same way.
extension SQLQueryFetcher {
    /// Every row of the query as `Row`.
    func rows<Row: Decodable>(_: Row.Type) async throws -> [Row] {
        try await all(decoding: Row.self, keyDecodingStrategy: ColumnName.strategy)
    }

    /// The first row of the query as `Row`, or nil when there is none.
    func row<Row: Decodable>(_: Row.Type) async throws -> Row? {
        try await first(decoding: Row.self, keyDecodingStrategy: ColumnName.strategy)
    }

    /// The `id` an `INSERT … RETURNING id` gave the new row. A statement that returned no
    /// row is an error to report, not a reason to stop the server.
    func insertedID() async throws -> Int {
        guard let id = try await first(decodingColumn: "id", as: Int.self) else {
            throw InsertError.noRowReturned
        }
        return id
    }
}

/// Property names to column names: `createdAt` → `created_at`, `evidenceUrl` → `evidence_url`.
/// Done byte by byte on ASCII names: SQLKit's own `.convertFromSnakeCase` asks Unicode for
/// each character's case on every key of every row, which was most of the time of a page
/// that reads a few thousand rows (the plan's scorecard: p95 112 → 68 ms, BENCHMARKS.md).
enum ColumnName {
    static let strategy = SQLRowDecoder.KeyDecodingStrategy.custom { path in
        Key(stringValue: snakeCase(path.last?.stringValue ?? ""))
    }

    static func snakeCase(_ name: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count + 4)
        for b in name.utf8 {
            if b >= 65 && b <= 90 {
                if !out.isEmpty { out.append(95) }
                out.append(b + 32)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

enum InsertError: Error, CustomStringConvertible {
    case noRowReturned
    var description: String { "the database returned no id for the new row" }
}
