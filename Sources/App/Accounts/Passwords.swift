import Foundation
import Vapor

/// Password rules and hashing: bcrypt, cost 12, on the hashing threads (`PasswordHasher`:
/// a hash takes about a quarter of a second and must not hold up other requests).
enum Passwords {
    static let cost = 12

    /// The problem with a new password, or nil. bcrypt reads only 72 bytes, so a longer
    /// password is refused rather than silently cut (and the message counts bytes, which
    /// is what bcrypt counts: "é" is two). A common password (the top 100,000 of
    /// SecLists), one with a number or symbols added to a common one, one made of a few
    /// repeated characters, or one containing the e-mail address's name is refused.
    static func problem(_ password: String, email: String = "") -> String? {
        if password.count < 12 { return "Use at least 12 characters" }
        if password.utf8.count > 72 {
            return "Use at most 72 bytes (bcrypt ignores the rest); this one is \(password.utf8.count)"
        }
        let lowered = password.lowercased()
        if CommonPasswords.shared.contains(lowered) || CommonPasswords.shared.contains(commonStem(lowered)) {
            return
                "This is one of the most common passwords, which are tried first: choose another, e.g. three or four unrelated words"
        }
        if isRepetitive(lowered) {
            return
                "Use more than a few different characters: repeated characters and patterns such as abcabcabc are guessed first"
        }
        let local = email.lowercased().split(separator: "@").first.map(String.init) ?? ""
        if local.count >= 3, lowered.contains(local) {
            return "Do not use your e-mail address (or its name part) in your password"
        }
        return nil
    }

    /// A password with digits and symbols taken off its end ("password1234!" → "password"),
    /// when enough remains to be a word.
    static func commonStem(_ lowered: String) -> String {
        let stem = String(lowered.reversed().drop(while: { !$0.isLetter }).reversed())
        return stem.count >= 4 ? stem : lowered
    }

    /// Fewer than five different characters, or one short unit repeated ("abcabcabcabc").
    static func isRepetitive(_ lowered: String) -> Bool {
        let characters = Array(lowered)
        if Set(characters).count < 5 { return true }
        for unit in 1...max(1, characters.count / 2) where characters.count % unit == 0 {
            if (unit..<characters.count).allSatisfy({ characters[$0] == characters[$0 - unit] }) { return true }
        }
        return false
    }

    static func hash(_ password: String, on hasher: PasswordHasher) async throws -> String {
        try await hasher.run { try Bcrypt.hash(password, cost: cost) }
    }

    /// Checks a password. With no hash (no such user) it checks against a throwaway hash, so
    /// the time taken does not tell whether an account exists.
    static func verify(_ password: String, hash: String?, on hasher: PasswordHasher) async throws -> Bool {
        // Over 72 bytes can never match (no such password is accepted); still spend the time.
        let candidate = password.utf8.count <= 72 ? password : "-"
        let against = hash ?? dummyHash
        let ok = try await hasher.run { (try? Bcrypt.verify(candidate, created: against)) ?? false }
        return ok && hash != nil && password.utf8.count <= 72
    }

    /// A bcrypt hash of a password nobody knows (cost 12), checked against when there is no
    /// such user so that the time taken does not tell whether an account exists.
    private static let dummyHash =
        (try? Bcrypt.hash(SessionStore.randomToken(), cost: cost)) ?? "$2b$12$" + String(repeating: "a", count: 53)
}
