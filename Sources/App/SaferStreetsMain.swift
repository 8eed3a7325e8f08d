import Logging
import Vapor

/// The `saferstreets` executable: `serve` (default), `migrate`, `import`, `demo`, `bench`.
public enum SaferStreetsMain {
    public static func run() async throws {
        var env = try Environment.detect()
        try LoggingSystem.bootstrap(from: &env)
        let config: AppConfig
        do {
            config = try AppConfig.fromEnvironment()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        }
        let app = try await Application.make(env)
        do {
            try await configure(app, config: config)
            try await app.prepareDatabase()
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        let status = app.storage[ExitStatusKey.self] ?? 0
        try await app.asyncShutdown()
        if status != 0 { exit(status) }
    }
}
