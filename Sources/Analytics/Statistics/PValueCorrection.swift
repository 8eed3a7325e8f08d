/// Corrections for testing many cells at once. Without one, about 1 in 20 cells of a
/// pattern-free map would be called significant at 95%.
public enum PValueCorrection: String, Sendable, Hashable, Codable, CaseIterable {
    /// No correction: each p-value stands alone.
    case none
    /// Benjamini–Hochberg (1995) false discovery rate: adjusted p_(i) =
    /// min over j ≥ i of min(1, m · p_(j) / j), with p sorted ascending. Among cells called
    /// significant at level q, the expected share of false discoveries is at most q.
    case benjaminiHochberg = "fdr"
    /// Holm (1979) step-down: adjusted p_(i) = max over j ≤ i of min(1, (m − j + 1) · p_(j)).
    /// Controls the chance of any false discovery; more conservative.
    case holm

    /// Adjusted p-values in the input order. NaN p-values (cells that were not tested)
    /// stay NaN and do not count in m. Equal to statsmodels `multipletests(method='fdr_bh')`
    /// and `method='holm'`.
    public func adjust(_ p: [Double]) -> [Double] {
        if self == .none { return p }
        var order = p.indices.filter { !p[$0].isNaN }
        order.sort { p[$0] < p[$1] }
        let m = Double(order.count)
        var adjusted = p
        switch self {
        case .none: break
        case .benjaminiHochberg:
            var running = 1.0
            for rank in stride(from: order.count, through: 1, by: -1) {
                let i = order[rank - 1]
                running = min(running, m * p[i] / Double(rank))
                adjusted[i] = running
            }
        case .holm:
            var running = 0.0
            for (k, i) in order.enumerated() {
                running = max(running, min(1, (m - Double(k)) * p[i]))
                adjusted[i] = running
            }
        }
        return adjusted
    }
}
