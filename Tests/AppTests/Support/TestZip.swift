import Foundation
import ZIPFoundation

/// Builds real zip archives for tests, including hostile ones.
enum TestZip {
    /// A deflated archive with the given entries (path → text).
    @discardableResult
    static func make(at url: URL, entries: [String: String]) throws -> String {
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        for (path, text) in entries.sorted(by: { $0.key < $1.key }) {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        }
        return url.path
    }

    /// An archive whose one CSV entry is `megabytes` MiB of a repeated byte: a zip bomb
    /// in miniature (compression ratio about 1000:1).
    static func bomb(at url: URL, megabytes: Int) throws -> String {
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        let size = megabytes << 20
        let chunk = Data(repeating: 0x2C, count: 1 << 16)
        try archive.addEntry(
            with: "2024-06/2024-06-norfolk-street.csv", type: .file, uncompressedSize: Int64(size),
            compressionMethod: .deflate,
            provider: { _, length in chunk.prefix(length) })
        return url.path
    }
}
