import CrimeData
import Foundation
import Vapor

/// `saferstreets import PATH…`: police.uk zips, folders or CSVs.
/// Exit status: 0 all imported; 1 a file or archive was refused; 3 rows were rejected.
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "paths", help: "police.uk zip archives, folders or CSV files (several: separate with spaces)")
        var paths: String
        @Option(name: "rejects", help: "write every rejected row to this CSV file (file, line, reason)")
        var rejects: String?
    }

    var help: String { "Import police.uk street, outcomes and stop-and-search files" }

    /// Takes any number of paths: the signature holds the first, the rest stay in
    /// `context.input.arguments` (the default would refuse them as unknown input).
    func run(using context: inout CommandContext) async throws {
        let signature = try Signature(from: &context.input)
        try await run(using: context, signature: signature)
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        var paths = [signature.paths]
        paths += context.input.arguments
        let tty = isatty(STDOUT_FILENO) == 1
        let bar = tty ? ProgressBar() : nil
        var progress: (@Sendable (UInt64, UInt64, Int) -> Void)?
        if let bar {
            progress = { done, total, rows in bar.update(done: done, total: total, rows: rows) }
        }
        let report = try await ImportStores.runImport(
            app: context.application, paths: paths, origin: "command line", progress: progress)
        bar?.finish()
        context.console.print(report.summary)
        for s in report.skipped { context.console.print("skipped: \(s)") }
        let rejects = report.rejects
        for r in rejects.prefix(20) { context.console.print("rejected: \(r.file), line \(r.line): \(r.reason)") }
        if rejects.count > 20 { context.console.print("… \(rejects.count - 20) more rejected rows (see --rejects)") }
        if let path = signature.rejects {
            var csv = "file,line,reason\r\n"
            for r in rejects { csv += CSVWriter.record([r.file, String(r.line), r.reason]) }
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
        }
        context.application.storage[ExitStatusKey.self] = report.filesRefused > 0 ? 1 : (report.rejected > 0 ? 3 : 0)
    }
}

struct ExitStatusKey: StorageKey {
    typealias Value = Int32
}
