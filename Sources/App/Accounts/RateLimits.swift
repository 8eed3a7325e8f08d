import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Rate limits kept in the database: one atomic statement per check, so parallel requests
/// (or several app instances) cannot slip past a limit between a read and a write.
///
/// A limit is a fixed window per (scope, key): the first hit opens it, hits are counted,
/// and the window restarts once it has passed. Keys are an address, an e-mail address
/// (already lower-cased) or a token's hash: never a password.
struct RateLimits: Sendable {
    var now: @Sendable () -> Date = { Date() }
    /// Keys this instance has seen over their limit, refused from memory for a minute
    /// without writing to the database: a flood from one address then costs one counter
    /// write a minute instead of one a request. The database stays the authority (every
    /// instance reaches the same verdict from it).
    let overLimit = OverLimitKeys()

    struct Limit: Sendable {
        var scope: String
        var maxHits: Int
        var window: TimeInterval
    }

    /// Sign-in attempts from one address (any accounts): a spray from one place.
    static let signInAddress = Limit(scope: "sign-in address", maxHits: 30, window: 15 * 60)
    /// Failed sign-ins for one account from one address: a guesser at one account.
    static let signInAccountAddress = Limit(scope: "sign-in account+address", maxHits: 5, window: 15 * 60)
    /// Current-password checks on /account by one user.
    static let passwordCheck = Limit(scope: "password check", maxHits: 5, window: 15 * 60)
    /// Requests with API tokens, failed or not, from one address.
    static let apiTokenAddress = Limit(scope: "api token address", maxHits: 600, window: 60)
    /// Unknown or revoked API tokens from one address.
    static let badAPIToken = Limit(scope: "bad api token", maxHits: 20, window: 15 * 60)
    /// Attempts to register an organisation to apply for grants, from one address (each good
    /// one costs a bcrypt hash; ten an hour leaves room for a few mistakes).
    static let registration = Limit(scope: "registration address", maxHits: 10, window: 60 * 60)
    /// Password-reset requests from one address (any accounts).
    static let resetAddress = Limit(scope: "password reset address", maxHits: 10, window: 60 * 60)
    /// Password-reset e-mails to one account: past this, the page answers as always and no
    /// message is sent, so nobody can fill someone's inbox.
    static let resetAccount = Limit(scope: "password reset account", maxHits: 3, window: 60 * 60)
    /// Set-password links with a token that does not exist, from one address.
    static let badPasswordLink = Limit(scope: "bad password link", maxHits: 20, window: 15 * 60)
    /// Report-link look-ups with a token that does not exist, from one address.
    static let badShareLink = Limit(scope: "bad share link", maxHits: 20, window: 15 * 60)

    /// Counts one hit and returns the hits in the current window, this one included.
    @discardableResult
    func hit(_ limit: Limit, key: String, on db: any SQLDatabase) async throws -> Int {
        let t = now()
        if overLimit.contains(limit.scope, key, at: t) { return limit.maxHits + 1 }
        let current = t.stored, expired = t.addingTimeInterval(-limit.window).stored
        let hits =
            try await db.raw(
                """
                INSERT INTO rate_limits (scope, key, window_start, hits, last_at)
                VALUES (\(bind: limit.scope), \(bind: key), \(bind: current), 1, \(bind: current))
                ON CONFLICT (scope, key) DO UPDATE SET
                  hits = CASE WHEN rate_limits.window_start <= \(bind: expired) THEN 1 ELSE rate_limits.hits + 1 END,
                  window_start = CASE WHEN rate_limits.window_start <= \(bind: expired) THEN excluded.window_start ELSE rate_limits.window_start END,
                  last_at = excluded.last_at
                RETURNING hits
                """
            ).first(decodingColumn: "hits", as: Int.self) ?? 1
        if hits > limit.maxHits {
            overLimit.insert(limit.scope, key, until: t.addingTimeInterval(min(60, limit.window)))
        }
        return hits
    }

    /// Whether one more hit would pass the limit (without counting it).
    func isExceeded(_ limit: Limit, key: String, on db: any SQLDatabase) async throws -> Bool {
        if overLimit.contains(limit.scope, key, at: now()) { return true }
        let expired = now().addingTimeInterval(-limit.window).stored
        let hits =
            try await db.raw(
                """
                SELECT hits FROM rate_limits WHERE scope = \(bind: limit.scope) AND key = \(bind: key) AND window_start > \(bind: expired)
                """
            ).first(decodingColumn: "hits", as: Int.self) ?? 0
        return hits >= limit.maxHits
    }

    /// A wrong guess (an unknown API token or report link): true when the key is already
    /// over its limit (answer 429, count nothing more), else counted and false. Valid guesses
    /// are never refused, so one misconfigured client behind a shared address cannot lock the
    /// others out; the secrets are 256 random bits, so guessing gains nothing from that.
    func wrongGuess(_ limit: Limit, key: String, on db: any SQLDatabase) async throws -> Bool {
        if try await isExceeded(limit, key: key, on: db) { return true }
        try await hit(limit, key: key, on: db)
        return false
    }

    /// Forgets the hits (a successful sign-in for its account and address).
    func reset(_ limit: Limit, key: String, on db: any SQLDatabase) async throws {
        overLimit.remove(limit.scope, key)
        try await db.raw("DELETE FROM rate_limits WHERE scope = \(bind: limit.scope) AND key = \(bind: key)").run()
    }

    /// Takes one hit back (a sign-in that succeeded does not count against its address).
    func refund(_ limit: Limit, key: String, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE rate_limits SET hits = hits - 1 WHERE scope = \(bind: limit.scope) AND key = \(bind: key) AND hits > 0
            """
        ).run()
    }

    /// Minutes left in a limit's window, rounded up, for the message.
    static func minutes(_ limit: Limit) -> Int { Int((limit.window / 60).rounded(.up)) }

    // MARK: A delay that grows, for one account from every address

    /// Sign-in attempts for an account from all addresses together since its last success:
    /// after `accountFree` in the window each further attempt must wait a delay that doubles up to `maxDelay`.
    /// Nobody can lock someone else out this way: the most the account's owner waits
    /// is `maxDelay` seconds, while a guesser spread over many addresses gets a handful of
    /// tries a minute.
    static let accountFree = 10
    static let accountMaxDelay: TimeInterval = 30
    static let accountScope = "sign-in account delay"

    /// Seconds the account must still wait before an attempt, or nil when it may try now
    /// (the attempt is then counted, atomically: a parallel attempt racing for the same
    /// slot finds it taken).
    func takeAccountAttempt(email: String, on db: any SQLDatabase) async throws -> Int? {
        let t = now()
        struct Row: Decodable { var windowStart: String; var hits: Int; var lastAt: String }
        for _ in 0..<4 {
            guard
                let row = try await db.raw(
                    """
                    SELECT window_start, hits, last_at FROM rate_limits WHERE scope = \(bind: Self.accountScope) AND key = \(bind: email)
                    """
                ).row(Row.self)
            else {
                let inserted = try await db.raw(
                    """
                    INSERT INTO rate_limits (scope, key, window_start, hits, last_at)
                    VALUES (\(bind: Self.accountScope), \(bind: email), \(bind: t.stored), 1, \(bind: t.stored))
                    ON CONFLICT (scope, key) DO NOTHING RETURNING hits
                    """
                ).first(decodingColumn: "hits", as: Int.self)
                if inserted != nil { return nil }
                continue
            }
            let windowStart = Date(stored: row.windowStart) ?? t, last = Date(stored: row.lastAt) ?? t
            if t.timeIntervalSince(windowStart) > 15 * 60 {
                try await db.raw(
                    """
                    UPDATE rate_limits SET window_start = \(bind: t.stored), hits = 0, last_at = \(bind: t.stored)
                    WHERE scope = \(bind: Self.accountScope) AND key = \(bind: email) AND window_start = \(bind: row.windowStart)
                    """
                ).run()
                continue
            }
            let delay = Self.accountDelay(attempts: row.hits)
            let wait = delay - t.timeIntervalSince(last)
            if wait > 0 { return Int(wait.rounded(.up)) }
            // Compare and set: only one of several parallel attempts wins this slot.
            let won = try await db.raw(
                """
                UPDATE rate_limits SET last_at = \(bind: t.stored), hits = hits + 1
                WHERE scope = \(bind: Self.accountScope) AND key = \(bind: email) AND last_at = \(bind: row.lastAt) AND hits = \(bind: row.hits)
                RETURNING hits
                """
            ).first(decodingColumn: "hits", as: Int.self)
            if won != nil { return nil }
            if delay > 0 { return Int(delay.rounded(.up)) }
        }
        return 1
    }

    /// A successful sign-in clears the account's delay.
    func accountSucceeded(email: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM rate_limits WHERE scope = \(bind: Self.accountScope) AND key = \(bind: email)")
            .run()
    }

    static func accountDelay(attempts failures: Int) -> TimeInterval {
        guard failures >= accountFree else { return 0 }
        return min(accountMaxDelay, pow(2, Double(min(failures - accountFree, 10))))
    }
}

/// The keys one instance has recently seen over a limit, until when; at most 10,000 (the
/// expired ones are dropped first, then the oldest).
final class OverLimitKeys: Sendable {
    private let entries = NIOLockedValueBox<[String: Date]>([:])
    static let capacity = 10_000

    func contains(_ scope: String, _ key: String, at t: Date) -> Bool {
        entries.withLockedValue { ($0[scope + "\u{1}" + key]).map { $0 > t } ?? false }
    }

    func insert(_ scope: String, _ key: String, until: Date) {
        entries.withLockedValue { map in
            if map.count >= Self.capacity {
                let now = Date()
                map = map.filter { $0.value > now }
                if map.count >= Self.capacity, let oldest = map.min(by: { $0.value < $1.value })?.key {
                    map[oldest] = nil
                }
            }
            map[scope + "\u{1}" + key] = until
        }
    }

    func remove(_ scope: String, _ key: String) {
        _ = entries.withLockedValue { $0.removeValue(forKey: scope + "\u{1}" + key) }
    }
}
