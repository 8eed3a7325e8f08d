@testable import App
import Foundation
import Logging
import NIOPosix
import PostgresKit
import PostgresNIO
import Vapor
import VaporTesting

/// Each test gets its own app and its own empty database: a temporary SQLite file, or,
/// when `TEST_DATABASE_URL` is set, a new PostgreSQL database created for the test and
/// dropped after it. Suites can therefore run in parallel on either database.
func withTestApp(adjust: (inout AppConfig) -> Void = { _ in }, _ body: (Application) async throws -> Void)
    async throws
{
    try await withTestApps(1, adjust: adjust) { apps in try await body(apps[0]) }
}

/// `count` instances of the app on one database (and one upload folder), as several servers
/// behind a proxy would be: the first prepares the database, the others start on it.
func withTestApps(
    _ count: Int, adjust: (inout AppConfig) -> Void = { _ in }, _ body: ([Application]) async throws -> Void
) async throws {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "saferstreets-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    var dropDatabase: String?
    var config: AppConfig
    if let admin = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !admin.isEmpty {
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await TestPostgres.execute("CREATE DATABASE \(name)", adminURL: admin)
        dropDatabase = name
        config = AppConfig(database: .postgres(url: TestPostgres.url(admin, database: name)))
    } else {
        config = AppConfig(database: .sqlite(path: scratch.appendingPathComponent("test.sqlite").path))
    }
    config.connectionWait = .seconds(120)
    config.dataKeys = try FieldCipher.parse(FieldCipher.newKeyText(id: "test"))
    config.uploadDirectory = scratch.appendingPathComponent("uploads").path
    adjust(&config)
    var apps: [Application] = []
    do {
        for _ in 0..<count {
            let app = try await Application.make(.testing)
            apps.append(app)
            app.storage[ScratchKey.self] = scratch
            try await configure(app, config: config)
            try await app.prepareDatabase()
        }
        try await body(apps)
    } catch {
        for app in apps { try? await app.asyncShutdown() }
        if let name = dropDatabase { try? await TestPostgres.drop(name) }
        throw error
    }
    for app in apps { try await app.asyncShutdown() }
    if let name = dropDatabase { try await TestPostgres.drop(name) }
}

struct ScratchKey: StorageKey {
    typealias Value = URL
}

extension Application {
    /// A per-test folder for fixture files.
    var scratch: URL { storage[ScratchKey.self]! }

    /// Writes `text` to a file in the scratch folder and returns its path.
    func write(_ text: String, to name: String) throws -> String {
        let url = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Runs an import the way the command does, and returns its report.
    func importFiles(_ paths: String...) async throws -> ImportReport {
        try await ImportStores.runImport(app: self, paths: paths, origin: "test")
    }

    func scalar(_ sql: String) async throws -> Int {
        // SUM over BIGINT is NUMERIC on PostgreSQL: cast so both databases give an integer.
        try await db.sql.raw(SQLQueryString("SELECT CAST(q.n AS BIGINT) AS n FROM (\(sql)) q"))
            .first(decodingColumn: "n", as: Int?.self)?.flatMap { $0 } ?? -1
    }
}

enum TestPostgres {
    static func url(_ admin: String, database: String) -> String {
        var components = URLComponents(string: admin)!
        components.path = "/" + database
        return components.string!
    }

    static func execute(_ sql: String, adminURL: String) async throws {
        let config = try SQLPostgresConfiguration(url: adminURL).coreConfiguration
        let logger = Logger(label: "test-admin")
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 0, logger: logger)
        defer { Task { try? await connection.close() } }
        _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
        try await connection.close()
    }

    static func drop(_ name: String) async throws {
        guard let admin = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { return }
        try await execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", adminURL: admin)
    }
}

/// Builders for police.uk rows in tests.
enum PoliceCSV {
    static let street =
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
    static let outcomes =
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type"
    static let stops =
        "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing"
    static let legacy = "Month,Reported by,Falls within,Easting,Northing,Location,Crime type,Context"

    /// A deterministic 64-hex Crime ID.
    static func id(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "a", count: 64 - hex.count) + hex
    }

    static func crime(
        _ n: Int, month: String = "2024-06", type: String = "Burglary", outcome: String = "Under investigation",
        lsoa: String = "E01026764", lon: String = "1.297400", lat: String = "52.630900",
        location: String = "On or near Castle Meadow"
    ) -> String {
        "\(id(n)),\(month),Norfolk Constabulary,Norfolk Constabulary,\(lon),\(lat),\(location),\(lsoa),Norwich 013A,\(type),\(outcome),"
    }

    static func asb(
        month: String = "2024-06", lsoa: String = "E01026764", location: String = "On or near Gentleman's Walk"
    ) -> String {
        ",\(month),Norfolk Constabulary,Norfolk Constabulary,1.293100,52.628500,\(location),\(lsoa),Norwich 013A,Anti-social behaviour,,"
    }

    static func file(_ header: String, _ rows: [String], crlf: Bool = false) -> String {
        let eol = crlf ? "\r\n" : "\n"
        return ([header] + rows).joined(separator: eol) + eol
    }
}
