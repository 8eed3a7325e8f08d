/// The four police.uk CSV layouts, recognised by their exact header line.
public enum PoliceFileKind: String, Sendable, CaseIterable, Codable {
    case street
    case outcomes
    case stopAndSearch = "stop-and-search"
    /// The 2010–2012 layout with British National Grid easting and northing.
    case legacyStreet = "legacy-street"

    /// The header police.uk writes, column for column.
    public var header: [String] {
        switch self {
        case .street:
            [
                "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
            ]
        case .outcomes:
            [
                "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                "LSOA code", "LSOA name", "Outcome type",
            ]
        case .stopAndSearch:
            [
                "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
                "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
                "Object of search", "Outcome", "Outcome linked to object of search",
                "Removal of more than just outer clothing",
            ]
        case .legacyStreet:
            ["Month", "Reported by", "Falls within", "Easting", "Northing", "Location", "Crime type", "Context"]
        }
    }

    /// Plain-English name for messages and pages.
    public var label: String {
        switch self {
        case .street: "street-level crime"
        case .outcomes: "outcomes"
        case .stopAndSearch: "stop and search"
        case .legacyStreet: "street-level crime (2010–2012 layout)"
        }
    }

    /// The kind whose header matches `fields` exactly (surrounding spaces ignored).
    public static func detect(header fields: [String]) -> PoliceFileKind? {
        let trimmed = fields.map { $0.trimmingSpaces() }
        return allCases.first { $0.header == trimmed }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
