import Fluent

/// Stop and search records, column for column as police.uk publishes them.
struct CreateStopSearches: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE stop_searches (id \(f.serialKey), slice_id \(f.bigint) NOT NULL,
                  row_key \(f.bigint) NOT NULL, content_hash \(f.bigint) NOT NULL, month INTEGER NOT NULL,
                  type TEXT NOT NULL, datetime TEXT NOT NULL, part_of_operation TEXT NOT NULL, operation_name TEXT NOT NULL,
                  latitude \(f.double), longitude \(f.double), gender TEXT NOT NULL, age_range TEXT NOT NULL,
                  self_defined_ethnicity TEXT NOT NULL, officer_defined_ethnicity TEXT NOT NULL, legislation TEXT NOT NULL,
                  object_of_search TEXT NOT NULL, outcome TEXT NOT NULL, outcome_linked_to_object TEXT NOT NULL,
                  removal_of_more_than_outer_clothing TEXT NOT NULL)
                """,
                "CREATE UNIQUE INDEX stop_searches_slice_key ON stop_searches (slice_id, row_key)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE stop_searches"], on: database)
    }
}
