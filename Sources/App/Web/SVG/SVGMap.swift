import Analytics
import CrimeData
import Foundation

/// A map drawn by the server as SVG (no tile server or internet needed): grid cells
/// coloured by class, area outlines, place labels, a legend and a scale bar. Coordinates
/// are British National Grid metres; north is up.
struct SVGMap {
    struct CellLayer {
        var grid: Grid
        /// Fill per cell index; cells without one are not drawn.
        var fills: [Int: String]
        /// Tooltip per cell index (only for cells worth pointing at).
        var titles: [Int: String] = [:]
    }

    struct Outline {
        var shape: AreaShape
        var label: String
        var href: String?
        /// Fill for a choropleth; none by default.
        var fill: String? = nil
        /// Tooltip, e.g. the figure behind the fill.
        var title: String? = nil
        /// The outline's width in pixels: thinner for many small shapes, so their fill shows.
        var strokeWidth = 1.5
    }

    struct Label {
        var point: GridPoint
        var text: String
        /// True for an area's name, set just above its outline; false for a place name.
        var placeAbove = false
    }

    struct LegendEntry: Encodable, Sendable {
        var fill: String
        var text: String
    }

    var extent: Extent
    /// The widest and tallest the map itself may be, in SVG units; the map keeps the
    /// extent's proportions within them.
    var maxWidth = 760.0
    var maxMapHeight = 620.0
    var cells: CellLayer?
    var outlines: [Outline] = []
    /// Place names, most important first: a label that would overlap one placed before it is
    /// left off.
    var labels: [Label] = []
    var legend: [LegendEntry] = []
    var legendTitle = ""
    /// Land, sea and boundaries under the map (none in tests that draw geometry alone).
    var context: MapContext = .bundled

    /// Context boundaries of LSOAs are drawn on maps narrower than this (metres).
    static let lsoaLayerMaxWidth = 50_000.0

    private var scale: Double { min(maxWidth / max(extent.width, 1), maxMapHeight / max(extent.height, 1)) }
    /// At least 560 wide so that the legend fits, even for a tall narrow area.
    private var width: Double { max(560, (extent.width * scale).rounded()) }
    private var mapHeight: Double { (extent.height * scale).rounded() }
    private var legendHeight: Double {
        (legend.isEmpty ? 40 : 40 + Double((legend.count + 2) / 3) * 22 + 20) + 16
    }

    func x(_ e: Double) -> Double { ((e - extent.minEasting) * scale * 10).rounded() / 10 }
    func y(_ n: Double) -> Double { ((extent.maxNorthing - n) * scale * 10).rounded() / 10 }

    /// The SVG document. `title` and `description` are read out by screen readers.
    func render(title: String, description: String, id: String = "map") -> String {
        let height = mapHeight + legendHeight
        // A map with links is a group of links, not one image: an image may not hold
        // controls (WCAG 4.1.2; axe's nested-interactive).
        let role = outlines.contains { $0.href != nil } ? "group" : "img"
        let frame = "x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(mapHeight))\""
        let sea = context.hasLand(in: extent)
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" id="\(id)" class="map" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))" \
            role="\(role)" aria-labelledby="\(id)-title \(id)-desc" font-family="Arial, Helvetica, sans-serif">
            <title id="\(id)-title">\(SVG.escape(title))</title><desc id="\(id)-desc">\(SVG.escape(description))</desc>
            <defs><clipPath id="\(id)-frame"><rect \(frame)/></clipPath></defs>
            <rect \(frame) fill="\(sea ? "#dcebf5" : "#f8f8f8")"/>
            <g clip-path="url(#\(id)-frame)">

            """
        s += renderLand()
        if let cells { s += renderCells(cells) }
        s += renderBoundaries()
        s += "</g>\n"
        for o in outlines {
            let d = o.shape.polygons.flatMap { $0 }.map { ring in
                "M" + ring.map { "\(x($0.easting)),\(y($0.northing))" }.joined(separator: "L") + "Z"
            }.joined()
            let path =
                "<path d=\"\(d)\" fill=\"\(o.fill ?? "none")\" stroke=\"#0b0c0c\" stroke-width=\"\(o.strokeWidth)\" fill-rule=\"evenodd\"><title>\(SVG.escape(o.title ?? o.label))</title></path>"
            s += o.href.map { "<a href=\"\(SVG.escape($0))\">\(path)</a>\n" } ?? path + "\n"
        }
        for (l, lx, ly) in placedLabels() {
            s += """
                <text x="\(lx)" y="\(ly)" font-size="\(l.placeAbove ? 12 : 11)" text-anchor="middle" paint-order="stroke" \
                stroke="#ffffff" stroke-width="3" fill="\(l.placeAbove ? "#0b0c0c" : "#505a5f")"\
                \(l.placeAbove ? " font-weight=\"bold\"" : " font-style=\"italic\"")>\(SVG.escape(l.text))</text>

                """
        }
        s += "<rect \(frame) fill=\"none\" stroke=\"#b1b4b6\"/>\n"
        s += scaleBar()
        s += renderLegend()
        s +=
            "<text class=\"attribution\" x=\"10\" y=\"\(Int(height) - 6)\" font-size=\"10\" fill=\"#505a5f\">\(SVG.escape(MapContext.attribution))</text>\n"
        return s + "</svg>"
    }

    /// Labels inside the frame, area names first: each is moved in from an edge it would
    /// cross and left off if it would overlap one already placed. Returns the label and its
    /// anchor (the middle of its baseline).
    func placedLabels() -> [(Label, Double, Double)] {
        let outlineLabels = outlines.map {
            Label(
                point: GridPoint(easting: $0.shape.centroid.easting, northing: $0.shape.bounds.maxNorthing),
                text: $0.label, placeAbove: true)
        }
        var placed: [(Label, Double, Double)] = []
        var boxes: [(Double, Double, Double, Double)] = []
        for l in outlineLabels + labels where !l.text.isEmpty {
            var (lx, ly) = (x(l.point.easting), y(l.point.northing) - (l.placeAbove ? 4 : 0))
            guard lx >= 0, lx <= width, ly >= 0, ly <= mapHeight else { continue }
            let size = l.placeAbove ? 12.0 : 11.0
            let w = Double(l.text.count) * size * (l.placeAbove ? 0.62 : 0.56) + 4
            guard w < width - 8 else { continue }
            lx = min(max(lx, w / 2 + 4), width - w / 2 - 4)
            ly = min(max(ly, size + 3), mapHeight - 4)
            let box = (lx - w / 2, ly - size, lx + w / 2, ly + 3)
            guard !boxes.contains(where: { $0.0 < box.2 && box.0 < $0.2 && $0.1 < box.3 && box.1 < $0.3 }) else {
                continue
            }
            boxes.append(box)
            placed.append((l, (lx * 10).rounded() / 10, (ly * 10).rounded() / 10))
        }
        return placed
    }

    /// The part of the frame's surroundings worth clipping to: a little wider than the frame,
    /// so that the clip's own edges fall outside what is seen.
    private var clipBox: Extent { extent.expanded(by: 0.02 * max(extent.width, extent.height)) }

    /// SVG path data for a shape clipped to the frame, leaving out points under 0.6 units
    /// from the last one kept.
    func pathData(_ shape: AreaShape) -> String {
        let box = clipBox
        guard shape.bounds.intersects(box) else { return "" }
        var d = ""
        for ring in shape.polygons.joined() {
            var last = (-1e9, -1e9), part = "", n = 0
            for p in RingClip.clip(ring, to: box) {
                let (px, py) = (x(p.easting), y(p.northing))
                if abs(px - last.0) < 0.6, abs(py - last.1) < 0.6 { continue }
                part += (n == 0 ? "M" : "L") + "\(px),\(py)"
                last = (px, py)
                n += 1
            }
            if n >= 3 { d += part + "Z" }
        }
        return d
    }

    private func renderLand() -> String {
        let d = context.land.map(pathData).joined()
        guard !d.isEmpty else { return "" }
        return
            "<path class=\"land\" d=\"\(d)\" fill=\"#fbfbf8\" stroke=\"#8fb1c9\" stroke-width=\"0.8\" fill-rule=\"evenodd\"/>\n"
    }

    /// LSOA lines (on maps of a town or district) and local authority lines, over the cells.
    private func renderBoundaries() -> String {
        var s = ""
        if extent.width <= Self.lsoaLayerMaxWidth {
            let d = context.lsoas.map { pathData($0.shape) }.joined()
            if !d.isEmpty {
                s += "<path class=\"lsoas\" d=\"\(d)\" fill=\"none\" stroke=\"#b1b4b6\" stroke-width=\"0.5\"/>\n"
            }
        }
        let d = context.authorities.map { pathData($0.shape) }.joined()
        if !d.isEmpty {
            s +=
                "<path class=\"authorities\" d=\"\(d)\" fill=\"none\" stroke=\"#505a5f\" stroke-width=\"1\" stroke-dasharray=\"5 3\"/>\n"
        }
        return s
    }

    /// Cells as horizontal runs of equal fill, so a row of 40 identical cells is one
    /// rectangle; tooltips only on titled cells.
    private func renderCells(_ layer: CellLayer) -> String {
        let g = layer.grid
        var s = "<g class=\"cells\" shape-rendering=\"crispEdges\">\n"
        for r in 0..<g.rows {
            var c = 0
            while c < g.columns {
                let i = r * g.columns + c
                guard let fill = layer.fills[i] else { c += 1; continue }
                var end = c + 1
                while end < g.columns, layer.fills[r * g.columns + end] == fill,
                    layer.titles[r * g.columns + end] == nil,
                    layer.titles[i] == nil
                {
                    end += 1
                }
                let (e0, n0) = g.origin(of: i)
                let x0 = x(e0), x1 = x(e0 + Double(end - c) * g.cellSize)
                let y0 = y(n0 + g.cellSize), y1 = y(n0)
                let rect =
                    "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(max(0.5, x1 - x0))\" height=\"\(max(0.5, y1 - y0))\" fill=\"\(fill)\""
                if let title = layer.titles[i] {
                    s += rect + "><title>\(SVG.escape(title))</title></rect>\n"
                } else {
                    s += rect + "/>\n"
                }
                c = end
            }
        }
        return s + "</g>\n"
    }

    /// A bar of a round length (1, 2 or 5 × 10ⁿ m) about a fifth of the map's width.
    private func scaleBar() -> String {
        let target = extent.width / 5
        let power = pow(10, floor(log10(max(target, 1))))
        let length = [1.0, 2, 5, 10].map { $0 * power }.last { $0 <= target } ?? power
        let px = length * scale
        let y0 = mapHeight + 24
        let text =
            length >= 1000
            ? "\(Format.number(length / 1000, decimals: length >= 10_000 ? 0 : 1)) km" : "\(Int(length)) m"
        return """
            <g class="scale-bar"><rect x="10" y="\(y0 - 6)" width="\((px * 10).rounded() / 10)" height="6" fill="#0b0c0c"/>\
            <text x="\(((10 + px + 6) * 10).rounded() / 10)" y="\(y0)" font-size="12" fill="#0b0c0c">\(text)</text></g>

            """
    }

    private func renderLegend() -> String {
        guard !legend.isEmpty else { return "" }
        var s =
            "<g class=\"legend\"><text x=\"10\" y=\"\(mapHeight + 50)\" font-size=\"13\" font-weight=\"bold\" fill=\"#0b0c0c\">\(SVG.escape(legendTitle))</text>\n"
        let column = width / 3
        for (k, entry) in legend.enumerated() {
            let lx = 10 + Double(k % 3) * column
            let ly = mapHeight + 60 + Double(k / 3) * 22
            s += """
                <rect x="\(lx)" y="\(ly)" width="16" height="16" fill="\(entry.fill)" stroke="#505a5f" stroke-width="0.5"/>\
                <text x="\(lx + 22)" y="\(ly + 12.5)" font-size="12" fill="#0b0c0c">\(SVG.escape(entry.text))</text>

                """
        }
        return s + "</g>\n"
    }
}

enum SVG {
    /// Escapes text for SVG/XML content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
