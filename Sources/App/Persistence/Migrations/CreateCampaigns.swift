import Fluent

/// Campaigns, their target areas, participating organisations and links; a plan per target
/// area; actions with an owner organisation; dated progress updates on each action.
struct CreateCampaigns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE campaigns (id \(f.serialKey), slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                  description TEXT NOT NULL DEFAULT '', starts_on TEXT NOT NULL, ends_on TEXT NOT NULL, created_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE campaign_organisations (campaign_id \(f.bigint) NOT NULL REFERENCES campaigns (id),
                  organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id), PRIMARY KEY (campaign_id, organisation_id))
                """,
                """
                CREATE TABLE campaign_links (id \(f.serialKey), campaign_id \(f.bigint) NOT NULL REFERENCES campaigns (id),
                  title TEXT NOT NULL, url TEXT NOT NULL)
                """,
                """
                CREATE TABLE plans (id \(f.serialKey), campaign_id \(f.bigint) NOT NULL REFERENCES campaigns (id),
                  area_id \(f.bigint) NOT NULL REFERENCES areas (id), problem_profile TEXT NOT NULL DEFAULT '',
                  priorities TEXT NOT NULL DEFAULT '', evidence_url TEXT NOT NULL DEFAULT '', UNIQUE (campaign_id, area_id))
                """,
                """
                CREATE TABLE plan_actions (id \(f.serialKey), plan_id \(f.bigint) NOT NULL REFERENCES plans (id),
                  title TEXT NOT NULL, owner_organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id),
                  lead_name TEXT NOT NULL, due_on TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)
                """,
                "CREATE INDEX plan_actions_plan ON plan_actions (plan_id)",
                """
                CREATE TABLE action_updates (id \(f.serialKey), action_id \(f.bigint) NOT NULL REFERENCES plan_actions (id),
                  at TEXT NOT NULL, user_id \(f.bigint) REFERENCES users (id), status TEXT NOT NULL, note TEXT NOT NULL)
                """,
                "CREATE INDEX action_updates_action ON action_updates (action_id)",
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP TABLE action_updates", "DROP TABLE plan_actions", "DROP TABLE plans", "DROP TABLE campaign_links",
                "DROP TABLE campaign_organisations", "DROP TABLE campaigns",
            ], on: database)
    }
}
