/// The "law of crime concentration" view (Weisburd 2015): what share of all incidents
/// falls in the busiest 1%, 5% and 10% of places.
public struct Concentration: Sendable, Hashable, Codable {
    public struct Share: Sendable, Hashable, Codable {
        /// Fraction of places, e.g. 0.05 for the top 5%.
        public var topFraction: Double
        /// Number of places in that top fraction: ⌈fraction × places⌉.
        public var places: Int
        /// Share of all incidents in those places, 0…1.
        public var share: Double
    }

    /// Places counted, those with no incidents included.
    public var places: Int
    public var total: Double
    public var shares: [Share]
    /// The smallest share of places that together hold half of all incidents.
    public var placesForHalf: Double

    /// - Parameter counts: one count per place in the study area, zeros included (leaving
    ///   them out would overstate how spread out incidents are).
    public init(counts: [Double], fractions: [Double] = [0.01, 0.05, 0.10]) {
        let sorted = counts.sorted(by: >)
        let total = sorted.reduce(0, +)
        places = sorted.count
        self.total = total
        var prefix = [0.0]
        prefix.reserveCapacity(sorted.count + 1)
        for c in sorted { prefix.append(prefix.last! + c) }
        shares = fractions.map { f in
            let k = min(sorted.count, Int((f * Double(sorted.count)).rounded(.up)))
            return Share(topFraction: f, places: k, share: total > 0 ? prefix[k] / total : 0)
        }
        let half = prefix.firstIndex { $0 >= total / 2 && total > 0 } ?? 0
        placesForHalf = sorted.isEmpty ? 0 : Double(half) / Double(sorted.count)
    }
}
