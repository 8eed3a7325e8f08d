import Foundation
import Testing

/// The executable as a newcomer meets it: help that touches nothing, and commands that say
/// one line about the database rather than every migration.
@Suite("the saferstreets command line")
struct CommandLineTests {
    struct Run {
        var status: Int32
        var output: String
    }

    static let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/saferstreets")

    /// Runs the built executable in `folder` with only the given environment (and PATH).
    func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = environment.merging(
            ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        ) { mine, _ in mine }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    @Test(
        "--help, a command's --help and the demo's --fresh --help print usage and make or delete no file",
        .enabled(if: FileManager.default.isExecutableFile(atPath: executable.path), "the executable is not built"))
    func helpTouchesNothing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("help-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Something the demo's --fresh would delete.
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("demo"), withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: folder.appendingPathComponent("demo/saferstreets-demo.sqlite"))
        for arguments in [["--help"], ["users", "--help"], ["victims", "-h"], ["demo", "--fresh", "--help"]] {
            let r = try run(arguments, in: folder)
            #expect(r.status == 0, "\(arguments): \(r.output)")
            #expect(r.output.contains("Usage:"), "\(arguments): \(r.output)")
            #expect(!r.output.contains("Migrator"), "\(arguments)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == ["demo"], "\(left)")
        #expect(
            try String(contentsOf: folder.appendingPathComponent("demo/saferstreets-demo.sqlite"), encoding: .utf8)
                == "keep")
    }

    @Test(
        "a command on a new database says it is ready in one line, and nothing about it the next time",
        .enabled(if: FileManager.default.isExecutableFile(atPath: executable.path), "the executable is not built"))
    func quietMigrations() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quiet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let env = ["SAFERSTREETS_DB": folder.appendingPathComponent("q.sqlite").path]
        let first = try run(["users", "list"], in: folder, environment: env)
        #expect(first.status == 0, "\(first.output)")
        #expect(!first.output.contains("Migrator"), "\(first.output)")
        let ready = first.output.split(separator: "\n").filter { $0.contains("database ready") }
        #expect(ready.count == 1 && ready[0].contains("migrations applied"), "\(first.output)")
        let again = try run(["users", "list"], in: folder, environment: env)
        #expect(
            again.status == 0 && !again.output.contains("database ready") && !again.output.contains("Migrator"),
            "\(again.output)")
        // Each migration is still there for whoever asks.
        let verbose = FileManager.default.temporaryDirectory.appendingPathComponent(
            "verbose-\(UUID().uuidString).sqlite")
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: verbose.path + s) } }
        let debug = try run(
            ["users", "list", "--log", "debug"], in: folder, environment: ["SAFERSTREETS_DB": verbose.path])
        #expect(debug.output.contains("[Migrator]"), "\(debug.output.prefix(400))")
    }

    @Test(
        "backup, then restore: what was there at the backup and nothing after; an existing file or a bad one refused",
        .enabled(if: FileManager.default.isExecutableFile(atPath: executable.path), "the executable is not built"))
    func backupAndRestore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let env = ["SAFERSTREETS_DB": folder.appendingPathComponent("live.sqlite").path]
        func user(_ email: String) throws -> Run {
            try run(
                [
                    "users", "create", "--email", email, "--name", "N", "--role", "opcc-admin", "--organisation",
                    "OPCC",
                    "--kind", "opcc",
                ], in: folder, environment: env)
        }
        #expect(try user("before@opcc.example").status == 0)
        let backup = try run(["backup", "copy.sqlite"], in: folder, environment: env)
        #expect(backup.status == 0 && backup.output.contains("integrity ok"), "\(backup.output)")
        let again = try run(["backup", "copy.sqlite"], in: folder, environment: env)
        #expect(again.status == 2 && again.output.contains("exists already"), "\(again.output)")
        #expect(try user("after@opcc.example").status == 0)
        let restored = try run(["restore", "copy.sqlite"], in: folder, environment: env)
        #expect(restored.status == 0 && restored.output.contains("restored copy.sqlite"), "\(restored.output)")
        let list = try run(["users", "list"], in: folder, environment: env).output
        #expect(list.contains("before@opcc.example") && !list.contains("after@opcc.example"), "\(list)")
        // Not a database: refused, and the live database untouched.
        try Data("not a database".utf8).write(to: folder.appendingPathComponent("junk.sqlite"))
        let junk = try run(["restore", "junk.sqlite"], in: folder, environment: env)
        #expect(junk.status == 2 && junk.output.contains("junk.sqlite"), "\(junk.output)")
        #expect(try run(["users", "list"], in: folder, environment: env).output.contains("before@opcc.example"))
    }
}
