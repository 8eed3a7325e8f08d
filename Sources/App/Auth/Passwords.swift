import Vapor

/// Password rules and hashing: bcrypt, cost 12, on the thread pool (a hash takes about
/// a quarter of a second and must not hold up other requests).
enum Passwords {
    static let cost = 12

    /// The problem with a new password, or nil. bcrypt reads only 72 bytes, so a longer
    /// password is refused rather than silently cut.
    static func problem(_ password: String) -> String? {
        if password.count < 12 { return "Use at least 12 characters" }
        if password.utf8.count > 72 { return "Use at most 72 bytes (bcrypt ignores the rest); this one is \(password.utf8.count)" }
        return nil
    }

    static func hash(_ password: String, on pool: NIOThreadPool) async throws -> String {
        try await pool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    /// Checks a password. With no hash (no such user) it checks against a throwaway hash, so
    /// the time taken does not tell whether an account exists.
    static func verify(_ password: String, hash: String?, on pool: NIOThreadPool) async throws -> Bool {
        // Over 72 bytes can never match (no such password is accepted); still spend the time.
        let candidate = password.utf8.count <= 72 ? password : "-"
        let ok = try await pool.runIfActive { try Bcrypt.verify(candidate, created: hash ?? dummyHash) }
        return ok && hash != nil && password.utf8.count <= 72
    }

    private static let dummyHash = try! Bcrypt.hash(SessionStore.randomToken(), cost: cost)
}
