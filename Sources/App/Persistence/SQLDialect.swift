import Fluent
import SQLKit

/// The two databases SaferStreets runs on, for the few places where their SQL differs.
enum SQLFlavor {
    case sqlite, postgres

    init(_ db: any SQLDatabase) {
        self = db.dialect.name == "postgresql" ? .postgres : .sqlite
    }

    /// An auto-numbered 64-bit primary key column.
    var serialKey: String { self == .sqlite ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY" }
    var bigint: String { self == .sqlite ? "INTEGER" : "BIGINT" }
    var blob: String { self == .sqlite ? "BLOB" : "BYTEA" }
    var double: String { self == .sqlite ? "REAL" : "DOUBLE PRECISION" }
}

extension Database {
    /// This database as SQLKit, which both drivers provide.
    var sql: any SQLDatabase { self as! any SQLDatabase }
}

/// Runs each statement in order (SQLite's driver takes one statement per call).
func execute(_ statements: [String], on db: any Database) async throws {
    for statement in statements { try await db.sql.raw(SQLQueryString(statement)).run() }
}
