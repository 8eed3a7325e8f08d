@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The interactive hot-spot map in a real browser at 1400 × 1000: the context layers (land,
/// local authority lines) and the cells are drawn, and clicking a hot cell opens a popup
/// whose count is the cell's count in the GeoJSON download. Screenshots of the page are
/// written to `.build/screenshots/` for people to look at (CI keeps the folder's listing).
@Suite(
    "the maps in a real browser", .serialized,
    .enabled(if: Browser.available, "headless Chromium or chromedriver is not installed"))
struct MapBrowserTests {
    static let query = "force=norfolk&from=2022-10&to=2022-11"

    /// Polls `script` (which returns a number) until it is positive; its last value.
    static func waitFor(_ browser: WebDriver, _ script: String, seconds: Double = 60) async throws -> Int {
        let end = Date().addingTimeInterval(seconds)
        var value = 0
        while Date() < end {
            value = (try await browser.script(script) as? Int) ?? 0
            if value > 0 { return value }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        return value
    }

    static func save(_ png: Data, _ name: String) throws {
        let folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent(".build/screenshots")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try png.write(to: folder.appendingPathComponent(name))
    }

    struct Cells: Decodable {
        struct Feature: Decodable {
            struct Properties: Decodable {
                var count: Double
                var `class`: String
                var fill: String?
            }
            var id: String
            var properties: Properties
        }
        var features: [Feature]
    }

    @Test("the hot-spot map pans over land and boundaries, and a hot cell's popup gives its count")
    func hotCellPopup() async throws {
        try await withTestApp { app in
            let folder = app.scratch.appendingPathComponent("demo")
            _ = try NorfolkDemo().write(to: folder, months: 2)
            _ = try await app.importFiles(folder.path)
            try await NorfolkDemo.createTownAreas(on: app.db)
            try await Browser.driving(app) { browser, site in
                try await browser.resize(width: 1400, height: 1000)
                try await browser.open("\(site)/hotspots?\(Self.query)")
                let ready = try await Self.waitFor(
                    browser, "return document.querySelectorAll('.live-map-wrap--ready path.map-shape--hot-99').length")
                #expect(ready > 0, "hot cells drawn on the interactive map")
                let land = try await Self.waitFor(
                    browser, "return document.querySelectorAll('.leaflet-context-pane path').length")
                #expect(land > 0, "the land drawn under the cells")
                let lines = try await Self.waitFor(
                    browser, "return document.querySelectorAll('.leaflet-boundaries-pane path').length")
                #expect(lines > 0, "local authority boundaries drawn over the cells")
                let hidden = try await browser.script(
                    "return getComputedStyle(document.querySelector('.map-figure--static')).display")
                #expect(hidden as? String == "none", "the static SVG map gives way to the interactive one on screen")

                _ = try await browser.script(
                    "document.querySelector('.live-map').scrollIntoView({block: 'start'}); return 1")
                try await browser.click("path.map-shape--hot-99")
                let shown = try await Self.waitFor(
                    browser, "return document.querySelectorAll('.leaflet-popup-content .popup-count').length",
                    seconds: 10)
                #expect(shown == 1, "one popup open")
                let cellID = try await browser.text(".leaflet-popup-content .popup-title")
                let count = try await browser.text(".leaflet-popup-content .popup-count strong")

                let response = try await app.client.get(
                    URI(string: "\(site)\(SiteURL.hotspotCellsGeoJSON.with(query: Self.query + "&view=classes"))"))
                let cells = try response.content.decode(Cells.self, using: JSONDecoder())
                let cell = try #require(cells.features.first { $0.id == cellID }, "the popup names a cell: \(cellID)")
                #expect(cell.properties.class == "hot-99")
                #expect(count == String(Int(cell.properties.count)), "popup \(count), GeoJSON \(cell.properties.count)")
                #expect(cell.properties.fill == HotspotMaps.fill(.hot99))
                try Self.save(try await browser.screenshot(), "hotspots-live-1400.png")

                // An area's page: its outline over the LSOA and local authority lines.
                try await browser.open("\(site)\(SiteURL.area("norwich-town-centre"))")
                let outline = try await Self.waitFor(
                    browser,
                    "return document.querySelectorAll('.live-map-wrap--ready .leaflet-overlay-pane path').length")
                #expect(outline == 1, "the area's outline")
                let lsoaLines = try await Self.waitFor(
                    browser, "return document.querySelectorAll('.leaflet-boundaries-pane path').length")
                #expect(lsoaLines >= 2, "LSOA and local authority lines around a town centre: \(lsoaLines)")
                _ = try await browser.script(
                    "document.querySelector('.live-map').scrollIntoView({block: 'start'}); return 1")
                try Self.save(try await browser.screenshot(), "area-1400.png")

                // Print and no-script readers keep the server-drawn map, with the same context.
                let svg = try await app.client.get(
                    URI(string: "\(site)\(SiteURL.hotspotMapSVG.with(query: Self.query + "&view=classes"))"))
                let body = String(buffer: svg.body ?? ByteBuffer())
                #expect(body.contains("class=\"land\""), "the SVG map draws the coastline")
                #expect(body.contains("class=\"authorities\""), "and local authority lines")
            }
        }
    }
}
