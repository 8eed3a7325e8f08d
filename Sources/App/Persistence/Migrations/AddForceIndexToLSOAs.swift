import Fluent

/// Rankings select a force's LSOAs by `police_force`; without an index that is a scan of
/// all 34,753 rows on every request.
struct AddForceIndexToLSOAs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await execute(["CREATE INDEX lsoas_police_force ON lsoas (police_force)"], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP INDEX lsoas_police_force"], on: database)
    }
}
