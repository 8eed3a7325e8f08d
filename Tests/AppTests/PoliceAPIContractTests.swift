@testable import App
import CrimeData
import Foundation
import Testing
import Vapor

/// Every police.uk method's answer compared field by field with police.uk's documented
/// example (Fixtures/police-api, see its README): the same keys at every level, the same
/// JSON types, null only where police.uk writes null, coordinates as six-decimal strings.
@Suite("police.uk API contract")
struct PoliceAPIContractTests {
    static let nullable: Set<String> = [
        "outcome_status", "location", "location_type", "officer_defined_ethnicity", "legislation",
        "outcome_linked_to_object_of_search", "operation", "operation_name", "self_defined_ethnicity",
        "object_of_search",
        "description", "person_id", "age_range", "gender", "removal_of_more_than_outer_clothing",
    ]
    /// Contact details police.uk gives only where a neighbourhood has them.
    static let optional: Set<String> = ["twitter", "facebook", "telephone", "email"]

    static func example(_ name: String) throws -> JSONValue {
        let path = try #require(
            Bundle.module.path(forResource: name, ofType: "json", inDirectory: "Fixtures/police-api"))
        return try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Coordinates, months and persistent ids in police.uk's formats, wherever they occur.
    static func formatProblems(_ value: JSONValue, path: String = "$") -> [String] {
        switch value {
        case .object(let o):
            var problems: [String] = []
            for (key, v) in o {
                if ["latitude", "longitude"].contains(key), let s = v.string,
                    s.range(of: #"^-?[0-9]+\.[0-9]{6}$"#, options: .regularExpression) == nil
                {
                    problems.append("\(path).\(key) = \(s): not six decimals")
                }
                if ["month", "date"].contains(key), let s = v.string,
                    s.range(of: #"^[0-9]{4}-[0-9]{2}(-01)?$"#, options: .regularExpression) == nil
                {
                    problems.append("\(path).\(key) = \(s): not YYYY-MM")
                }
                if key == "persistent_id", let s = v.string, !s.isEmpty,
                    s.range(of: #"^[0-9a-f]{64}$"#, options: .regularExpression) == nil
                {
                    problems.append("\(path).\(key) = \(s): not 64 lowercase hex characters")
                }
                problems += formatProblems(v, path: "\(path).\(key)")
            }
            return problems
        case .array(let a):
            return a.enumerated().flatMap { formatProblems($0.element, path: "\(path)[\($0.offset)]") }
        default:
            return []
        }
    }

    @Test("each method's answer has police.uk's documented shape")
    func everyMethod() async throws {
        try await withTestApp { app in
            try await PoliceAPIData.load(app)
            _ = try await AreaStore().create(
                AreaDraft(
                    name: "Norwich city centre", kind: .radius, forceID: "norfolk",
                    shape: .circle(
                        centre: BritishNationalGrid.grid(from: GeoPoint(longitude: 1.2974, latitude: 52.6309)),
                        radius: 800),
                    radius: 800),
                on: app.db)
            let castle = "lat=52.6309&lng=1.2974"
            let id = PoliceCSV.id(1)
            let methods: [(example: String, path: String)] = [
                ("forces", "/api/forces"),
                ("force", "/api/forces/norfolk"),
                ("crime-categories", "/api/crime-categories?date=2024-06"),
                ("crimes-street-dates", "/api/crimes-street-dates"),
                ("crime-last-updated", "/api/crime-last-updated"),
                ("crimes-street", "/api/crimes-street/all-crime?\(castle)&date=2024-06"),
                ("crimes-street", "/api/crimes-street/all-crime?poly=52.64,1.28:52.64,1.32:52.62,1.30"),
                ("crimes-at-location", "/api/crimes-at-location?\(castle)&date=2024-06"),
                ("crimes-no-location", "/api/crimes-no-location?category=all-crime&force=norfolk&date=2024-06"),
                ("outcomes-for-crime", "/api/outcomes-for-crime/\(id)"),
                ("outcomes-at-location", "/api/outcomes-at-location?\(castle)&date=2024-07"),
                ("stops-street", "/api/stops-street?\(castle)&date=2024-06"),
                (
                    "stops-at-location",
                    "/api/stops-at-location?location_id=\(PoliceLocationID.make(latitude: 52.6076, longitude: 1.7305))&date=2024-06"
                ),
                ("stops-force", "/api/stops-force?force=norfolk&date=2024-06"),
                ("stops-no-location", "/api/stops-no-location?force=norfolk&date=2024-06"),
                ("locate-neighbourhood", "/api/locate-neighbourhood?q=52.6309,1.2974"),
                ("neighbourhoods", "/api/norfolk/neighbourhoods"),
                ("neighbourhood", "/api/norfolk/norwich-city-centre"),
                ("neighbourhood-boundary", "/api/norfolk/norwich-city-centre/boundary"),
            ]
            for method in methods {
                let ours = try await app.json(method.path)
                if case .array(let items) = ours {
                    #expect(!items.isEmpty, "\(method.path) answered an empty list: nothing compared")
                }
                let differences = ours.shapeDifferences(
                    from: try Self.example(method.example), nullable: Self.nullable, optional: Self.optional)
                #expect(
                    differences.isEmpty,
                    "\(method.path) against police.uk's \(method.example) example:\n\(differences.prefix(12).joined(separator: "\n"))"
                )
                let formats = Self.formatProblems(ours)
                #expect(formats.isEmpty, "\(method.path): \(formats.prefix(6).joined(separator: "; "))")
            }
        }
    }

    @Test("the documented examples themselves pass the format checks (the checks are police.uk's formats)")
    func examplesAreWellFormed() throws {
        for name in [
            "crimes-street", "crimes-at-location", "crimes-no-location", "outcomes-for-crime", "outcomes-at-location",
            "stops-street", "stops-force", "stops-no-location", "crime-last-updated",
        ] {
            #expect(Self.formatProblems(try Self.example(name)).isEmpty, "\(name)")
        }
    }

    @Test("the shape comparison finds a renamed key, a number where police.uk has a string, and a stray null")
    func comparisonCanFail() throws {
        let documented = try Self.example("crimes-at-location")
        guard case .array(let items) = documented, case .object(var crime) = items[0] else {
            Issue.record("example is not a list"); return
        }
        crime["persistent-id"] = crime.removeValue(forKey: "persistent_id")
        var location = crime["location"]!
        if case .object(var l) = location { l["latitude"] = .number(52.6); location = .object(l) }
        crime["location"] = location
        crime["context"] = .null
        let problems = JSONValue.array([.object(crime)]).shapeDifferences(from: documented, nullable: Self.nullable)
        #expect(problems.contains("$[0].persistent_id: missing"))
        #expect(problems.contains("$[0].persistent-id: not in police.uk's answer"))
        #expect(problems.contains("$[0].location.latitude: number where police.uk has string"))
        #expect(problems.contains("$[0].context: null where police.uk has string"))
    }
}
