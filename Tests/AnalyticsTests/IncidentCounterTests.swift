import Analytics
import CrimeData
import Foundation
import Testing

@Suite("parallel counting by LSOA, month and crime type")
struct IncidentCounterTests {
    static let header =
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"

    /// A file big enough to be cut into several ranges, with quoted fields (some with
    /// line breaks) spread through it, so a cut inside quotes would change the answer.
    func makeFile(rows: Int) throws -> (path: String, expected: [String: Int]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("counter-\(UUID().uuidString).csv")
        var text = Self.header + "\n"
        var expected: [String: Int] = [:]
        let types = ["Anti-social behaviour", "Burglary", "Violence and sexual offences", "Shoplifting"]
        for i in 0..<rows {
            let lsoa = i % 7 == 0 ? "" : String(format: "E0100%04d", i % 97)
            let month = String(format: "2024-%02d", 1 + i % 12)
            let type = types[i % types.count]
            let location = i % 5 == 0 ? "\"On or near \"\"Quoted\"\",\nStreet \(i)\"" : "On or near Street \(i)"
            text += ",\(month),Force,Force,1.0,52.0,\(location),\(lsoa),Name,\(type),,\n"
            expected["\(lsoa)|\(month)|\(type)", default: 0] += 1
        }
        try Data(text.utf8).write(to: url)
        return (url.path, expected)
    }

    @Test("the same counts on 1, 2 and 4 threads, matching a straightforward count")
    func matchesReference() throws {
        let (path, expected) = try makeFile(rows: 60_000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for threads in [1, 2, 3, 4, 7] {
            let result = try IncidentCounter.count(file: path, threads: threads, minimumSplitBytes: 0)
            #expect(result.rows == 60_000, "\(threads) threads")
            #expect(result.rejected == 0)
            var got: [String: Int] = [:]
            for row in result.table {
                got["\(row.lsoa)|\(ByteParsing.monthString(row.month))|\(row.category)"] = row.count
            }
            #expect(got == expected, "\(threads) threads")
        }
    }

    @Test("LSOA codes pack and unpack")
    func packing() {
        for code in ["E01007359", "W01000001", "E01000000"] {
            let packed = Array(code.utf8).withUnsafeBufferPointer { IncidentCounter.packLSOA($0) }
            #expect(IncidentCounter.lsoaCode(packed) == code)
        }
        #expect(Array("Barnsley".utf8).withUnsafeBufferPointer { IncidentCounter.packLSOA($0) } == 0)
    }

    @Test("a file that is not a street file is refused")
    func wrongKind() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("not-street-\(UUID().uuidString).csv")
        try Data("a,b\n1,2\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: (any Error).self) { try IncidentCounter.count(file: url.path, threads: 2) }
    }
}
