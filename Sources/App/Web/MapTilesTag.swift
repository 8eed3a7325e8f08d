import Leaf
import Vapor

/// `#mapTiles()` on an interactive map's element: the configured background tiles as
/// `data-tiles` and `data-tiles-attribution` attributes (escaped here), or nothing.
struct MapTilesTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let tiles = ctx.request?.application.appConfig.mapTiles else { return .string("") }
        return .string(
            " data-tiles=\"\(SVG.escape(tiles.url))\" data-tiles-attribution=\"\(SVG.escape(tiles.attribution))\"")
    }
}
