import Foundation

/// The 100,000 most common passwords (SecLists, MIT licence; see
/// `scripts/build_password_list.py`), lower-cased, read once from the app's resources.
final class CommonPasswords: Sendable {
    static let shared = CommonPasswords()

    private let words: Set<String>

    init() {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            words = []
            return
        }
        words = Set(text.split(separator: "\n").lazy.filter { !$0.hasPrefix("#") }.map(String.init))
    }

    var count: Int { words.count }
    func contains(_ lowered: String) -> Bool { words.contains(lowered) }
}
