import Logging
import Vapor

/// The `saferstreets` executable: `serve` (default), `migrate`, `import`, `demo`, `bench`.
public enum SaferStreetsMain {
    public static func run() async throws {
        var env = try Environment.detect()
        // Plain lines (Vapor's console format) or, with SAFERSTREETS_LOG_FORMAT=json, one JSON
        // object per line for a log collector.
        switch ProcessInfo.processInfo.environment["SAFERSTREETS_LOG_FORMAT"] ?? "text" {
        case "json":
            try LoggingSystem.bootstrap(from: &env) { level in { JSONLogHandler(label: $0, level: level) } }
        case "text", "":
            try LoggingSystem.bootstrap(from: &env)
        case let other:
            FileHandle.standardError.write(
                Data("saferstreets: SAFERSTREETS_LOG_FORMAT must be text or json (got \"\(other.prefix(20))\")\n".utf8))
            exit(2)
        }
        var config: AppConfig
        do {
            config = try AppConfig.fromEnvironment()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        }
        // The demo never touches your own database: it has its own SQLite file.
        if env.arguments.dropFirst().first == "demo", !asksForHelp(env.arguments) {
            try FileManager.default.createDirectory(atPath: DemoCommand.folder, withIntermediateDirectories: true)
            if env.arguments.contains("--fresh") {
                for suffix in ["", "-wal", "-shm"] {
                    try? FileManager.default.removeItem(atPath: DemoCommand.database + suffix)
                }
                try? FileManager.default.removeItem(atPath: DemoCommand.folder + "/police-uk")
                try? FileManager.default.removeItem(atPath: DemoCommand.keyFile)
            }
            config.database = .sqlite(path: DemoCommand.database)
            // The demo seals its victims' details with its own key, kept beside its database
            // (serve the demo database elsewhere with SAFERSTREETS_DATA_KEYS_FILE=demo/data-keys).
            if config.dataKeys == nil {
                do {
                    config.dataKeys = try DemoCommand.demoKeys()
                } catch {
                    FileHandle.standardError.write(Data("saferstreets: the demo's data key: \(error)\n".utf8))
                    exit(2)
                }
            }
            // The demo serves plain HTTP on this machine only, so its cookies cannot be
            // `Secure`; every other run keeps them secure unless SAFERSTREETS_ENV=development.
            config.isDevelopment = true
            // The demo's mail goes to a folder beside its database, listed at /admin/mail.
            if ProcessInfo.processInfo.environment["SAFERSTREETS_MAIL"] == nil {
                config.mail.transport = .folder(DemoCommand.folder + "/mail")
            }
        }
        let app = try await Application.make(env)
        do {
            try await configure(app, config: config)
            // Help touches no database and makes no file; restore replaces the database, so it
            // must not open (or migrate) the one it replaces first.
            if !asksForHelp(env.arguments) && env.arguments.dropFirst().first != "restore" {
                try await app.prepareDatabase()
            }
            try await app.execute()
        } catch {
            // A clear line and exit status 2, not a crash report.
            FileHandle.standardError.write(Data("saferstreets: \(error)\n".utf8))
            try? await app.asyncShutdown()
            exit(2)
        }
        let status = app.storage[ExitStatusKey.self] ?? 0
        try await app.asyncShutdown()
        if status != 0 { exit(status) }
    }

    /// `--help` or `-h` anywhere: the command only prints its usage.
    static func asksForHelp(_ arguments: [String]) -> Bool {
        arguments.contains { $0 == "--help" || $0 == "-h" }
    }
}
