import CrimeData
import Foundation

/// What one import run did, file by file.
struct ImportReport: Sendable, Codable {
    struct FileResult: Sendable, Codable {
        var name: String
        var kind: String
        /// "imported" or "refused".
        var status: String
        var rowsRead = 0
        var inserted = 0
        var unchanged = 0
        var updated = 0
        var rejected = 0
        var message = ""
        var rejects: [Reject] = []
    }

    struct Reject: Sendable, Codable, Equatable {
        var file: String
        var line: Int
        var reason: String
    }

    var files: [FileResult] = []
    var refused: [String] = []
    var skipped: [String] = []

    var filesImported: Int { files.filter { $0.status == "imported" }.count }
    var filesRefused: Int { files.filter { $0.status == "refused" }.count + refused.count }
    var rowsRead: Int { files.reduce(0) { $0 + $1.rowsRead } }
    var inserted: Int { files.reduce(0) { $0 + $1.inserted } }
    var unchanged: Int { files.reduce(0) { $0 + $1.unchanged } }
    var updated: Int { files.reduce(0) { $0 + $1.updated } }
    var rejected: Int { files.reduce(0) { $0 + $1.rejected } }
    var rejects: [Reject] { files.flatMap(\.rejects) }

    /// The one-paragraph summary printed by the CLI and shown on the import page.
    var summary: String {
        let n = Format.count
        var lines = [
            "files: \(n(filesImported)) imported, \(n(filesRefused)) refused",
            "rows: \(n(rowsRead)) read, \(n(inserted)) inserted, \(n(unchanged)) unchanged, \(n(updated)) updated, \(n(rejected)) rejected",
        ]
        for r in refused { lines.append("refused: \(r)") }
        for f in files where f.status == "refused" { lines.append("refused: \(f.message)") }
        return lines.joined(separator: "\n")
    }
}

/// Imports police.uk files: each file in its own transaction (all or nothing), rows
/// diffed against what is stored, aggregates maintained in the same transaction.
/// Synchronous: run it off the event loop (a command, or a job thread).
final class PoliceImporter {
    private let store: any ImportStore
    private let now: @Sendable () -> Date

    init(store: any ImportStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
    }

    /// - Parameter progress: called with (bytes done, bytes total, rows so far).
    func run(paths: [String], progress: ((UInt64, UInt64, Int) -> Void)? = nil) throws -> ImportReport {
        let listing = PoliceInputs.list(paths)
        var report = ImportReport()
        report.refused = listing.refused.map(\.description)
        report.skipped = listing.skipped
        let total = listing.sources.reduce(UInt64(0)) { $0 + $1.byteCount }
        var done: UInt64 = 0
        var rowsSoFar = 0
        var slices = try store.loadSlices()
        var forces = try store.loadForces()
        var categories = try store.loadCategories()
        let districts = try store.loadDistricts()
        let stamp = now().stored

        for source in listing.sources {
            let sink = ImportSink(
                store: store, slices: slices, forces: forces, categories: categories, districts: districts,
                stopForce: source.forceIDFromName, now: stamp)
            var result = ImportReport.FileResult(name: source.displayName, kind: "", status: "imported")
            let startDone = done
            do {
                let size = Int64(source.byteCount)
                // A file can only be one imported before if one of its size was: when none
                // was, its fingerprint is taken along the import's own read, not by a read of
                // the whole file first (0.4 s of a 5,000,000-row import).
                var takenFirst: Int64?
                let sizeSeen = try store.knowsSource(byteCount: size)
                if sizeSeen || !source.fingerprintReadsContent { takenFirst = try source.fingerprint() }
                if let fingerprint = takenFirst,
                    let known = try store.unchangedSource(fingerprint: fingerprint, byteCount: size)
                {
                    // Byte-identical to a file imported before, and nothing it wrote has
                    // changed since: every row would be found unchanged.
                    result.kind = known.kind
                    result.rowsRead = known.rowsRead
                    result.unchanged = known.rowsRead - known.rejected
                    result.rejected = known.rejected
                    result.message =
                        "identical to a file imported \(known.importedAt); all rows unchanged"
                        + (known.rejected > 0 ? " (its rejected rows were reported then)" : "")
                    rowsSoFar += known.rowsRead
                    done = startDone + source.byteCount
                    progress?(done, total, rowsSoFar)
                    report.files.append(result)
                    continue
                }
                try store.begin()
                var sinkRef = sink
                var along = FingerprintAlong(of: source)
                let summary = try PoliceFileReader().read(
                    source, into: &sinkRef, chunks: takenFirst == nil ? { along.feed($0) } : nil
                ) { bytes in
                    progress?(
                        startDone + bytes, total,
                        rowsSoFar + sink.totals.inserted + sink.totals.unchanged + sink.totals.updated)
                }
                let fingerprint = takenFirst ?? along.value
                try sink.finish(fingerprint: fingerprint)
                try store.recordSource(
                    KnownSource(
                        kind: summary.kind.rawValue, rowsRead: summary.rowsRead, rejected: summary.rejected,
                        sliceIDs: sink.touchedSlices, importedAt: stamp),
                    fingerprint: fingerprint, byteCount: size, at: stamp)
                try store.commit()
                slices = sink.sliceStates
                forces = sink.forceNames
                categories = sink.categoryIDs
                result.kind = summary.kind.rawValue
                result.rowsRead = summary.rowsRead
                result.inserted = sink.totals.inserted
                result.unchanged = sink.totals.unchanged
                result.updated = sink.totals.updated
                result.rejected = summary.rejected
                result.rejects = sink.rejects.map { .init(file: source.displayName, line: $0.line, reason: $0.reason) }
                rowsSoFar += summary.rowsRead
            } catch {
                store.rollback()
                // Reload what is stored: the rolled-back file may have added slices.
                slices = (try? store.loadSlices()) ?? slices
                forces = (try? store.loadForces()) ?? forces
                categories = (try? store.loadCategories()) ?? categories
                result.status = "refused"
                result.message = Self.describe(error, file: source.displayName)
            }
            done = startDone + source.byteCount
            progress?(done, total, rowsSoFar)
            report.files.append(result)
        }
        return report
    }

    static func describe(_ error: any Error, file: String) -> String {
        switch error {
        case let e as PoliceFileError: e.description
        case let e as InputError: e.description
        case let e as CSVError: "\(file): \(e.description)"
        default: "\(file): \(error); nothing from this file was imported"
        }
    }
}
