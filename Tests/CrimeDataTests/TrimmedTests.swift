import CrimeData
import Foundation
import Testing

@Suite("text: trimmed as Foundation trims white space and line breaks")
struct TrimmedTests {
    @Test("the same result as trimmingCharacters(in: .whitespacesAndNewlines), Unicode spaces included")
    func sameAsFoundation() {
        let cases = [
            "", " ", "\t\n\r ", "plain", "  both  ", "\u{00A0}no-break\u{00A0}", "\u{2003}em space\u{3000}",
            "\u{85}next line\u{2028}", "inner  spaces kept", "é", " 36/12345/26\r\n", "\u{FEFF}bom",
            "x\u{0301} ", "\u{1F600} emoji ",
        ]
        for text in cases {
            #expect(
                text.trimmed == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(Array(text.unicodeScalars))")
            #expect(Substring(text).trimmed == text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
