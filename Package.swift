// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "saferstreets",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "saferstreets", targets: ["saferstreets"]),
        .library(name: "CrimeData", targets: ["CrimeData"]),
        .library(name: "Analytics", targets: ["Analytics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        // Already built for Vapor; named so that stores hash tokens without importing Vapor.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // Metrics: Vapor reports every request through swift-metrics; Prometheus's registry
        // collects them for `/metrics`.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Already built for Fluent; named for its connection pool's timeout error (a 503).
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.22.0"),
    ],
    targets: [
        // police.uk formats, geography: no Vapor, no Fluent.
        // The CSV parser's inner loop (AVX2 where the processor has it, SWAR elsewhere).
        .target(name: "CSVScan"),
        .target(
            name: "CrimeData",
            dependencies: ["CSVScan", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            resources: [.copy("Resources/lsoa-2011.csv")]
        ),
        // Pure statistics on value types.
        .target(name: "Analytics", dependencies: ["CrimeData"]),
        // Prototypes of the SQLite library that SQLiteNIO vendors (symbols prefixed
        // `sqlite_nio_`), so the bulk importer shares Fluent's SQLite instance.
        .target(name: "CSQLiteShim"),
        .target(
            name: "App",
            dependencies: [
                "CrimeData", "Analytics", "CSQLiteShim",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncKit", package: "async-kit"),
            ],
            resources: [
                .copy("Resources/demo"), .copy("Resources/openapi.json"), .copy("Resources/common-passwords.txt"),
                .copy("Resources/victims"), .copy("Resources/maps"),
            ]
        ),
        .executableTarget(name: "saferstreets", dependencies: ["App"]),
        .testTarget(
            name: "CrimeDataTests",
            dependencies: ["CrimeData", "CSVScan", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "AnalyticsTests", dependencies: ["Analytics"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", .product(name: "VaporTesting", package: "vapor"),
                .product(name: "AsyncKit", package: "async-kit"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
