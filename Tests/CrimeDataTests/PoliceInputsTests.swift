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
}
