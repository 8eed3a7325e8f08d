import Analytics
import CrimeData
import Foundation

extension MapContext {
    /// The layers inside `box` (BNG metres) as one RFC 7946 FeatureCollection in WGS84, for
    /// the interactive maps: the land as one feature, each local authority as one, and the
    /// LSOAs when the box is at most `SVGMap.lsoaLayerMaxWidth` wide. Rings are clipped to the
    /// box (plus a tenth) and thinned to points at least 1/1,500 of its width apart, so the
    /// answer stays small whatever the box.
    func geoJSON(in box: Extent) -> String {
        let margin = 0.1 * max(box.width, box.height)
        let clip = box.expanded(by: margin)
        let step = max(box.width, box.height) / 1_500
        func polygons(_ shape: AreaShape) -> [[[GeoPoint]]] {
            guard shape.bounds.intersects(clip) else { return [] }
            return shape.polygons.compactMap { polygon in
                let rings = polygon.map { ring in thinned(RingClip.clip(ring, to: clip), step: step) }
                guard let outer = rings.first, outer.count >= 3 else { return nil }
                return [outer] + rings.dropFirst().filter { $0.count >= 3 }
            }
        }
        var features: [String] = []
        let land = self.land.flatMap(polygons)
        if !land.isEmpty {
            features.append(feature(layer: "land", name: "Land", code: nil, land))
        }
        for a in authorities {
            let p = polygons(a.shape)
            if !p.isEmpty { features.append(feature(layer: "authority", name: a.name, code: a.code, p)) }
        }
        if box.width <= SVGMap.lsoaLayerMaxWidth {
            for a in lsoas {
                let p = polygons(a.shape)
                if !p.isEmpty { features.append(feature(layer: "lsoa", name: a.name, code: a.code, p)) }
            }
        }
        return "{\"type\":\"FeatureCollection\",\"attribution\":\(GeoJSON.string(Self.attribution)),\"features\":["
            + features.joined(separator: ",") + "]}"
    }

    private func feature(layer: String, name: String, code: String?, _ polygons: [[[GeoPoint]]]) -> String {
        var props = "\"layer\":\(GeoJSON.string(layer)),\"name\":\(GeoJSON.string(name))"
        if let code { props += ",\"code\":\(GeoJSON.string(code))" }
        return "{\"type\":\"Feature\",\"geometry\":\(GeoJSON.multiPolygon(polygons)),\"properties\":{\(props)}}"
    }

    /// WGS84 positions of a ring, leaving out points nearer than `step` metres to the last kept.
    private func thinned(_ ring: [GridPoint], step: Double) -> [GeoPoint] {
        var out: [GeoPoint] = []
        var last: GridPoint?
        for p in ring {
            if let l = last, abs(l.easting - p.easting) < step, abs(l.northing - p.northing) < step { continue }
            out.append(BritishNationalGrid.geo(from: p))
            last = p
        }
        return out
    }
}
