import Analytics
import CrimeData
import Foundation

/// What a page needs for its interactive map (`partials/live-map`, `Public/js/map.js`): the
/// GeoJSON to draw (the page's own download, each feature styled by its simplestyle `fill`),
/// the context layers for the surroundings, where to look first, and the legend. The
/// server-drawn SVG stays on the page for print, PDF and browsers without script.
struct LiveMap: Encodable, Sendable {
    /// The features' URL and what the layer control calls them.
    var features: String
    var featuresLabel: String
    /// The context layers' URL for a box twice the map's size, so panning finds them.
    var context: String
    /// South, west, north, east (WGS84 degrees) to fit the map to first.
    var bounds: String
    var legendTitle: String
    var legend: [SVGMap.LegendEntry]
    var attribution: String = MapContext.attribution
}

extension SVGMap {
    /// The interactive version of this map, drawing `features`.
    func live(features: String, label: String) -> LiveMap {
        let e = extent
        let corners = [
            (e.minEasting, e.minNorthing), (e.minEasting, e.maxNorthing), (e.maxEasting, e.minNorthing),
            (e.maxEasting, e.maxNorthing),
        ].map { BritishNationalGrid.geo(from: GridPoint(easting: $0.0, northing: $0.1)) }
        let south = corners.map(\.latitude).min() ?? 0, north = corners.map(\.latitude).max() ?? 0
        let west = corners.map(\.longitude).min() ?? 0, east = corners.map(\.longitude).max() ?? 0
        let margin = max(e.width, e.height) / 2
        let box = e.expanded(by: margin)
        let bbox = [box.minEasting, box.minNorthing, box.maxEasting, box.maxNorthing].map { String(Int($0.rounded())) }
        return LiveMap(
            features: features, featuresLabel: label,
            context: SiteURL.mapContext.with(query: "bbox=" + bbox.joined(separator: ",")),
            bounds: [south, west, north, east].map(GeoJSON.coordinate).joined(separator: ","),
            legendTitle: legendTitle, legend: legend)
    }
}
