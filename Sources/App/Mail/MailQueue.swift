import Fluent
import Foundation
import SQLKit

/// The outgoing mail queue. A message is stored in the same transaction as what caused it
/// (a reset asked for, an account made), so a crash loses neither; `deliverDue` sends what
/// is due, each message claimed with a lease so two instances never send one twice, and a
/// failed send waits longer each time. Once sent, a message's body is cleared: the queue is a
/// way out, not an archive (a reset link does not stay in the database after it has gone).
struct MailQueue: Sendable {
    var now: @Sendable () -> Date = { Date() }
    /// How long a claimed message is another instance's to leave alone.
    var lease: TimeInterval = 5 * 60
    /// The waits after each failed attempt; after the last, the message is given up.
    static let retryWaits: [TimeInterval] = [60, 5 * 60, 15 * 60, 60 * 60, 4 * 60 * 60, 12 * 60 * 60]

    enum Kind: String, Sendable, CaseIterable {
        case passwordReset = "password-reset"
        case welcome
        case notifications
        case test
    }

    /// Stores a message to send; returns its id.
    @discardableResult
    func enqueue(_ kind: Kind, to: String, subject: String, body: String, on db: any Database) async throws -> Int {
        let t = now().stored
        return try await db.sql.raw(
            """
            INSERT INTO mail_queue (kind, to_address, subject, body, created_at, next_attempt_at)
            VALUES (\(bind: kind.rawValue), \(bind: to), \(bind: subject), \(bind: body), \(bind: t), \(bind: t))
            RETURNING id
            """
        ).insertedID()
    }

    struct Claimed: Decodable {
        var id: Int
        var toAddress: String
        var subject: String
        var body: String
        var attempts: Int
    }

    struct Outcome: Sendable, Equatable {
        var sent = 0
        var retrying = 0
        var givenUp = 0
    }

    /// Sends up to `limit` due messages through `transport`.
    func deliverDue(
        through transport: any MailTransport, settings: MailSettings, limit: Int = 50, on db: any Database
    ) async throws -> Outcome {
        let t = now()
        let due = try await db.sql.raw(
            """
            SELECT id FROM mail_queue WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= \(bind: t.stored)
              AND (lease_until IS NULL OR lease_until < \(bind: t.stored))
            ORDER BY id LIMIT \(bind: limit)
            """
        ).all(decodingColumn: "id", as: Int.self)
        var outcome = Outcome()
        for id in due {
            let claimed = try await db.sql.raw(
                """
                UPDATE mail_queue SET lease_until = \(bind: t.addingTimeInterval(lease).stored), attempts = attempts + 1
                WHERE id = \(bind: id) AND sent_at IS NULL AND failed_at IS NULL
                  AND (lease_until IS NULL OR lease_until < \(bind: t.stored))
                RETURNING id, to_address, subject, body, attempts
                """
            ).row(Claimed.self)
            guard let m = claimed else { continue }  // another instance has it
            let message = MailMessage(
                from: settings.from, to: m.toAddress, subject: m.subject, body: m.body, date: now(),
                messageID: "<\(m.id).\(SessionStore.randomToken().prefix(12))@saferstreets>")
            do {
                try await transport.send(message, queueID: m.id)
                try await db.sql.raw(
                    """
                    UPDATE mail_queue SET sent_at = \(bind: now().stored), body = '', lease_until = NULL, last_error = NULL
                    WHERE id = \(bind: m.id)
                    """
                ).run()
                outcome.sent += 1
            } catch {
                let failure = error as? MailFailure ?? .temporary("\(error)")
                let reason = String(failure.description.prefix(500))
                if case .temporary = failure, m.attempts <= Self.retryWaits.count {
                    let next = now().addingTimeInterval(Self.retryWaits[m.attempts - 1])
                    try await db.sql.raw(
                        """
                        UPDATE mail_queue SET next_attempt_at = \(bind: next.stored), lease_until = NULL, last_error = \(bind: reason)
                        WHERE id = \(bind: m.id)
                        """
                    ).run()
                    outcome.retrying += 1
                } else {
                    try await db.sql.raw(
                        """
                        UPDATE mail_queue SET failed_at = \(bind: now().stored), body = '', lease_until = NULL, last_error = \(bind: reason)
                        WHERE id = \(bind: m.id)
                        """
                    ).run()
                    outcome.givenUp += 1
                }
            }
        }
        return outcome
    }

    struct Row: Decodable, Sendable {
        var id: Int
        var kind: String
        var toAddress: String
        var subject: String
        var createdAt: String
        var attempts: Int
        var nextAttemptAt: String
        var sentAt: String?
        var failedAt: String?
        var lastError: String?
    }

    /// The latest messages, newest first.
    func latest(limit: Int = 200, on db: any Database) async throws -> [Row] {
        try await db.sql.raw(
            """
            SELECT id, kind, to_address, subject, created_at, attempts, next_attempt_at, sent_at, failed_at, last_error
            FROM mail_queue ORDER BY id DESC LIMIT \(bind: limit)
            """
        ).rows(Row.self)
    }

    /// How many messages wait (or wait to try again), were sent, were given up.
    func counts(on db: any Database) async throws -> (waiting: Int, sent: Int, givenUp: Int) {
        struct Row: Decodable { var waiting: Int?; var sent: Int?; var givenUp: Int? }
        let r = try await db.sql.raw(
            """
            SELECT CAST(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS waiting,
              CAST(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS sent,
              CAST(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS given_up
            FROM mail_queue
            """
        ).row(Row.self)
        return (r?.waiting ?? 0, r?.sent ?? 0, r?.givenUp ?? 0)
    }

    func message(id: Int, on db: any Database) async throws -> Row? {
        try await db.sql.raw(
            """
            SELECT id, kind, to_address, subject, created_at, attempts, next_attempt_at, sent_at, failed_at, last_error
            FROM mail_queue WHERE id = \(bind: id)
            """
        ).row(Row.self)
    }
}
