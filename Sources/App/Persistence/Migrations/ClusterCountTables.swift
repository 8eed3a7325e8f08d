import Fluent

/// On SQLite, stores the maintained count tables in key order (`WITHOUT ROWID`): a ranking
/// reads one force's LSOAs month by month, and with the rows clustered by
/// (lsoa_code, month, category_id) that is a few hundred neighbouring pages instead of tens
/// of thousands of rows scattered through a file the import wrote in arrival order
/// (measured: 0.30 s → see BENCHMARKS.md, run E). PostgreSQL keeps its heap tables.
struct ClusterCountTables: AsyncMigration, RewritesTables {
    func rewrittenTables(flavor: SQLFlavor) -> [String] { flavor == .sqlite ? Self.tables.map(\.0) : [] }

    static let tables = [
        ("counts_by_lsoa", "lsoa_code TEXT NOT NULL", "lsoa_code"),
        ("counts_by_force", "force_id TEXT NOT NULL", "force_id"),
    ]

    func prepare(on database: any Database) async throws {
        try await rebuild(database, clustered: true)
    }

    func revert(on database: any Database) async throws {
        try await rebuild(database, clustered: false)
    }

    /// Copies each table into a new one with the same key, clustered or not, and swaps it in.
    private func rebuild(_ database: any Database, clustered: Bool) async throws {
        guard SQLFlavor(database.sql) == .sqlite else { return }
        for (table, keyColumn, key) in Self.tables {
            try await execute(
                [
                    """
                    CREATE TABLE \(table)_rebuilt (\(keyColumn), month INTEGER NOT NULL, category_id INTEGER NOT NULL,
                      count INTEGER NOT NULL, PRIMARY KEY (\(key), month, category_id))\(clustered ? " WITHOUT ROWID" : "")
                    """,
                    "INSERT INTO \(table)_rebuilt SELECT \(key), month, category_id, count FROM \(table)",
                    "DROP TABLE \(table)",
                    "ALTER TABLE \(table)_rebuilt RENAME TO \(table)",
                ], on: database)
        }
    }
}
