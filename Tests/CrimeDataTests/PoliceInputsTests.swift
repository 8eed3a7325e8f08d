import CrimeData
import Foundation
import Testing
import ZIPFoundation

@Suite("police.uk inputs")
struct PoliceInputsTests {
    struct StoreFailed: Error, Equatable {}

    func zip(_ entries: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("inputs-\(UUID().uuidString).zip")
        let archive = try Archive(url: url, accessMode: .create)
        for (path, text) in entries {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        }
        return url
    }

    @Test("an error raised by whoever consumes a zip entry comes back as itself, not as a damaged archive")
    func consumerErrorsPassThrough() throws {
        let url = try zip(["2024-06/2024-06-norfolk-street.csv": String(repeating: "x,y\n", count: 1000)])
        defer { try? FileManager.default.removeItem(at: url) }
        let listing = PoliceInputs.list([url.path])
        #expect(listing.refused.isEmpty)
        let source = try #require(listing.sources.first)
        #expect(throws: StoreFailed()) { try source.stream { _ in throw StoreFailed() } }
    }

    @Test("entries and files are found and named as police.uk names them")
    func listing() throws {
        let url = try zip([
            "2024-06/2024-06-norfolk-street.csv": "a\n", "2024-06/2024-06-norfolk-stop-and-search.csv": "a\n",
            "README.txt": "not data",
        ])
        defer { try? FileManager.default.removeItem(at: url) }
        let listing = PoliceInputs.list([url.path])
        #expect(
            listing.sources.map(\.fileName) == ["2024-06-norfolk-stop-and-search.csv", "2024-06-norfolk-street.csv"])
        #expect(listing.sources.map(\.forceIDFromName) == ["norfolk", "norfolk"])
        #expect(listing.skipped.count == 1)
        #expect(PoliceInputs.unsafePathReason("../x.csv") != nil)
        #expect(PoliceInputs.unsafePathReason("/etc/x.csv") != nil)
        #expect(PoliceInputs.unsafePathReason("2024-06/x.csv") == nil)
    }

    @Test("a file's fingerprint taken along a read is its fingerprint; one byte changed changes it")
    func fingerprintAlong() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Over 1 MiB, so the read comes in more than one chunk.
        var text = (0..<40_000).map { "row \($0),E0100\(1000 + $0 % 9000),Burglary\n" }.joined()
        let a = dir.appendingPathComponent("2024-06-norfolk-street.csv")
        try text.write(to: a, atomically: true, encoding: .utf8)
        text.replaceSubrange(
            text.index(text.startIndex, offsetBy: 700_000)...text.index(text.startIndex, offsetBy: 700_000), with: "#")
        let b = dir.appendingPathComponent("2024-06-suffolk-street.csv")
        try text.write(to: b, atomically: true, encoding: .utf8)
        var prints: [Int64] = []
        for url in [a, b] {
            let source = try #require(PoliceInputs.list([url.path]).sources.first)
            #expect(source.byteCount > 1 << 20 && source.fingerprintReadsContent)
            var along = FingerprintAlong(of: source)
            try source.stream { along.feed($0) }
            #expect(along.value == (try source.fingerprint()))
            prints.append(along.value)
        }
        #expect(prints[0] != prints[1])
    }
}
