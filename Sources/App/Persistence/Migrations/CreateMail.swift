import Fluent

/// E-mail: the outgoing queue (a failed send is retried and a restart loses nothing), the
/// single-use links that set a password (only each token's SHA-256 is stored), the
/// notifications people have turned off, and which notification items each person has been
/// told about already (so each is sent once).
struct CreateMail: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            [
                """
                CREATE TABLE mail_queue (id \(f.serialKey), kind TEXT NOT NULL, to_address TEXT NOT NULL,
                  subject TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at TEXT NOT NULL, lease_until TEXT, sent_at TEXT, failed_at TEXT, last_error TEXT)
                """,
                "CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL",
                """
                CREATE TABLE password_links (token_hash TEXT PRIMARY KEY, user_id \(f.bigint) NOT NULL REFERENCES users (id),
                  purpose TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT)
                """,
                "CREATE INDEX password_links_user ON password_links (user_id)",
                """
                CREATE TABLE notification_optouts (user_id \(f.bigint) NOT NULL REFERENCES users (id), kind TEXT NOT NULL,
                  PRIMARY KEY (user_id, kind))
                """,
                """
                CREATE TABLE notifications_sent (user_id \(f.bigint) NOT NULL REFERENCES users (id), item TEXT NOT NULL,
                  sent_at TEXT NOT NULL, PRIMARY KEY (user_id, item))
                """,
            ], on: database)
    }
    func revert(on database: any Database) async throws {
        try await execute(
            [
                "DROP TABLE notifications_sent", "DROP TABLE notification_optouts", "DROP TABLE password_links",
                "DROP TABLE mail_queue",
            ], on: database)
    }
}
