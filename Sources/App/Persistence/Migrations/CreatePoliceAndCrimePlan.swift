import Fluent

/// The Police and Crime Plan: each version of the plan (a refresh makes a new version and
/// keeps the old one), its objectives and priority themes (with the objectives each serves),
/// the campaigns that serve a theme, and the plan's measures with their values, targets
/// and rebases.
///
/// A measure's values are one row per period (`period` is the first month, YYYYMM; a
/// quarter is its first month). Computed measures are recomputed from the stored police.uk
/// aggregates and the activity ledger after every import (`computed` = 1); entered ones
/// carry their source and who entered them.
struct CreatePoliceAndCrimePlan: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE pcc_plans (id \(f.serialKey), version INTEGER NOT NULL, title TEXT NOT NULL,
                  starts_on TEXT NOT NULL, ends_on TEXT NOT NULL, introduction TEXT NOT NULL DEFAULT '',
                  created_at TEXT NOT NULL, superseded_at TEXT)
                """,
                """
                CREATE TABLE pcc_objectives (id \(f.serialKey), plan_id \(f.bigint) NOT NULL REFERENCES pcc_plans (id),
                  position INTEGER NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '')
                """,
                """
                CREATE TABLE pcc_themes (id \(f.serialKey), plan_id \(f.bigint) NOT NULL REFERENCES pcc_plans (id),
                  position INTEGER NOT NULL, slug TEXT NOT NULL, title TEXT NOT NULL,
                  description TEXT NOT NULL DEFAULT '', lead_name TEXT NOT NULL DEFAULT '', UNIQUE (plan_id, slug))
                """,
                """
                CREATE TABLE pcc_theme_objectives (theme_id \(f.bigint) NOT NULL REFERENCES pcc_themes (id),
                  objective_id \(f.bigint) NOT NULL REFERENCES pcc_objectives (id), PRIMARY KEY (theme_id, objective_id))
                """,
                """
                CREATE TABLE campaign_themes (campaign_id \(f.bigint) NOT NULL REFERENCES campaigns (id),
                  theme_slug TEXT NOT NULL, PRIMARY KEY (campaign_id, theme_slug))
                """,
                """
                CREATE TABLE measures (id \(f.serialKey), slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                  definition TEXT NOT NULL DEFAULT '', unit TEXT NOT NULL DEFAULT '', frequency TEXT NOT NULL,
                  direction TEXT NOT NULL, owner TEXT NOT NULL DEFAULT '', source_kind TEXT NOT NULL,
                  categories TEXT NOT NULL DEFAULT '', geography_kind TEXT NOT NULL DEFAULT '',
                  geography_id TEXT NOT NULL DEFAULT '', per_thousand INTEGER NOT NULL DEFAULT 0,
                  activity_type TEXT NOT NULL DEFAULT '', baseline_first INTEGER, baseline_last INTEGER,
                  baseline_value \(f.double), target_kind TEXT NOT NULL DEFAULT '', target_value \(f.double),
                  target_by INTEGER, fix_limits_after INTEGER, position INTEGER NOT NULL DEFAULT 0,
                  created_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE measure_themes (measure_id \(f.bigint) NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
                  theme_slug TEXT NOT NULL, PRIMARY KEY (measure_id, theme_slug))
                """,
                """
                CREATE TABLE measure_values (measure_id \(f.bigint) NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
                  period INTEGER NOT NULL, value \(f.double) NOT NULL, numerator \(f.double), denominator \(f.double),
                  computed INTEGER NOT NULL, source TEXT NOT NULL DEFAULT '', entered_by \(f.bigint),
                  entered_at TEXT NOT NULL, PRIMARY KEY (measure_id, period))
                """,
                """
                CREATE TABLE measure_rebases (measure_id \(f.bigint) NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
                  period INTEGER NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (measure_id, period))
                """,
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP TABLE measure_rebases", "DROP TABLE measure_values", "DROP TABLE measure_themes",
                "DROP TABLE measures", "DROP TABLE campaign_themes", "DROP TABLE pcc_theme_objectives",
                "DROP TABLE pcc_themes", "DROP TABLE pcc_objectives", "DROP TABLE pcc_plans",
            ], on: database)
    }
}
