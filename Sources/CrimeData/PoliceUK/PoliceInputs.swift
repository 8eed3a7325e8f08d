import Foundation
import ZIPFoundation

/// One CSV to import: a file on disk or an entry inside a zip archive.
public struct PoliceSource: Sendable, Hashable {
    enum Origin: Sendable, Hashable {
        case file(String)
        case zipEntry(archive: String, entry: String)
    }

    let origin: Origin
    /// What to call it in messages: `path` or `archive.zip:2016-07/2016-07-norfolk-street.csv`.
    public let displayName: String
    /// The last path component, e.g. `2016-07-norfolk-street.csv`.
    public let fileName: String
    /// Uncompressed size in bytes, for progress.
    public let byteCount: UInt64

    /// The archive and the entry at `entryPath`, or `damagedArchive`.
    private static func openEntry(_ archivePath: String, _ entryPath: String) throws -> (Archive, Entry) {
        guard let archive = try? Archive(url: URL(fileURLWithPath: archivePath), accessMode: .read),
            let entry = archive[entryPath]
        else { throw InputError.damagedArchive(archivePath) }
        return (archive, entry)
    }

    /// The police.uk force id in a file name such as `2016-07-west-yorkshire-stop-and-search.csv`.
    public var forceIDFromName: String? {
        let name = fileName.lowercased()
        guard name.hasSuffix(".csv"), name.count > 12 else { return nil }
        var stem = String(name.dropLast(4))
        guard stem.count > 8, ByteParsing.month(String(stem.prefix(7))) != nil else { return nil }
        stem = String(stem.dropFirst(8))
        for suffix in ["-street", "-outcomes", "-stop-and-search"] where stem.hasSuffix(suffix) {
            return String(stem.dropLast(suffix.count))
        }
        return nil
    }

    /// A fingerprint of the content, to recognise a file imported before. For a file
    /// on disk: a ``StableHash`` of every byte (one extra read; about a third of a second
    /// per GB). For a zip entry: the CRC-32, sizes and path the archive's directory holds,
    /// so nothing is inflated. The force named by the file name is part of it, since
    /// stop-and-search rows take their force from there.
    public func fingerprint() throws -> Int64 {
        switch origin {
        case .file:
            var along = FingerprintAlong(of: self)
            try stream { chunk in along.feed(chunk) }
            return along.value
        case .zipEntry(let archivePath, let entryPath):
            var h = Self.fingerprintSeed(byteCount: byteCount, force: forceIDFromName)
            let (_, entry) = try Self.openEntry(archivePath, entryPath)
            h.combine(UInt64(entry.checksum))
            h.combine(Int(truncatingIfNeeded: entry.compressedSize))
            h.combine(entryPath)
            return h.value
        }
    }

    /// Whether ``fingerprint()`` reads the content (a file on disk), rather than the
    /// archive's directory (a zip entry), so that it can be taken along a read instead.
    public var fingerprintReadsContent: Bool {
        if case .file = origin { return true }
        return false
    }

    fileprivate static func fingerprintSeed(byteCount: UInt64, force: String?) -> StableHash {
        var h = StableHash(seed: 0xF1_F1)
        h.combine(Int(truncatingIfNeeded: byteCount))
        h.combine(force ?? "")
        return h
    }

    /// Streams the raw bytes in chunks. A zip entry is inflated as it is read, its
    /// length is held to what the archive declared, and its CRC-32 is checked.
    public func stream(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch origin {
        case .file(let path):
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw InputError.unreadable(displayName, String(cString: strerror(errno))) }
            defer { close(fd) }
            let size = 1 << 20
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = read(fd, buffer, size)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw InputError.unreadable(displayName, String(cString: strerror(errno)))
                }
                if n == 0 { break }
                try body(UnsafeRawBufferPointer(start: buffer, count: n))
            }
        case .zipEntry(let archivePath, let entryPath):
            let (archive, entry) = try Self.openEntry(archivePath, entryPath)
            let declared = entry.uncompressedSize
            var produced: UInt64 = 0
            // An error from the consumer (or the size guard) is passed on as it is; any
            // other error comes from reading the archive itself.
            var consumerError: (any Error)?
            let crc: CRC32
            do {
                crc = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { data in
                    do {
                        produced += UInt64(data.count)
                        if produced > declared {
                            throw InputError.zipBomb(displayName, "inflates past its declared size")
                        }
                        try data.withUnsafeBytes { try body($0) }
                    } catch {
                        consumerError = error
                        throw error
                    }
                }
            } catch {
                if let consumerError { throw consumerError }
                throw InputError.damagedArchive("\(archivePath) (entry \(entryPath): \(error))")
            }
            guard produced == declared, crc == entry.checksum else {
                throw InputError.damagedArchive("\(archivePath) (entry \(entryPath) is truncated or corrupt)")
            }
        }
    }
}

/// Finds the CSV files behind the paths a user gives: CSV files, zip archives as
/// downloaded from data.police.uk, or folders of either.
public enum PoliceInputs {
    /// Largest uncompressed entry accepted (a whole-country month is well under 1 GiB).
    public static let maximumEntryBytes: UInt64 = 8 << 30
    /// Largest compression ratio accepted; police.uk CSVs compress about 10:1.
    public static let maximumCompressionRatio: UInt64 = 200
    /// Entries in one archive (police.uk's three-year archive of every force has under 5,000).
    public static let maximumEntries = 6_000
    /// Uncompressed bytes declared by one archive's entries together.
    public static let maximumArchiveBytes = 64 << 30

    public struct Listing: Sendable {
        public var sources: [PoliceSource] = []
        /// Whole inputs refused before reading a row (nothing of them is imported).
        public var refused: [InputError] = []
        /// Entries passed over (directories, non-CSV files inside archives).
        public var skipped: [String] = []
    }

    public static func list(_ paths: [String]) -> Listing {
        var listing = Listing()
        for path in paths { add(path, to: &listing) }
        return listing
    }

    static func add(_ path: String, to listing: inout Listing) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            listing.refused.append(.notFound(path))
            return
        }
        if isDirectory.boolValue {
            let children = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
            for child in children where !child.hasPrefix(".") {
                let full = (path as NSString).appendingPathComponent(child)
                var childIsDirectory: ObjCBool = false
                FileManager.default.fileExists(atPath: full, isDirectory: &childIsDirectory)
                let lower = child.lowercased()
                if childIsDirectory.boolValue || lower.hasSuffix(".csv") || lower.hasSuffix(".zip") {
                    add(full, to: &listing)
                } else {
                    listing.skipped.append("\(full) (not a CSV or zip file)")
                }
            }
            return
        }
        if isZip(path) {
            addArchive(path, to: &listing)
        } else {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
            let name = (path as NSString).lastPathComponent
            listing.sources.append(
                PoliceSource(origin: .file(path), displayName: path, fileName: name, byteCount: size))
        }
    }

    static func isZip(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return magic == Data([0x50, 0x4B, 0x03, 0x04]) || magic == Data([0x50, 0x4B, 0x05, 0x06])
            || path.lowercased().hasSuffix(".zip")
    }

    static func addArchive(_ path: String, to listing: inout Listing) {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            listing.refused.append(.damagedArchive(path))
            return
        }
        var found: [PoliceSource] = []
        var entries = 0, declared = 0
        for entry in archive {
            // A zip of 20,000 tiny entries would be hours of work: the whole of police.uk's
            // three-year archive has under 5,000.
            entries += 1
            declared += Int(clamping: entry.uncompressedSize)
            if entries > maximumEntries || declared > maximumArchiveBytes {
                listing.refused.append(.tooManyEntries(path, maximumEntries, maximumArchiveBytes >> 30))
                return
            }
            let entryPath = entry.path
            if let reason = unsafePathReason(entryPath) {
                listing.refused.append(.unsafeEntry(path, entryPath, reason))
                return
            }
            guard entry.type == .file else {
                if entry.type == .symlink {
                    listing.refused.append(.unsafeEntry(path, entryPath, "is a symbolic link")); return
                }
                continue
            }
            guard entryPath.lowercased().hasSuffix(".csv") else {
                listing.skipped.append("\(path):\(entryPath) (not a CSV file)")
                continue
            }
            let size = entry.uncompressedSize
            let packed = max(entry.compressedSize, 1)
            if size > maximumEntryBytes || size / packed > maximumCompressionRatio {
                listing.refused.append(
                    .zipBomb(
                        "\(path):\(entryPath)",
                        "declares \(size) bytes from \(entry.compressedSize) (ratio over \(maximumCompressionRatio):1 or over \(maximumEntryBytes >> 30) GiB)"
                    ))
                return
            }
            let name = (entryPath as NSString).lastPathComponent
            found.append(
                PoliceSource(
                    origin: .zipEntry(archive: path, entry: entryPath), displayName: "\(path):\(entryPath)",
                    fileName: name, byteCount: size))
        }
        if found.isEmpty && listing.refused.isEmpty {
            listing.refused.append(.emptyArchive(path))
        }
        listing.sources += found.sorted { $0.displayName < $1.displayName }
    }

    /// Why an archive entry's path is unsafe to honour, or nil if it is safe.
    public static func unsafePathReason(_ path: String) -> String? {
        if path.hasPrefix("/") || path.hasPrefix("\\") { return "is an absolute path" }
        if path.contains(":") && path.first?.isLetter == true && path.dropFirst().first == ":" {
            return "names a drive"
        }
        let parts = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if parts.contains("..") { return "climbs out of the archive with '..'" }
        if path.utf8.contains(0) { return "contains a NUL byte" }
        return nil
    }
}

/// Why a whole input was refused.
public enum InputError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case unreadable(String, String)
    case damagedArchive(String)
    case emptyArchive(String)
    case unsafeEntry(String, String, String)
    case zipBomb(String, String)
    case tooManyEntries(String, Int, Int)

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): no such file or folder"
        case .unreadable(let path, let why): "\(path): cannot be read (\(why))"
        case .damagedArchive(let path):
            "\(path): not a complete zip archive (truncated or damaged); nothing imported from it"
        case .emptyArchive(let path): "\(path): the archive holds no CSV files"
        case .unsafeEntry(let path, let entry, let why):
            "\(path): entry '\(entry)' \(why); the archive is refused and nothing imported from it"
        case .zipBomb(let path, let why): "\(path): refused as a possible zip bomb: it \(why)"
        case .tooManyEntries(let path, let entries, let gib):
            "\(path): refused: more than \(entries) entries or \(gib) GiB in all (police.uk's largest archive has fewer); split it"
        }
    }
}

/// Why a CSV file was refused as a whole.
public enum PoliceFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case notPoliceData(file: String, header: String)
    case empty(file: String)
    case unknownForce(file: String)
    case csv(file: String, detail: String)

    public var description: String {
        switch self {
        case .notPoliceData(let file, let header):
            "\(file): not police.uk data. Line 1 is \(header); expected the header of a street, outcomes, stop-and-search or 2010–2012 street file"
        case .empty(let file): "\(file): the file is empty"
        case .unknownForce(let file):
            "\(file): stop-and-search rows do not name their force; name the file YYYY-MM-<force>-stop-and-search.csv as police.uk does"
        case .csv(let file, let detail): "\(file): \(detail)"
        }
    }
}

/// ``PoliceSource/fingerprint()`` of a file on disk, taken from the chunks of a read that
/// happens anyway (``PoliceSource/stream(_:)``'s, in order), instead of a read of its own.
public struct FingerprintAlong {
    private var hash: StableHash

    public init(of source: PoliceSource) {
        hash = PoliceSource.fingerprintSeed(byteCount: source.byteCount, force: source.forceIDFromName)
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer) { hash.combine(chunk.bindMemory(to: UInt8.self)) }

    public var value: Int64 { hash.value }
}
