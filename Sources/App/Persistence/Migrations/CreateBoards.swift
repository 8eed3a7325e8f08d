import Fluent

/// Boards that hold people to account: the PCC's accountability board (the Chief
/// Constable's office answers) and each theme's partnership board (member organisations).
/// A board has meetings; a meeting has agenda items (public or restricted, with the
/// exemption), papers (files), questions with their written answers, decisions and
/// published minutes; a board has an action plan (owner organisation, due date, status,
/// dated updates).
///
/// Also the published versions of the plan's scorecard and the quarterly statement of the
/// national crime and policing measures.
struct CreateBoards: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE boards (id \(f.serialKey), slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                  kind TEXT NOT NULL, theme_slug TEXT NOT NULL DEFAULT '', purpose TEXT NOT NULL DEFAULT '',
                  chair TEXT NOT NULL DEFAULT '', answering_organisation_id \(f.bigint) REFERENCES organisations (id),
                  created_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE board_members (board_id \(f.bigint) NOT NULL REFERENCES boards (id),
                  organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id), PRIMARY KEY (board_id, organisation_id))
                """,
                "CREATE INDEX board_members_organisation ON board_members (organisation_id)",
                """
                CREATE TABLE meetings (id \(f.serialKey), board_id \(f.bigint) NOT NULL REFERENCES boards (id),
                  held_on TEXT NOT NULL, starts_at TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL,
                  location TEXT NOT NULL DEFAULT '', attendees TEXT NOT NULL DEFAULT '',
                  minutes TEXT NOT NULL DEFAULT '', published_at TEXT, published_by \(f.bigint) REFERENCES users (id),
                  created_at TEXT NOT NULL)
                """,
                "CREATE INDEX meetings_board ON meetings (board_id, held_on)",
                """
                CREATE TABLE agenda_items (id \(f.serialKey), meeting_id \(f.bigint) NOT NULL REFERENCES meetings (id),
                  position INTEGER NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',
                  restricted INTEGER NOT NULL DEFAULT 0, exemption TEXT NOT NULL DEFAULT '',
                  measure_slugs TEXT NOT NULL DEFAULT '', theme_slugs TEXT NOT NULL DEFAULT '')
                """,
                "CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position)",
                """
                CREATE TABLE agenda_papers (id \(f.serialKey), item_id \(f.bigint) NOT NULL REFERENCES agenda_items (id),
                  filename TEXT NOT NULL, content_type TEXT NOT NULL, size \(f.bigint) NOT NULL, content \(f.blob) NOT NULL,
                  uploaded_by \(f.bigint) REFERENCES users (id), uploaded_at TEXT NOT NULL)
                """,
                "CREATE INDEX agenda_papers_item ON agenda_papers (item_id)",
                """
                CREATE TABLE meeting_questions (id \(f.serialKey), meeting_id \(f.bigint) NOT NULL REFERENCES meetings (id),
                  item_id \(f.bigint) REFERENCES agenda_items (id), asked_by TEXT NOT NULL, asker TEXT NOT NULL DEFAULT '',
                  question TEXT NOT NULL, addressed_to \(f.bigint) NOT NULL REFERENCES organisations (id),
                  asked_at TEXT NOT NULL, answer TEXT, answered_by \(f.bigint) REFERENCES users (id), answered_at TEXT)
                """,
                "CREATE INDEX meeting_questions_meeting ON meeting_questions (meeting_id)",
                "CREATE INDEX meeting_questions_addressed ON meeting_questions (addressed_to)",
                """
                CREATE TABLE meeting_decisions (id \(f.serialKey), meeting_id \(f.bigint) NOT NULL REFERENCES meetings (id),
                  item_id \(f.bigint) REFERENCES agenda_items (id), decision TEXT NOT NULL, recorded_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE board_actions (id \(f.serialKey), board_id \(f.bigint) NOT NULL REFERENCES boards (id),
                  meeting_id \(f.bigint) REFERENCES meetings (id), item_id \(f.bigint) REFERENCES agenda_items (id),
                  title TEXT NOT NULL, owner_organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id),
                  lead_name TEXT NOT NULL DEFAULT '', due_on TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)
                """,
                "CREATE INDEX board_actions_board ON board_actions (board_id, due_on)",
                "CREATE INDEX board_actions_owner ON board_actions (owner_organisation_id)",
                """
                CREATE TABLE board_action_updates (id \(f.serialKey), action_id \(f.bigint) NOT NULL REFERENCES board_actions (id),
                  at TEXT NOT NULL, user_id \(f.bigint) REFERENCES users (id), status TEXT NOT NULL, note TEXT NOT NULL)
                """,
                "CREATE INDEX board_action_updates_action ON board_action_updates (action_id, at)",
                """
                CREATE TABLE plan_publications (id \(f.serialKey), kind TEXT NOT NULL, period TEXT NOT NULL,
                  title TEXT NOT NULL, content TEXT NOT NULL, published_at TEXT NOT NULL,
                  published_by \(f.bigint) REFERENCES users (id), withdrawn_at TEXT)
                """,
                """
                CREATE TABLE national_statements (id \(f.serialKey), quarter INTEGER NOT NULL UNIQUE,
                  fields TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by \(f.bigint) REFERENCES users (id),
                  published_at TEXT)
                """,
            ], on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP TABLE national_statements", "DROP TABLE plan_publications", "DROP TABLE board_action_updates",
                "DROP TABLE board_actions", "DROP TABLE meeting_decisions", "DROP TABLE meeting_questions",
                "DROP TABLE agenda_papers", "DROP TABLE agenda_items", "DROP TABLE meetings",
                "DROP TABLE board_members",
                "DROP TABLE boards",
            ], on: database)
    }
}
