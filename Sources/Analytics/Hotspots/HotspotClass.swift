/// The confidence class of a cell, as on hot-spot maps: hot or cold at 99, 95 or 90%
/// confidence, from the sign of Gi* and its (corrected) two-sided p-value.
public enum HotspotClass: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case cold99 = -3, cold95 = -2, cold90 = -1, notSignificant = 0, hot90 = 1, hot95 = 2, hot99 = 3

    public init(z: Double, p: Double) {
        guard !z.isNaN, !p.isNaN, z != 0 else { self = .notSignificant; return }
        let level = p <= 0.01 ? 3 : p <= 0.05 ? 2 : p <= 0.10 ? 1 : 0
        self = HotspotClass(rawValue: z > 0 ? level : -level)!
    }

    public var isHot: Bool { rawValue > 0 }
    public var isCold: Bool { rawValue < 0 }

    /// Plain-English label for maps and tables.
    public var label: String {
        switch self {
        case .hot99: "Hot spot, 99% confidence"
        case .hot95: "Hot spot, 95% confidence"
        case .hot90: "Hot spot, 90% confidence"
        case .notSignificant: "Not significant"
        case .cold90: "Cold spot, 90% confidence"
        case .cold95: "Cold spot, 95% confidence"
        case .cold99: "Cold spot, 99% confidence"
        }
    }

    /// Short machine name used in CSV and GeoJSON.
    public var slug: String {
        switch self {
        case .hot99: "hot-99"
        case .hot95: "hot-95"
        case .hot90: "hot-90"
        case .notSignificant: "not-significant"
        case .cold90: "cold-90"
        case .cold95: "cold-95"
        case .cold99: "cold-99"
        }
    }

    public static func < (a: HotspotClass, b: HotspotClass) -> Bool { a.rawValue < b.rawValue }
}
