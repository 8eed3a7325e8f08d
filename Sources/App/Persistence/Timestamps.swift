import Foundation

extension Date {
    /// How the database stores a moment: ISO 8601 text in UTC ("2025-07-12T19:30:00Z"),
    /// which sorts and compares as text on SQLite and PostgreSQL alike.
    var stored: String { ISO8601DateFormatter().string(from: self) }

    /// A moment read back from its stored text.
    init?(stored text: String) {
        guard let date = ISO8601DateFormatter().date(from: text) else { return nil }
        self = date
    }
}
