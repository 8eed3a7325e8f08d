import Fluent
import SQLKit

/// What each plan means to deliver: an amount of each activity type (hours of patrol,
/// young people reached…), for "delivered against planned" on the plan and the dashboard.
struct CreatePlanTargets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE plan_targets (plan_id \(f.bigint) NOT NULL REFERENCES plans (id), type TEXT NOT NULL,
                  amount \(f.double) NOT NULL, PRIMARY KEY (plan_id, type))
                """
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(["DROP TABLE plan_targets"], on: database)
    }
}
