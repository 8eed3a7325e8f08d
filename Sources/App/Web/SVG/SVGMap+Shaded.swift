import Analytics
import Foundation

extension SVGMap {
    /// ColorBrewer Blues, 4 classes, after white for none.
    static let countFills = ["#deebf7", "#9ecae1", "#4292c6", "#08519c"]

    /// Stored areas shaded in four blues by a count (white for none), with a legend of the
    /// classes: the activity dashboard's target areas, the grants on the open pages.
    /// Areas without an outline are left off; nil when none has one.
    static func shaded(
        _ areas: [(area: AreaRecord, count: Int, href: String?)], singular: String, plural: String,
        legendTitle: String, title: String
    ) -> String? {
        let drawn = areas.compactMap { a in a.area.shape.map { (a, $0) } }
        guard let first = drawn.first?.1 else { return nil }
        let extent = drawn.dropFirst().reduce(first.bounds) { $0.union($1.1.bounds) }
        let most = max(1, areas.map(\.count).max() ?? 1)
        let fills = countFills
        let map = SVGMap(
            extent: extent.expanded(by: max(extent.width, extent.height) * 0.06),
            outlines: drawn.map { a, shape in
                .init(
                    shape: shape, label: a.area.shortName, href: a.href,
                    fill: a.count == 0 ? "#ffffff" : fills[min(3, (a.count * 4 - 1) / most)],
                    title: "\(a.area.name): \(Format.counted(a.count, singular, plural))")
            },
            legend: [.init(fill: "#ffffff", text: "No \(plural)")]
                + legend(most: most, fills: fills, singular: singular, plural: plural),
            legendTitle: legendTitle)
        return map.render(
            title: title,
            description: areas.map { "\($0.area.name): \(Format.counted($0.count, singular, plural))" }.joined(
                separator: "; "))
    }

    /// The classes as the fills are given: a count c takes fill min(3, (4c − 1) / most), so
    /// class k holds the counts up to ⌊(k + 1) × most / 4⌋; a class no count can fall in (when
    /// the largest count is under 4) is left out.
    static func legend(most: Int, fills: [String], singular: String, plural: String) -> [LegendEntry] {
        var out: [LegendEntry] = []
        var lower = 1
        for (k, f) in fills.enumerated() {
            let upper = k == fills.count - 1 ? most : (most * (k + 1)) / 4
            guard upper >= lower else { continue }
            let text =
                upper == lower
                ? Format.counted(upper, singular, plural)
                : "\(Format.count(lower)) to \(Format.count(upper)) \(plural)"
            out.append(.init(fill: f, text: text))
            lower = upper + 1
        }
        return out
    }
}
