@testable import App
import Foundation
import Testing
import VaporTesting

/// Whatever is refused, nothing already stored is touched.
@Suite("refused inputs")
struct RefusalTests {
    /// Imports a good file, then `bad`, and checks the good rows are intact.
    func expectRefusedLeavingStoreIntact(
        _ app: Application, _ bad: String, message: String
    ) async throws {
        let good = try app.write(
            PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(1), PoliceCSV.asb()]), to: "good.csv")
        _ = try await app.importFiles(good)
        let report = try await app.importFiles(bad)
        #expect(report.filesRefused == 1, "expected a refusal for \(bad)")
        #expect(report.inserted == 0)
        let text = (report.refused + report.files.map(\.message)).joined(separator: "\n")
        #expect(text.contains(message), "message was: \(text)")
        #expect(try await app.scalar("SELECT COUNT(*) AS n FROM incidents") == 2)
        #expect(try await app.scalar("SELECT SUM(count) AS n FROM counts_by_lsoa") == 2)
    }

    @Test("a CSV that is not police.uk data")
    func wrongHeader() async throws {
        try await withTestApp { app in
            let bad = try app.write("name,age\nAnn,4\n", to: "people.csv")
            try await expectRefusedLeavingStoreIntact(app, bad, message: "not police.uk data")
        }
    }

    @Test("a binary file")
    func binary() async throws {
        try await withTestApp { app in
            var bytes = [UInt8](repeating: 0, count: 4096)
            for i in bytes.indices { bytes[i] = UInt8((i * 7919) % 256) }
            let url = app.scratch.appendingPathComponent("picture.csv")
            try Data(bytes).write(to: url)
            try await expectRefusedLeavingStoreIntact(app, url.path, message: "picture.csv")
        }
    }

    @Test("a file that fails part-way is rolled back whole")
    func failsPartWay() async throws {
        try await withTestApp { app in
            // An unterminated quote at the end makes the file unreadable after good rows.
            let rows = (10..<200).map { PoliceCSV.crime($0) } + ["\(PoliceCSV.id(5)),2024-06,\"unterminated"]
            let bad = try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "broken.csv")
            try await expectRefusedLeavingStoreIntact(app, bad, message: "never closed")
        }
    }

    @Test("a truncated zip archive")
    func truncatedZip() async throws {
        try await withTestApp { app in
            let url = app.scratch.appendingPathComponent("2024-06.zip")
            let rows = (10..<2000).map { PoliceCSV.crime($0) }
            try TestZip.make(
                at: url, entries: ["2024-06/2024-06-norfolk-street.csv": PoliceCSV.file(PoliceCSV.street, rows)])
            let data = try Data(contentsOf: url)
            try data.prefix(data.count / 2).write(to: url)
            try await expectRefusedLeavingStoreIntact(app, url.path, message: "not a complete zip archive")
        }
    }

    @Test("a zip whose entry climbs out of the folder")
    func pathTraversal() async throws {
        try await withTestApp { app in
            let url = app.scratch.appendingPathComponent("evil.zip")
            try TestZip.make(
                at: url,
                entries: [
                    "2024-06/2024-06-norfolk-street.csv": PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(50)]),
                    "../../etc/2024-06-norfolk-street.csv": PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(51)]),
                ])
            try await expectRefusedLeavingStoreIntact(app, url.path, message: "climbs out of the archive")
        }
    }

    @Test("a zip bomb")
    func zipBomb() async throws {
        try await withTestApp { app in
            let path = try TestZip.bomb(at: app.scratch.appendingPathComponent("bomb.zip"), megabytes: 64)
            try await expectRefusedLeavingStoreIntact(app, path, message: "zip bomb")
        }
    }

    @Test("a path that does not exist")
    func missing() async throws {
        try await withTestApp { app in
            try await expectRefusedLeavingStoreIntact(app, "/nonexistent/2024-06.zip", message: "no such file")
        }
    }
}
