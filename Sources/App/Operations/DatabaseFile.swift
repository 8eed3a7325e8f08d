import CSQLiteShim
import Foundation

/// Checking and replacing SQLite database files, and running PostgreSQL's own tools, for
/// `backup` and `restore`.
enum DatabaseFile {
    struct Check {
        var migrations: Int
        var names: Set<String>
    }

    /// SQLite's integrity check and the migrations recorded; throws naming what is wrong.
    static func check(_ path: String) throws -> Check {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure(message: "there is no file \(path)")
        }
        let file: SQLiteConnectionHandle
        do {
            file = try SQLiteConnectionHandle(path: path)
        } catch {
            throw CommandFailure(message: "\(path) is not a SQLite database SaferStreets can open: \(error)")
        }
        var verdict: [String] = []
        var names = Set<String>()
        do {
            try file.prepare("PRAGMA integrity_check").forEachRow { verdict.append($0.text(0)) }
            try file.prepare("SELECT name FROM _fluent_migrations").forEachRow { names.insert($0.text(0)) }
        } catch {
            throw CommandFailure(message: "\(path) is not a SaferStreets database: \(error)")
        }
        guard verdict == ["ok"] else {
            throw CommandFailure(
                message: "\(path) fails SQLite's integrity check: \(verdict.prefix(3).joined(separator: "; "))")
        }
        return Check(migrations: names.count, names: names)
    }

    /// Puts a copy of `backup` at `target` in one rename, after removing the target's WAL
    /// and shared-memory files (they belong to the database being replaced).
    static func replace(_ target: String, with backup: String) throws {
        let fm = FileManager.default
        let staging = target + ".restoring"
        try? fm.removeItem(atPath: staging)
        do {
            try fm.copyItem(atPath: backup, toPath: staging)
            for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: target + suffix) }
            if rename(staging, target) != 0 {
                throw CommandFailure(message: "cannot move the restored file into place at \(target) (errno \(errno))")
            }
        } catch let e as CommandFailure {
            try? fm.removeItem(atPath: staging)
            throw e
        } catch {
            try? fm.removeItem(atPath: staging)
            throw CommandFailure(message: "cannot restore to \(target): \(error.localizedDescription)")
        }
    }

    /// Runs one of PostgreSQL's tools found on PATH; throws with its error output.
    static func runTool(_ name: String, _ arguments: [String]) throws {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        guard let tool = folders.map({ "\($0)/\(name)" }).first(where: FileManager.default.isExecutableFile) else {
            throw CommandFailure(message: "\(name) is not installed (Debian: apt-get install postgresql-client)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure(message: "\(name) failed (status \(process.terminationStatus)): \(text.prefix(500))")
        }
    }
}
