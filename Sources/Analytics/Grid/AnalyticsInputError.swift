/// A grid, shape, band or series that no analysis can be run on, with a sentence saying
/// which and why. Callers check their inputs first (`AnalysisOptions`' ranges, `GeoJSON`'s
/// rings), so this is the last guard, not the message a user normally sees.
public struct AnalyticsInputError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
