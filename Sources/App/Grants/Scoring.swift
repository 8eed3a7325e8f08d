/// The panel's arithmetic, pure. Each member scores every criterion from 0 to its maximum;
/// a member's weighted score is out of 100:
///
///     score = 100 × Σ wᵢ (sᵢ / maxᵢ) / Σ wᵢ
///
/// The application's panel score is the mean of the members who submitted (a declared
/// conflict removes a member); the officer may moderate it to another value with a recorded
/// reason, and the moderated value then stands. It meets the round's minimum when the
/// standing score is at or above it.
enum Scoring {
    struct Criterion: Sendable, Equatable {
        var id: Int
        var weight: Double
        var maxScore: Int
    }

    /// A member's weighted score, or nil unless every criterion has a score within its range
    /// and the weights are positive.
    static func weighted(_ scores: [Int: Int], criteria: [Criterion]) -> Double? {
        guard !criteria.isEmpty else { return nil }
        var total = 0.0
        var weights = 0.0
        for c in criteria {
            guard let s = scores[c.id], c.maxScore > 0, (0...c.maxScore).contains(s), c.weight > 0, c.weight.isFinite
            else { return nil }
            total += c.weight * Double(s) / Double(c.maxScore)
            weights += c.weight
        }
        return 100 * total / weights
    }

    struct Summary: Sendable, Equatable {
        var members: Int
        var mean: Double?
        var lowest: Double?
        var highest: Double?
        /// The moderated score if the officer set one, else the mean.
        var standing: Double?
        var meetsMinimum: Bool
    }

    static func summary(_ memberScores: [Double], moderated: Double?, minimum: Double) -> Summary {
        let mean = memberScores.isEmpty ? nil : memberScores.reduce(0, +) / Double(memberScores.count)
        let standing = moderated ?? mean
        return Summary(
            members: memberScores.count, mean: mean, lowest: memberScores.min(), highest: memberScores.max(),
            standing: standing, meetsMinimum: standing.map { $0 >= minimum } ?? false)
    }
}
