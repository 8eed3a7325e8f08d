import Fluent
import Foundation
import SQLKit
import Vapor

/// `saferstreets backup PATH` and `saferstreets restore PATH`.
///
/// SQLite: `backup` writes a consistent copy while the server keeps serving (`VACUUM INTO`, one
/// read transaction: every commit before it, none after), then checks the copy. `restore`
/// checks a backup (SQLite's integrity check; made by this version of SaferStreets or an
/// earlier one) and puts it in place of the database, atomically; stop every instance first.
/// PostgreSQL: the same commands run `pg_dump --format=custom` and `pg_restore --clean`.
/// Neither copies the victims' data keys: keep them (SAFERSTREETS_DATA_KEYS) safe apart.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "path", help: "the backup file to write (it must not exist yet)")
        var path: String
    }

    var help: String { "Writes a consistent backup of the database to PATH while the server runs" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await reportingFailure(context) {
            let path = signature.path
            guard !FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure(message: "\(path) exists already: choose a new file for the backup")
            }
            switch app.appConfig.database {
            case .sqlite:
                try await app.db.sql.raw("VACUUM INTO \(bind: path)").run()
                let check = try DatabaseFile.check(path)
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                context.console.print(
                    "backup written: \(path) (\(Format.count(size / 1024)) KiB, \(check.migrations) migrations, integrity ok)"
                )
            case .postgres(let url):
                try DatabaseFile.runTool("pg_dump", ["--format=custom", "--no-owner", "--file=\(path)", url])
                context.console.print("backup written with pg_dump: \(path)")
            }
            context.console.print("The victims' data keys are not in it: keep SAFERSTREETS_DATA_KEYS safe apart.")
        }
    }
}

struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "path", help: "the backup file to restore")
        var path: String
    }

    var help: String { "Replaces the database with a backup (stop every instance of the server first)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await reportingFailure(context) {
            let path = signature.path
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure(message: "there is no file \(path)")
            }
            switch app.appConfig.database {
            case .sqlite(let target):
                let check = try DatabaseFile.check(path)
                let unknown = check.names.subtracting(Migrations.all.map(\.name))
                guard unknown.isEmpty else {
                    throw CommandFailure(
                        message:
                            "\(path) was made by a newer SaferStreets (\(unknown.count) migrations this version does not know): restore it with that version"
                    )
                }
                try DatabaseFile.replace(target, with: path)
                context.console.print(
                    "restored \(path) to \(target) (\(check.migrations) migrations; the next start applies any newer ones)"
                )
            case .postgres(let url):
                try DatabaseFile.runTool(
                    "pg_restore", ["--clean", "--if-exists", "--no-owner", "--dbname=\(url)", path])
                context.console.print("restored \(path) with pg_restore")
            }
        }
    }
}
