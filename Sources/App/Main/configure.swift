import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import Vapor

/// Wires databases, migrations, views, middleware, commands and routes.
/// Explicit composition: everything a controller needs is passed to it in `routes`.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.storage[AppConfigKey.self] = config
    // Templates and public files wherever the server was started from.
    switch ResourceDirectory.locate(configured: config.resourcesDirectory) {
    case .success(let folder): app.directory = DirectoryConfiguration(workingDirectory: folder)
    case .failure(let problem): throw problem
    }
    switch config.database {
    case .sqlite(let path):
        app.databases.use(
            .sqlite(.file(path), connectionPoolTimeout: config.connectionWait, sqlLogLevel: nil), as: .sqlite)
    case .postgres(let url):
        app.databases.use(
            .postgres(
                configuration: try SQLPostgresConfiguration(url: url),
                maxConnectionsPerEventLoop: config.databaseConnections, connectionPoolTimeout: config.connectionWait,
                sqlLogLevel: .debug),
            as: .psql)
    }
    for migration in Migrations.all { app.migrations.add(migration) }
    // The bounded pools for bcrypt, heavy analyses and PDFs, made before any request.
    _ = app.passwordHasher
    _ = app.heavyWork
    _ = app.pdfWork
    app.routes.defaultMaxBodySize = ByteCount(value: RequestBody.defaultLimit)

    app.views.use(.leaf)
    app.leaf.tags["accountBar"] = AccountBarTag()
    app.leaf.tags["siteNav"] = SiteNavTag()
    app.leaf.tags["mapTiles"] = MapTilesTag()
    app.leaf.tags["url"] = URLTag()
    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port

    app.middleware = Middlewares()
    app.middleware.use(AccessLogMiddleware())
    // Outermost first: headers on every answer, errors included; errors become pages or
    // problems; over-long addresses refused before anything else looks at them.
    app.middleware.use(
        SecurityHeadersMiddleware(
            strictTransport: !config.isDevelopment, imageOrigins: config.mapTiles.map { [$0.origin] } ?? []))
    app.middleware.use(ProblemMiddleware(environment: app.environment))
    app.middleware.use(RequestLimitsMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(
        SessionMiddleware(
            store: config.sessions, tokens: APITokenStore(audit: AuditLog()), secureCookies: !config.isDevelopment))

    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(BenchCommand(), as: "bench")
    app.asyncCommands.use(RankCommand(), as: "rank")
    app.asyncCommands.use(HotspotsCommand(), as: "hotspots")
    app.asyncCommands.use(AreasCommand(), as: "areas")
    app.asyncCommands.use(UsersCommand(), as: "users")
    app.asyncCommands.use(ActivitiesCommand(), as: "activities")
    app.asyncCommands.use(EvaluateCommand(), as: "evaluate")
    app.asyncCommands.use(PlanCommand(), as: "plan")
    app.asyncCommands.use(VictimsCommand(), as: "victims")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")

    try routes(app)
}

extension Application {
    /// The configuration `configure` was given.
    public var appConfig: AppConfig { storage[AppConfigKey.self]! }

    /// Runs the migrations and applies the SQLite pragmas; safe to repeat.
    public func prepareDatabase() async throws {
        if case .sqlite = appConfig.database, let sql = db as? any SQLDatabase {
            // WAL is a property of the file: set once, every connection then uses it.
            // synchronous=FULL is SQLite's default; foreign keys are switched on by
            // SQLiteKit on every connection; the bulk importer sets all of them itself.
            // The busy timeout first: two instances opening a new file at once both switch it to
            // WAL, and without a timeout the second gets "database is locked" at once.
            try await sql.raw("PRAGMA busy_timeout=10000").run()
            // A new file gets 16 KiB pages (an existing one keeps its own: SQLite ignores this
            // once the file has content). A 5,000,000-row import took 8.2–11.7 s with them and
            // 11.3–13.7 s with the default 4 KiB (BENCHMARKS.md): a quarter of the pages to
            // split, spill to the WAL and copy back at the checkpoint.
            try await sql.raw("PRAGMA page_size=16384").run()
            try await MigrationRunner.retrying { try await sql.raw("PRAGMA journal_mode=WAL").run() }
            // busy_timeout belongs to a connection, not the file: set it on the pooled
            // connection of every event loop, or a request that writes while an import holds
            // the writer fails at once with SQLITE_BUSY instead of waiting its turn.
            // The page cache is per connection too: SQLite's default 2 MiB left the victims'
            // pages reading pages from the file (pread, a copy) on every request over 100,000
            // cases; 32 MiB a connection and the file mapped (up to 256 MiB) keep them in memory.
            for loop in eventLoopGroup.makeIterator() {
                if let each = databases.database(.sqlite, logger: logger, on: loop) as? any SQLDatabase {
                    try await each.raw("PRAGMA busy_timeout=10000").run()
                    try await each.raw("PRAGMA cache_size=-32768").run()
                    try await each.raw("PRAGMA mmap_size=268435456").run()
                }
            }
        }
        // Each migration with its record in one transaction (MigrationRunner): a start killed
        // part-way, or instances starting together, never leave one half-applied. One line at
        // info when any ran, none when the database was ready already.
        fluent.migrationLogLevel = .debug
        // All of it again, when another instance starting at the same moment holds the lock
        // past a step's own waits (CI met a "database is locked" from some start-up step): each
        // step is safe to repeat, and a fault of its own is not retried.
        let (db, logger, config, threadPool) = (self.db, self.logger, appConfig, self.threadPool)
        try await MigrationRunner.retrying {
            let applied = try await MigrationRunner.run(Migrations.all, on: db)
            if applied > 0 { logger.info("database ready: \(applied) migrations applied") }
            if config.dataKeys == nil, try await VictimStore.anyCase(on: db) {
                throw ConfigError(problems: [
                    "victims' cases are stored but no data key is configured: set SAFERSTREETS_DATA_KEYS (or SAFERSTREETS_DATA_KEYS_FILE) to the keys they were sealed with"
                ])
            }
            try await GeographyLoader(database: db, config: config, threadPool: threadPool).loadIfEmpty()
        }
    }
}

struct AppConfigKey: StorageKey {
    typealias Value = AppConfig
}
