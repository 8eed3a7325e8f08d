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

    /// An aggregate joining the text `expression` of a group's rows with `separator` (SQL
    /// text, e.g. `';'`), in no promised order; NULL for no rows.
    func joined(_ expression: String, by separator: String) -> String {
        self == .sqlite ? "group_concat(\(expression), \(separator))" : "string_agg(\(expression), \(separator))"
    }

    /// A line break as an SQL text expression.
    var newline: String { self == .sqlite ? "char(10)" : "chr(10)" }

    /// Triggers that refuse every UPDATE and DELETE on `table` (a log that may only grow),
    /// with `message` as the error.
    func appendOnly(_ table: String, message: String) -> [String] {
        switch self {
        case .sqlite:
            ["UPDATE", "DELETE"].map { event in
                """
                CREATE TRIGGER \(table)_no_\(event.lowercased()) BEFORE \(event) ON \(table)
                BEGIN SELECT RAISE(ABORT, '\(message)'); END
                """
            }
        case .postgres:
            [
                """
                CREATE FUNCTION \(table)_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '\(message)'; END $$
                """,
                """
                CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table)
                FOR EACH ROW EXECUTE FUNCTION \(table)_append_only()
                """,
            ]
        }
    }

    /// What `appendOnly` leaves behind once its table is dropped (PostgreSQL's function).
    func dropAppendOnly(_ table: String) -> [String] {
        self == .postgres ? ["DROP FUNCTION \(table)_append_only()"] : []
    }
}

extension Database {
    /// This database as SQLKit, which both drivers provide.
    var sql: any SQLDatabase { self as! any SQLDatabase }
}

/// Runs each statement in order (SQLite's driver takes one statement per call).
func execute(_ statements: [String], on db: any Database) async throws {
    for statement in statements { try await db.sql.raw(SQLQueryString(statement)).run() }
}
