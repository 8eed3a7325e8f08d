import SQLKit

/// The one way SaferStreets reads rows: snake_case columns (`created_at`) decode into
/// camelCase properties (`createdAt`) of typed row structs, on SQLite and PostgreSQL alike.
/// `scripts/check_layout.sh` refuses SQLKit's own `all(decoding:)` / `first(decoding:)`
/// anywhere else, so every row struct is read the same way.
extension SQLQueryFetcher {
    /// Every row of the query as `Row`.
    func rows<Row: Decodable>(_: Row.Type) async throws -> [Row] {
        try await all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// The first row of the query as `Row`, or nil when there is none.
    func row<Row: Decodable>(_: Row.Type) async throws -> Row? {
        try await first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
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

enum InsertError: Error, CustomStringConvertible {
    case noRowReturned
    var description: String { "the database returned no id for the new row" }
}
