import Fluent

/// Commissioning and grants: funds (with the plan themes they serve), rounds with their
/// eligibility and application questions and scoring criteria, applications (drafts, then
/// submitted and final) with their answers and private files, the panel (members, declared
/// conflicts, independent scores, submissions), the officer's moderation and decision; awards
/// with indicators, payment schedules and payments; monitoring returns.
///
/// Money is whole pence (`BIGINT`). An award carries its fund and each indicator what accepted
/// returns have achieved (kept when a return is accepted), so the commissioning dashboard reads
/// them without joining every return. An organisation may carry its org-id identifier
/// (`GB-CHC-1234567`, `GB-COH-01234567`, …) for 360Giving.
struct CreateGrants: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                "ALTER TABLE organisations ADD COLUMN org_identifier TEXT NOT NULL DEFAULT ''",
                """
                CREATE TABLE funds (id \(f.serialKey), slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                  description TEXT NOT NULL DEFAULT '', theme_slugs TEXT NOT NULL DEFAULT '',
                  money_source TEXT NOT NULL DEFAULT '', budget_pence \(f.bigint) NOT NULL,
                  open_call INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE grant_rounds (id \(f.serialKey), fund_id \(f.bigint) NOT NULL REFERENCES funds (id),
                  slug TEXT NOT NULL, name TEXT NOT NULL, guidance TEXT NOT NULL DEFAULT '',
                  opens_at TEXT NOT NULL, closes_at TEXT NOT NULL, minimum_score \(f.double) NOT NULL DEFAULT 0,
                  created_at TEXT NOT NULL, UNIQUE (fund_id, slug))
                """,
                """
                CREATE TABLE round_questions (id \(f.serialKey), round_id \(f.bigint) NOT NULL REFERENCES grant_rounds (id),
                  position INTEGER NOT NULL, kind TEXT NOT NULL, prompt TEXT NOT NULL, word_limit INTEGER,
                  required INTEGER NOT NULL DEFAULT 1, fail_reason TEXT NOT NULL DEFAULT '')
                """,
                "CREATE INDEX round_questions_round ON round_questions (round_id, position)",
                """
                CREATE TABLE round_criteria (id \(f.serialKey), round_id \(f.bigint) NOT NULL REFERENCES grant_rounds (id),
                  position INTEGER NOT NULL, name TEXT NOT NULL, guidance TEXT NOT NULL DEFAULT '',
                  weight \(f.double) NOT NULL, max_score INTEGER NOT NULL)
                """,
                "CREATE INDEX round_criteria_round ON round_criteria (round_id, position)",
                """
                CREATE TABLE round_panel (round_id \(f.bigint) NOT NULL REFERENCES grant_rounds (id),
                  user_id \(f.bigint) NOT NULL REFERENCES users (id), PRIMARY KEY (round_id, user_id))
                """,
                """
                CREATE TABLE applications (id \(f.serialKey), round_id \(f.bigint) NOT NULL REFERENCES grant_rounds (id),
                  organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id), title TEXT NOT NULL,
                  amount_requested_pence \(f.bigint) NOT NULL DEFAULT 0, status TEXT NOT NULL,
                  created_by \(f.bigint) REFERENCES users (id), created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                  submitted_at TEXT, submitted_by \(f.bigint) REFERENCES users (id),
                  moderated_score \(f.double), moderation_reason TEXT NOT NULL DEFAULT '',
                  recommendation TEXT NOT NULL DEFAULT '', decision TEXT NOT NULL DEFAULT '',
                  decision_reason TEXT NOT NULL DEFAULT '', decided_at TEXT, decided_by \(f.bigint) REFERENCES users (id))
                """,
                "CREATE INDEX applications_round ON applications (round_id, status)",
                "CREATE INDEX applications_organisation ON applications (organisation_id)",
                """
                CREATE TABLE application_answers (application_id \(f.bigint) NOT NULL REFERENCES applications (id),
                  question_id \(f.bigint) NOT NULL REFERENCES round_questions (id), answer TEXT NOT NULL,
                  PRIMARY KEY (application_id, question_id))
                """,
                """
                CREATE TABLE application_files (id \(f.serialKey), application_id \(f.bigint) NOT NULL REFERENCES applications (id),
                  kind TEXT NOT NULL, filename TEXT NOT NULL, content_type TEXT NOT NULL, size \(f.bigint) NOT NULL,
                  content \(f.blob) NOT NULL, uploaded_by \(f.bigint) REFERENCES users (id), uploaded_at TEXT NOT NULL)
                """,
                "CREATE INDEX application_files_application ON application_files (application_id)",
                """
                CREATE TABLE panel_conflicts (application_id \(f.bigint) NOT NULL REFERENCES applications (id),
                  user_id \(f.bigint) NOT NULL REFERENCES users (id), reason TEXT NOT NULL, declared_at TEXT NOT NULL,
                  PRIMARY KEY (application_id, user_id))
                """,
                """
                CREATE TABLE panel_scores (application_id \(f.bigint) NOT NULL REFERENCES applications (id),
                  user_id \(f.bigint) NOT NULL REFERENCES users (id),
                  criterion_id \(f.bigint) NOT NULL REFERENCES round_criteria (id), score INTEGER NOT NULL,
                  comment TEXT NOT NULL DEFAULT '', PRIMARY KEY (application_id, user_id, criterion_id))
                """,
                """
                CREATE TABLE panel_submissions (application_id \(f.bigint) NOT NULL REFERENCES applications (id),
                  user_id \(f.bigint) NOT NULL REFERENCES users (id), submitted_at TEXT NOT NULL,
                  PRIMARY KEY (application_id, user_id))
                """,
                """
                CREATE TABLE awards (id \(f.serialKey), application_id \(f.bigint) NOT NULL UNIQUE REFERENCES applications (id),
                  fund_id \(f.bigint) NOT NULL REFERENCES funds (id),
                  amount_pence \(f.bigint) NOT NULL, award_date TEXT NOT NULL, starts_on TEXT NOT NULL,
                  ends_on TEXT NOT NULL, conditions TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL)
                """,
                "CREATE INDEX awards_fund ON awards (fund_id)",
                """
                CREATE TABLE award_indicators (id \(f.serialKey), award_id \(f.bigint) NOT NULL REFERENCES awards (id),
                  kind TEXT NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL DEFAULT '', target \(f.double) NOT NULL,
                  achieved \(f.double) NOT NULL DEFAULT 0)
                """,
                "CREATE INDEX award_indicators_award ON award_indicators (award_id)",
                """
                CREATE TABLE award_instalments (id \(f.serialKey), award_id \(f.bigint) NOT NULL REFERENCES awards (id),
                  due_on TEXT NOT NULL, amount_pence \(f.bigint) NOT NULL, needs_accepted_return INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE award_payments (id \(f.serialKey), award_id \(f.bigint) NOT NULL REFERENCES awards (id),
                  instalment_id \(f.bigint) REFERENCES award_instalments (id), paid_on TEXT NOT NULL,
                  amount_pence \(f.bigint) NOT NULL, recorded_by \(f.bigint) REFERENCES users (id), recorded_at TEXT NOT NULL)
                """,
                "CREATE INDEX award_payments_award ON award_payments (award_id)",
                """
                CREATE TABLE monitoring_returns (id \(f.serialKey), award_id \(f.bigint) NOT NULL REFERENCES awards (id),
                  period_label TEXT NOT NULL, due_on TEXT NOT NULL, status TEXT NOT NULL, submitted_at TEXT,
                  spend_pence \(f.bigint), narrative TEXT NOT NULL DEFAULT '', case_study TEXT NOT NULL DEFAULT '',
                  risks TEXT NOT NULL DEFAULT '', officer_note TEXT NOT NULL DEFAULT '', reviewed_at TEXT)
                """,
                "CREATE INDEX monitoring_returns_award ON monitoring_returns (award_id, due_on)",
                "CREATE INDEX monitoring_returns_due ON monitoring_returns (status, due_on)",
                """
                CREATE TABLE return_values (return_id \(f.bigint) NOT NULL REFERENCES monitoring_returns (id),
                  indicator_id \(f.bigint) NOT NULL REFERENCES award_indicators (id), value \(f.double) NOT NULL,
                  PRIMARY KEY (return_id, indicator_id))
                """,
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP TABLE return_values", "DROP TABLE monitoring_returns", "DROP TABLE award_payments",
                "DROP TABLE award_instalments", "DROP TABLE award_indicators", "DROP TABLE awards",
                "DROP TABLE panel_submissions", "DROP TABLE panel_scores", "DROP TABLE panel_conflicts",
                "DROP TABLE application_files", "DROP TABLE application_answers", "DROP TABLE applications",
                "DROP TABLE round_panel", "DROP TABLE round_criteria", "DROP TABLE round_questions",
                "DROP TABLE grant_rounds", "DROP TABLE funds", "ALTER TABLE organisations DROP COLUMN org_identifier",
            ], on: database)
    }
}
