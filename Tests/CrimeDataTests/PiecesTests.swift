import CrimeData
import Testing

@Suite("cutting text at a separator byte")
struct PiecesTests {
    @Test("the same pieces as the standard library's split keeping empty ones, on ASCII and beyond")
    func sameAsSplit() {
        let texts = [
            "", "|", "||", "a", "a|", "|a", "a||b", "2026-01-05T10:00:00Z|open||1|",
            "Zoë|Ōtautahi|東京|🇬🇧|", "x|y|z|" + String(repeating: "long piece ", count: 20),
        ]
        for text in texts {
            let expected = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            #expect(Pieces.strings(text, separatedBy: UInt8(ascii: "|")) == expected, "\(text)")
        }
    }

    @Test("pieces of pieces: lines, then fields")
    func nested() {
        var text = "1|a;b\n2|\n\n3|c"
        let lines = text.withUTF8 { buffer in
            var out: [[String]] = []
            Pieces.forEach(buffer, separatedBy: UInt8(ascii: "\n")) {
                out.append(Pieces.strings($0, separatedBy: UInt8(ascii: "|")))
            }
            return out
        }
        #expect(lines == [["1", "a;b"], ["2", ""], [""], ["3", "c"]])
    }
}
