import CrimeData
import Testing

/// Parses `text` fed in chunks of `chunk` bytes and returns the records and lines.
func parse(_ text: String, chunk: Int = 1 << 20) throws -> [(line: Int, fields: [String])] {
    var out: [(Int, [String])] = []
    let parser = CSVParser { row in out.append((row.line, row.strings)) }
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
        let end = min(i + chunk, bytes.count)
        try bytes[i..<end].withUnsafeBytes { try parser.feed($0) }
        i = end
    }
    try parser.finish()
    return out
}

@Suite("CSV parser")
struct CSVParserTests {
    @Test("plain rows, LF and CRLF, with and without a final line break")
    func plain() throws {
        for text in ["a,b,c\n1,2,3\n", "a,b,c\r\n1,2,3\r\n", "a,b,c\n1,2,3"] {
            let rows = try parse(text)
            #expect(rows.map(\.fields) == [["a", "b", "c"], ["1", "2", "3"]])
            #expect(rows.map(\.line) == [1, 2])
        }
    }

    @Test("RFC 4180 quoting: commas, doubled quotes, line breaks inside quotes")
    func quoting() throws {
        let text = "id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,\"\"\n5,x\n"
        let rows = try parse(text)
        #expect(
            rows.map(\.fields) == [
                ["id", "text"], ["1", "a, b"], ["2", "say \"hi\""], ["3", "two\nlines"], ["4", ""], ["5", "x"],
            ])
        // The record after a quoted line break starts on the right physical line.
        #expect(rows.map(\.line) == [1, 2, 3, 4, 6, 7])
    }

    @Test("every chunk size gives the same records (records cut at any byte)")
    func chunkBoundaries() throws {
        let text = "\u{FEFF}h1,h2,h3\r\n\"q,1\",\"x\"\"y\",z\r\n,,\r\n\"multi\r\nline\",b,c\r\nlast,row,here"
        let whole = try parse(text)
        for size in 1...17 {
            let rows = try parse(text, chunk: size)
            #expect(rows.map(\.fields) == whole.map(\.fields), "chunk size \(size)")
            #expect(rows.map(\.line) == whole.map(\.line), "chunk size \(size)")
        }
        #expect(whole[0].fields == ["h1", "h2", "h3"], "the byte order mark is skipped")
        #expect(whole[2].fields == ["", "", ""])
    }

    @Test("parsing bytes in place gives the same records, and skips a BOM only at the start")
    func inPlace() throws {
        let text = "\u{FEFF}a,b\r\n\"x,\"\"y\"\"\",2\n3,\"multi\nline\""
        var bytes = Array(text.utf8)
        var rows: [[String]] = []
        let parser = CSVParser { row in rows.append(row.strings) }
        try bytes.withUnsafeMutableBufferPointer { try parser.parse(inPlace: $0, atStart: true) }
        #expect(rows == (try parse(text)).map(\.fields))
        var later = Array(text.utf8)
        var laterRows: [[String]] = []
        let second = CSVParser { row in laterRows.append(row.strings) }
        try later.withUnsafeMutableBufferPointer { try second.parse(inPlace: $0, atStart: false) }
        #expect(laterRows[0][0] == "\u{FEFF}a", "not the start of the file: the bytes are data")
    }

    @Test("trailing commas make empty fields")
    func trailingComma() throws {
        #expect(try parse("a,b,\n\"x\",y,\n").map(\.fields) == [["a", "b", ""], ["x", "y", ""]])
    }

    @Test("an unterminated quote is an error naming its line")
    func unterminated() throws {
        #expect(throws: CSVError.unterminatedQuote(line: 3)) { try parse("a,b\n1,2\n3,\"open\n4,5\n") }
    }

    @Test("text after a closing quote is an error naming its line")
    func textAfterQuote() throws {
        #expect(throws: CSVError.malformedQuotedField(line: 2)) { try parse("a,b\n\"x\"y,2\n") }
    }

    @Test("a record longer than the limit is refused, so memory stays bounded")
    func tooLong() throws {
        let parser = CSVParser(maximumRecordBytes: 1024) { _ in }
        let junk = [UInt8](repeating: 0x41, count: 4096)
        #expect(throws: CSVError.recordTooLong(line: 1, limit: 1024)) {
            try junk.withUnsafeBytes { try parser.feed($0) }
        }
    }
}
