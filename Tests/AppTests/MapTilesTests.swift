@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Background tiles are off unless configured; when configured, the template is checked, the
/// content security policy admits their origin and no other, and the maps carry them.
@Suite("map tiles configuration")
struct MapTilesTests {
    @Test("a tile template must be https with {z}, {x} and {y}, and comes with an attribution")
    func parse() throws {
        let none = try AppConfig.fromEnvironment([:])
        #expect(none.mapTiles == nil)
        let ok = try AppConfig.fromEnvironment([
            "SAFERSTREETS_MAP_TILES": "https://tiles.example.org:8443/os/{z}/{x}/{y}.png?key=abc",
            "SAFERSTREETS_MAP_TILES_ATTRIBUTION": "© Example tiles",
        ])
        #expect(ok.mapTiles?.origin == "https://tiles.example.org:8443")
        for (url, attribution, says) in [
            ("http://tiles.example.org/{z}/{x}/{y}.png", "© x", "https URL template"),
            ("https://tiles.example.org/{z}/{x}.png", "© x", "{z}, {x} and {y}"),
            ("https://tiles.example.org/{z}/{x}/{y}.png\" onerror=\"x", "© x", "https URL template"),
            ("https://tiles.example.org/{z}/{x}/{y}.png", "", "ATTRIBUTION is needed"),
        ] {
            #expect(throws: ConfigError.self) {
                try AppConfig.fromEnvironment([
                    "SAFERSTREETS_MAP_TILES": url, "SAFERSTREETS_MAP_TILES_ATTRIBUTION": attribution,
                ])
            }
            do {
                _ = try AppConfig.fromEnvironment([
                    "SAFERSTREETS_MAP_TILES": url, "SAFERSTREETS_MAP_TILES_ATTRIBUTION": attribution,
                ])
            } catch let e as ConfigError {
                #expect(e.description.contains(says), "\(url): \(e.description)")
            }
        }
    }

    @Test("the policy admits the tile server's origin for images only")
    func policy() {
        let plain = SecurityHeadersMiddleware.policy(imageOrigins: [])
        #expect(plain == SecurityHeadersMiddleware.contentSecurityPolicy)
        #expect(plain.contains("img-src 'self' data:;"))
        let tiled = SecurityHeadersMiddleware.policy(imageOrigins: ["https://tiles.example.org"])
        #expect(tiled.contains("img-src 'self' data: https://tiles.example.org;"))
        #expect(tiled.contains("script-src 'self';") && tiled.contains("default-src 'self';"))
    }

    @Test("without tiles configured the maps fetch nothing from elsewhere")
    func untiled() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/areas") { res async in
                #expect(
                    res.headers.first(name: "Content-Security-Policy")
                        == SecurityHeadersMiddleware.contentSecurityPolicy)
            }
        }
    }
}
