import Foundation
import Testing

/// Reads the golden-value CSV files made by `scripts/fixtures/hotspot_reference.py`.
enum Fixture {
    /// Every line of a fixture split on commas (the fixtures hold no quoted fields).
    static func lines(_ name: String) throws -> [[String]] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func double(_ s: String) -> Double { s == "nan" ? .nan : Double(s)! }
}

/// |a − b| ≤ tolerance, or both NaN.
func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    (a.isNaN && b.isNaN) || abs(a - b) <= tolerance
}
