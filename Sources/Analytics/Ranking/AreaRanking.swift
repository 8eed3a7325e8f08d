/// "Which areas are affected most?": ranks areas by count, rate per 1,000 residents, share
/// of the force total, change, and harm.
public enum AreaRanking {
    /// What is known about one area for the chosen categories.
    public struct Input: Sendable, Hashable {
        public var id: String
        public var name: String
        /// Residents (ONS mid-year estimate of the LSOAs whose centroids fall inside);
        /// nil or 0 means no rate can be given.
        public var population: Int?
        /// Count per category slug in the chosen period, the previous period, and the same
        /// period a year earlier.
        public var current: [String: Int]
        public var previous: [String: Int]
        public var yearEarlier: [String: Int]

        public init(
            id: String, name: String, population: Int?, current: [String: Int],
            previous: [String: Int], yearEarlier: [String: Int]
        ) {
            self.id = id
            self.name = name
            self.population = population
            self.current = current
            self.previous = previous
            self.yearEarlier = yearEarlier
        }
    }

    public enum SortKey: String, Sendable, CaseIterable, Codable {
        case count, rate, harm, change
    }

    public struct Row: Sendable, Hashable, Codable {
        public var rank: Int
        public var id: String
        public var name: String
        public var population: Int?
        public var count: Int
        /// Incidents per 1,000 residents over the whole period.
        public var ratePer1000: Double?
        /// Share of the force's total for the same categories and months, 0…1.
        public var shareOfForce: Double?
        public var harm: Double
        public var versusPrevious: CountComparison
        public var versusYearEarlier: CountComparison
    }

    /// Ranks `areas`, highest first by `sortBy` (ties broken by count, then name).
    /// `forceTotal` is the force-wide count for the same categories and period.
    public static func rank(
        _ areas: [Input], forceTotal: Int?, weights: HarmWeights = .default, sortBy: SortKey = .rate
    ) -> [Row] {
        var rows = areas.map { a -> Row in
            let count = a.current.values.reduce(0, +)
            let previous = a.previous.values.reduce(0, +)
            let yearEarlier = a.yearEarlier.values.reduce(0, +)
            let rate = (a.population ?? 0) > 0 ? Double(count) * 1000 / Double(a.population!) : nil
            let harm = a.current.reduce(0.0) { $0 + weights.weight($1.key) * Double($1.value) }
            return Row(
                rank: 0, id: a.id, name: a.name, population: a.population, count: count, ratePer1000: rate,
                shareOfForce: (forceTotal ?? 0) > 0 ? Double(count) / Double(forceTotal!) : nil, harm: harm,
                versusPrevious: CountComparison(current: count, baseline: previous),
                versusYearEarlier: CountComparison(current: count, baseline: yearEarlier))
        }
        func key(_ r: Row) -> Double {
            switch sortBy {
            case .count: Double(r.count)
            case .rate: r.ratePer1000 ?? -1
            case .harm: r.harm
            case .change: r.versusYearEarlier.rateRatio ?? -1
            }
        }
        rows.sort { a, b in
            let (ka, kb) = (key(a), key(b))
            if ka != kb { return ka > kb }
            if a.count != b.count { return a.count > b.count }
            return a.name < b.name
        }
        for i in rows.indices { rows[i].rank = i + 1 }
        return rows
    }
}
