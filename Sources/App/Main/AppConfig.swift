import Foundation
import NIOCore

/// Everything SaferStreets reads from the environment, read once at start-up.
/// Every missing or invalid value is reported together in one error.
public struct AppConfig: Sendable {
    public enum Database: Sendable, Equatable {
        /// The embedded default: one SQLite file.
        case sqlite(path: String)
        /// `DATABASE_URL=postgres://user:pass@host:5432/db`.
        case postgres(url: String)
    }

    public var database: Database
    public var hostname: String
    public var port: Int
    /// Secure cookies and HSTS-style defaults are relaxed only in development.
    public var isDevelopment: Bool
    /// Session timeouts and the clock (injected so tests can move time).
    var sessions = SessionStore()
    /// How long a request waits for a database connection before failing. The test suite
    /// raises it: many apps share the machine's two cores and one blocking-I/O pool there.
    var connectionWait: TimeAmount = .seconds(10)
    /// Memory the police.uk-compatible API may keep street months in
    /// (`SAFERSTREETS_POLICE_API_CACHE_MB`, default 512).
    public var policeAPICacheBytes = 512 << 20
    /// Public pages and open data show counts below this as "fewer than N"
    /// (`SAFERSTREETS_PUBLIC_MIN_COUNT`, default 5).
    public var publicMinimumCount = 5
    /// The folder holding `Resources/Views` and `Public` (`SAFERSTREETS_RESOURCES`); nil:
    /// found from the working directory or the executable (`ResourceDirectory`).
    public var resourcesDirectory: String?
    /// Take the client's address for rate limits from the last `X-Forwarded-For` entry
    /// (`SAFERSTREETS_TRUST_PROXY=1`): only behind a reverse proxy that sets it.
    public var trustProxy = false
    /// The publisher's registered 360Giving prefix for grant identifiers
    /// (`SAFERSTREETS_360G_PREFIX`, default `360G-saferstreets`: register your own with 360Giving).
    public var grantPrefix = "360G-saferstreets"
    /// The keys that seal victims' personal details (`SAFERSTREETS_DATA_KEYS=id=base64,…`, the
    /// first the current one; or `SAFERSTREETS_DATA_KEYS_FILE`, a file holding that text). Nil:
    /// no victim's record can be stored, and the server refuses to start if any is.
    var dataKeys: FieldCipher?
    /// Background tiles for the interactive maps (`SAFERSTREETS_MAP_TILES`, an https URL
    /// template with {z}, {x} and {y}, and `SAFERSTREETS_MAP_TILES_ATTRIBUTION`, the words the
    /// tile provider requires). Nil: the bundled context layers only, nothing fetched.
    public var mapTiles: MapTiles?
    /// How e-mail leaves (`SAFERSTREETS_MAIL`), who it is from (`SAFERSTREETS_MAIL_FROM`) and
    /// the address its links start with (`SAFERSTREETS_PUBLIC_URL`).
    public var mail = MailSettings()
    /// PostgreSQL connections each event loop (one per core) may open
    /// (`SAFERSTREETS_DB_CONNECTIONS`): with one, a long query (the police.uk API's warm-up, the
    /// recount after an import) made every request of that core wait, and time out after 10 s.
    /// SQLite keeps one a loop (its pragmas are set per connection; it has one writer).
    public var databaseConnections = 4
    /// The bearer token a Prometheus scraper sends for `GET /metrics`
    /// (`SAFERSTREETS_METRICS_TOKEN`, at least 16 characters). Nil: `/metrics` is not served.
    public var metricsToken: String?
    /// Where uploaded police.uk files wait for the import queue (`SAFERSTREETS_UPLOAD_DIR`;
    /// by default a folder in the system's temporary folder). Several instances must share it.
    public var uploadDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("saferstreets-uploads")
        .path

    public struct MapTiles: Sendable, Equatable {
        public var url: String
        public var attribution: String
        /// `https://host[:port]`, added to the content security policy's `img-src`.
        public var origin: String

        /// Nil with a message when the template or the attribution will not do.
        static func parse(url: String, attribution: String?) -> Result<MapTiles, ConfigError> {
            func fail(_ m: String) -> Result<MapTiles, ConfigError> { .failure(ConfigError(problems: [m])) }
            guard let parts = URLComponents(string: url), parts.scheme == "https", let host = parts.host,
                !host.isEmpty, ["{z}", "{x}", "{y}"].allSatisfy(url.contains), url.count <= 500,
                !url.contains(where: { " \"'<>\\`".contains($0) })
            else {
                return fail(
                    "SAFERSTREETS_MAP_TILES must be an https URL template with {z}, {x} and {y}, e.g. https://tiles.example.org/{z}/{x}/{y}.png (got \"\(url.prefix(80))\")"
                )
            }
            guard let attribution, !attribution.trimmingCharacters(in: .whitespaces).isEmpty, attribution.count <= 300
            else {
                return fail(
                    "SAFERSTREETS_MAP_TILES_ATTRIBUTION is needed with SAFERSTREETS_MAP_TILES: the words the tiles' licence asks for (up to 300 characters)"
                )
            }
            let origin = "https://\(host)" + (parts.port.map { ":\($0)" } ?? "")
            return .success(MapTiles(url: url, attribution: attribution, origin: origin))
        }
    }

    public init(database: Database, hostname: String = "127.0.0.1", port: Int = 8080, isDevelopment: Bool = false) {
        self.database = database
        self.hostname = hostname
        self.port = port
        self.isDevelopment = isDevelopment
    }

    /// Reads `DATABASE_URL`, `SAFERSTREETS_DB`, `HOST`, `PORT`, `SAFERSTREETS_ENV`,
    /// `SAFERSTREETS_POLICE_API_CACHE_MB`, `SAFERSTREETS_PUBLIC_MIN_COUNT`, `SAFERSTREETS_RESOURCES` and
    /// `SAFERSTREETS_360G_PREFIX`, `SAFERSTREETS_DATA_KEYS` (or `SAFERSTREETS_DATA_KEYS_FILE`),
    /// `SAFERSTREETS_MAP_TILES` and `SAFERSTREETS_MAP_TILES_ATTRIBUTION`, `SAFERSTREETS_MAIL`,
    /// `SAFERSTREETS_MAIL_FROM` and `SAFERSTREETS_PUBLIC_URL`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws
        -> AppConfig
    {
        var problems: [String] = []
        var database = Database.sqlite(path: env["SAFERSTREETS_DB"] ?? "saferstreets.sqlite")
        if let url = env["DATABASE_URL"], !url.isEmpty {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                database = .postgres(url: url)
            } else {
                problems.append("DATABASE_URL must start with postgres:// (got a value starting \(url.prefix(11)))")
            }
        }
        /// A whole number in `range`, or the default; a bad value is a problem named.
        func integer(_ name: String, default value: Int, in range: ClosedRange<Int>, what: String) -> Int {
            guard let text = env[name] else { return value }
            guard let n = Int(text), range.contains(n) else {
                problems.append("\(name) must be \(what) (got \"\(text)\")")
                return value
            }
            return n
        }
        let port = integer("PORT", default: 8080, in: 1...65535, what: "a number from 1 to 65535")
        let mode = env["SAFERSTREETS_ENV"] ?? "production"
        if !["production", "development"].contains(mode) {
            problems.append("SAFERSTREETS_ENV must be production or development (got \"\(mode)\")")
        }
        let cacheMB = integer(
            "SAFERSTREETS_POLICE_API_CACHE_MB", default: 512, in: 16...1_048_576,
            what: "a number of megabytes, 16 or more")
        let trustProxy = integer("SAFERSTREETS_TRUST_PROXY", default: 0, in: 0...1, what: "0 or 1")
        let minimumCount = integer(
            "SAFERSTREETS_PUBLIC_MIN_COUNT", default: 5, in: 1...100, what: "a whole number from 1 to 100")
        let grantPrefix = env["SAFERSTREETS_360G_PREFIX"] ?? "360G-saferstreets"
        if !OrgIdentifier.isPrefix(grantPrefix) {
            problems.append(
                "SAFERSTREETS_360G_PREFIX must be a 360Giving prefix: 360G- then letters, digits and hyphens (got \"\(grantPrefix.prefix(60))\")"
            )
        }
        var dataKeys: FieldCipher?
        var keyText = env["SAFERSTREETS_DATA_KEYS"]
        if keyText == nil, let file = env["SAFERSTREETS_DATA_KEYS_FILE"], !file.isEmpty {
            do {
                keyText = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)
            } catch {
                problems.append("SAFERSTREETS_DATA_KEYS_FILE: cannot read \(file)")
            }
        }
        if let keyText, !keyText.isEmpty {
            do {
                dataKeys = try FieldCipher.parse(keyText)
            } catch {
                problems.append("SAFERSTREETS_DATA_KEYS: \(error)")
            }
        }
        var tiles: MapTiles?
        if let url = env["SAFERSTREETS_MAP_TILES"], !url.isEmpty {
            switch MapTiles.parse(url: url, attribution: env["SAFERSTREETS_MAP_TILES_ATTRIBUTION"]) {
            case .success(let t): tiles = t
            case .failure(let e): problems += e.problems
            }
        }
        let mail = MailSettings.parse(env, development: mode == "development", port: port)
        if case .failure(let e) = mail { problems += e.problems }
        let connections = integer(
            "SAFERSTREETS_DB_CONNECTIONS", default: 4, in: 1...64, what: "a number of connections from 1 to 64")
        let metricsToken = env["SAFERSTREETS_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let t = metricsToken, t.count < 16 || t.contains(where: { $0.isWhitespace }) {
            problems.append(
                "SAFERSTREETS_METRICS_TOKEN must be at least 16 characters with no spaces (it guards /metrics).")
        }
        if !problems.isEmpty { throw ConfigError(problems: problems) }
        var config = AppConfig(
            database: database, hostname: env["HOST"] ?? "127.0.0.1", port: port, isDevelopment: mode == "development")
        config.policeAPICacheBytes = cacheMB << 20
        config.publicMinimumCount = minimumCount
        config.resourcesDirectory = env["SAFERSTREETS_RESOURCES"]
        config.trustProxy = trustProxy == 1
        config.grantPrefix = grantPrefix
        config.dataKeys = dataKeys
        config.mapTiles = tiles
        if case .success(let m) = mail { config.mail = m }
        config.metricsToken = metricsToken
        config.databaseConnections = connections
        if let uploads = env["SAFERSTREETS_UPLOAD_DIR"], !uploads.isEmpty { config.uploadDirectory = uploads }
        return config
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String {
        "SaferStreets cannot start; fix the configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
