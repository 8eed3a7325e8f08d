/// Weights that turn counts into a harm-weighted score: Σ weight(category) × count.
///
/// The defaults are SaferStreets' own, ordinal and deliberately simple: they rank
/// police.uk's categories by typical seriousness (violence and robbery highest, ASB and
/// minor theft lowest) with ASB = 1 as the unit. They are not an official index such as
/// the ONS Crime Severity Score or the Cambridge Crime Harm Index; an office that uses one
/// of those sets its own weights, and every ranking records the weights it used.
public struct HarmWeights: Sendable, Hashable, Codable {
    /// Weight by police.uk category slug (e.g. `anti-social-behaviour`).
    public var weights: [String: Double]
    /// Weight of a category missing from `weights`.
    public var otherwise: Double

    public init(weights: [String: Double], otherwise: Double = 1) {
        self.weights = weights
        self.otherwise = otherwise
    }

    public func weight(_ slug: String) -> Double { weights[slug] ?? otherwise }

    public static let `default` = HarmWeights(weights: [
        "anti-social-behaviour": 1,
        "bicycle-theft": 2,
        "burglary": 8,
        "criminal-damage-arson": 4,
        "drugs": 3,
        "other-crime": 3,
        "other-theft": 2,
        "possession-of-weapons": 10,
        "public-order": 3,
        "robbery": 15,
        "shoplifting": 2,
        "theft-from-the-person": 4,
        "vehicle-crime": 3,
        "violent-crime": 12,
    ])
}
