import CrimeData
import Fluent
import NIOPosix
import SQLKit

/// Loads the bundled ONS LSOA reference, the police.uk forces and the crime categories
/// on first migrate. Safe to repeat: each table is filled only when empty. The 34,753
/// LSOAs go through the importer's bulk path (one prepared statement on SQLite, COPY on
/// PostgreSQL) in one transaction.
struct GeographyLoader {
    let database: any Database
    let config: AppConfig
    /// The synchronous bulk store blocks its thread: it must never run on Swift's
    /// cooperative pool (where PostgresNIO's answers also need a thread), so it runs here.
    let threadPool: NIOThreadPool

    func loadIfEmpty() async throws {
        let sql = database.sql
        // Another instance starting at the same moment may load them first: its transaction
        // wins, this one's fails (a duplicate key, or SQLite's lock), and the table is full.
        if try await count("lsoas", sql) == 0 {
            do {
                try await loadLSOAs()
            } catch {
                // The other instance's load may still be running: wait up to a minute for it.
                for _ in 0..<120 where try await count("lsoas", sql) == 0 {
                    try await Task.sleep(nanoseconds: 500_000_000)
                }
                if try await count("lsoas", sql) == 0 { throw error }
            }
        }
        try await fillMissingForces()
        do { try await loadForcesAndCategories() } catch {
            let forces = try await count("forces", sql), categories = try await count("crime_categories", sql)
            if forces == 0 || categories == 0 { throw error }
        }
    }

    private func loadLSOAs() async throws {
        let config = self.config
        try await threadPool.runIfActive {
            let lsoas = try LSOAReference.bundled()
            let store = try ImportStores.make(config)
            try store.begin()
            do {
                try store.insertLSOAs(lsoas)
                try store.commit()
            } catch {
                store.rollback()
                throw error
            }
        }
    }

    /// Databases loaded from the reference before it named the force of every LSOA (Wales
    /// and 68 English districts were blank) get the forces now: one query when none is
    /// missing, one update per force otherwise. Rows that already name a force are kept.
    private func fillMissingForces() async throws {
        let sql = database.sql
        let missing =
            try await sql.raw("SELECT COUNT(*) AS n FROM lsoas WHERE police_force = ''")
            .first(decodingColumn: "n", as: Int.self) ?? 0
        guard missing > 0 else { return }
        let lsoas = try await threadPool.runIfActive { try LSOAReference.bundled() }
        let codesByForce = Dictionary(grouping: lsoas.filter { !$0.policeForce.isEmpty }, by: \.policeForce)
        try await database.transaction { tx in
            for (force, members) in codesByForce.sorted(by: { $0.key < $1.key }) {
                for chunk in members.map(\.code).chunks(of: 1000) {
                    try await tx.sql.raw(
                        "UPDATE lsoas SET police_force = \(bind: force) WHERE police_force = '' AND code IN (\(binds: Array(chunk)))"
                    ).run()
                }
            }
            try await tx.sql.raw(SQLQueryString(DataVersion.bump)).run()
        }
    }

    private func loadForcesAndCategories() async throws {
        try await database.transaction { tx in
            let sql = tx.sql
            if try await count("forces", sql) == 0 {
                var insert = sql.insert(into: "forces").columns("id", "name")
                for force in PoliceForce.known { insert = insert.values(SQLBind(force.id), SQLBind(force.name)) }
                try await insert.run()
            }
            if try await count("crime_categories", sql) == 0 {
                var insert = sql.insert(into: "crime_categories").columns("id", "name", "slug")
                for (i, c) in CrimeCategory.known.enumerated() {
                    insert = insert.values(SQLBind(i + 1), SQLBind(c.name), SQLBind(c.slug))
                }
                try await insert.run()
            }
        }
    }

    private func count(_ table: String, _ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decodingColumn: "n", as: Int.self) ?? 0
    }
}
