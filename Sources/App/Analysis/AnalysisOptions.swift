import Analytics
import CrimeData
import Vapor

/// The query string shared by the ranking and hot-spot pages, their downloads, the JSON
/// API and the command line. Every field is optional; defaults are filled from the data.
struct AnalysisQuery: Content, Sendable {
    /// police.uk force id, e.g. `norfolk`, or `all` (rankings only): every force's data.
    var force: String?
    /// First and last month, `YYYY-MM`.
    var from: String?
    var to: String?
    /// Category slugs, repeated (`category=a&category=b`, as a form sends them) or
    /// comma-separated (`category=a,b`), or `all`. Default: `anti-social-behaviour`.
    var category: [String]?
    /// Cell size in metres, or `auto`.
    var cell: String?
    /// Distance band in metres (default: cell × √2).
    var band: String?
    /// `fdr` (default), `holm` or `none`.
    var correction: String?
    /// A stored area's slug: analyse inside it only.
    var area: String?
    /// Ranking level: `lsoa`, `msoa`, `local-authority` or `areas`.
    var level: String?
    /// Ranking order: `rate`, `count`, `harm`, `change`.
    var sort: String?
    /// Hot-spot map: `classes`, `density` or `emerging`.
    var view: String?
    /// Harm weights replacing the defaults for some crime types: `burglary=10,robbery=20`.
    var weights: String?
}

/// A query checked against the data: every value valid and filled in.
struct AnalysisOptions: Sendable {
    var force: PoliceForce
    var period: MonthPeriod
    /// Category slugs; the ids stored for them are the keys of `slugOfCategory` (some slugs
    /// have two names over time).
    var categories: [String]
    var cellSize: Double?
    var band: Double?
    var correction: PValueCorrection
    var area: String?
    var level: RankingLevel
    var sort: AreaRanking.SortKey
    var weights: HarmWeights = .default
    /// The `weights` text as given, so links reproduce it.
    var weightOverrides: String?
    /// Stored category id → its slug, for the chosen categories.
    var slugOfCategory: [Int: String]

    var categoryIDs: [Int] { slugOfCategory.keys.sorted() }

    /// The categories in words, for captions.
    var categoryLabel: String {
        categories.count > 3 ? "\(categories.count) crime types" : categories.map(Self.readable).joined(separator: ", ")
    }

    /// The whole of the data, every force together: rankings accept it, hot spots do not
    /// (a grid over England and Wales at a useful cell size is far beyond a request's bounds).
    static let allForces = PoliceForce(id: "all", name: "all forces")

    var isAllForces: Bool { force.id == Self.allForces.id }

    static func readable(_ slug: String) -> String {
        slug == "anti-social-behaviour" ? "ASB" : slug.replacingOccurrences(of: "-", with: " ").capitalizedFirst
    }

    /// The query string that reproduces these options.
    var queryString: String {
        var items = [
            "force=\(force.id)", "from=\(ByteParsing.monthString(period.first))",
            "to=\(ByteParsing.monthString(period.last))",
            "category=\(categories.joined(separator: ","))", "correction=\(correction.rawValue)",
            "level=\(level.rawValue)", "sort=\(sort.rawValue)",
        ]
        if let cellSize { items.append("cell=\(Int(cellSize))") }
        if let band { items.append("band=\(Int(band))") }
        if let area { items.append("area=\(area)") }
        if let weightOverrides { items.append("weights=\(weightOverrides)") }
        return items.joined(separator: "&")
    }
}

enum RankingLevel: String, Sendable, CaseIterable, Codable {
    case lsoa, msoa, localAuthority = "local-authority", areas

    var label: String {
        switch self {
        case .lsoa: "LSOAs"
        case .msoa: "MSOAs"
        case .localAuthority: "Local authorities"
        case .areas: "Named areas"
        }
    }
}

/// One problem with one field, as shown in an error summary or a problem+json body.
struct FieldError: Error, Sendable, Codable, Equatable {
    var field: String
    var message: String
}

struct FieldErrors: Error, Sendable, CustomStringConvertible {
    var errors: [FieldError]
    var description: String { errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ") }
}

/// What the data offers, for defaults and validation.
struct DataAvailability: Sendable {
    /// Forces with street data and their first and last months.
    var forces: [(force: PoliceForce, first: Int, last: Int)]
    /// Category slug → stored ids.
    var categories: [String: [Int]]
    var areaSlugs: Set<String>
}

extension AnalysisQuery {
    /// Checks the query and fills defaults. Pure: the same rules for pages, API and CLI.
    /// `allForces`: whether `force=all` (every force together) is accepted.
    func validated(against data: DataAvailability, allForces: Bool = false) -> Result<AnalysisOptions, FieldErrors> {
        var errors: [FieldError] = []
        guard
            let longest = data.forces.max(by: { ($0.last - $0.first) < ($1.last - $1.first) }),
            let earliest = data.forces.map(\.first).min(), let latest = data.forces.map(\.last).max()
        else {
            return .failure(
                FieldErrors(errors: [FieldError(field: "force", message: "No street-level data has been imported yet")])
            )
        }
        var chosen = data.forces.first { $0.force.id == force } ?? longest
        if force == AnalysisOptions.allForces.id {
            if allForces {
                chosen = (AnalysisOptions.allForces, earliest, latest)
            } else {
                errors.append(FieldError(field: "force", message: "Choose one force: “all” is for rankings only"))
            }
        } else if let force, !force.isEmpty, chosen.force.id != force {
            errors.append(FieldError(field: "force", message: "There is no street-level data for the force “\(force)”"))
        }
        func month(_ text: String?, field: String) -> Int? {
            guard let text, !text.isEmpty else { return nil }
            guard let m = ByteParsing.month(text) else {
                errors.append(FieldError(field: field, message: "Enter a month as YYYY-MM, for example 2025-07"))
                return nil
            }
            return m
        }
        let last = month(to, field: "to") ?? chosen.last
        let first = month(from, field: "from") ?? max(chosen.first, MonthPeriod.add(-11, to: last))
        if first > last {
            errors.append(FieldError(field: "from", message: "The first month must not be after the last month"))
        }

        var slugs: [String] = []
        let requested = (category ?? ["anti-social-behaviour"]).flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }.filter { !$0.isEmpty }
        if requested == ["all"] {
            slugs = data.categories.keys.sorted()
        } else {
            for slug in requested {
                if data.categories[slug] == nil {
                    errors.append(FieldError(field: "category", message: "“\(slug)” is not a police.uk crime type"))
                } else if !slugs.contains(slug) {
                    slugs.append(slug)
                }
            }
            if requested.isEmpty {
                errors.append(FieldError(field: "category", message: "Choose at least one crime type"))
            }
        }

        var cellSize: Double?
        if let cell, !cell.isEmpty, cell != "auto" {
            if let v = Double(cell), v >= 25, v <= 10_000 {
                cellSize = v.rounded()
            } else {
                errors.append(
                    FieldError(
                        field: "cell", message: "Cell size must be a number of metres from 25 to 10,000, or auto"))
            }
        }
        var bandMetres: Double?
        if let band, !band.isEmpty {
            if let v = Double(band), v >= 0, v <= 20_000 {
                bandMetres = v
            } else {
                errors.append(
                    FieldError(field: "band", message: "Distance band must be a number of metres from 0 to 20,000"))
            }
        }
        if let bandMetres, let cellSize, bandMetres / cellSize > 12 {
            errors.append(FieldError(field: "band", message: "Distance band must be at most 12 cells wide"))
        }
        let correctionValue = PValueCorrection(rawValue: correction ?? "fdr")
        if correctionValue == nil {
            errors.append(FieldError(field: "correction", message: "Correction must be fdr, holm or none"))
        }
        if let area, !area.isEmpty, !data.areaSlugs.contains(area) {
            errors.append(FieldError(field: "area", message: "There is no area “\(area)”"))
        }
        let levelValue = RankingLevel(rawValue: level ?? "lsoa")
        if levelValue == nil {
            errors.append(FieldError(field: "level", message: "Level must be lsoa, msoa, local-authority or areas"))
        }
        let sortValue = AreaRanking.SortKey(rawValue: sort ?? "rate")
        if sortValue == nil {
            errors.append(FieldError(field: "sort", message: "Sort must be rate, count, harm or change"))
        }
        var harm = HarmWeights.default
        let overrides = weights?.trimmingCharacters(in: .whitespaces)
        if let overrides, !overrides.isEmpty {
            for pair in overrides.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, data.categories[parts[0]] != nil else {
                    errors.append(
                        FieldError(
                            field: "weights",
                            message: "Give weights as crime-type=number, for example burglary=10; “\(pair)” is not one")
                    )
                    continue
                }
                guard let w = Double(parts[1]), w >= 0, w <= 1000 else {
                    errors.append(
                        FieldError(
                            field: "weights", message: "The weight for \(parts[0]) must be a number from 0 to 1,000"))
                    continue
                }
                harm.weights[parts[0]] = w
            }
        }
        guard errors.isEmpty, let correctionValue, let levelValue, let sortValue else {
            return .failure(FieldErrors(errors: errors))
        }
        return .success(
            AnalysisOptions(
                force: chosen.force, period: MonthPeriod(first: first, last: last), categories: slugs,
                cellSize: cellSize, band: bandMetres,
                correction: correctionValue, area: (area?.isEmpty ?? true) ? nil : area, level: levelValue,
                sort: sortValue,
                weights: harm, weightOverrides: (overrides?.isEmpty ?? true) ? nil : overrides,
                slugOfCategory: Dictionary(
                    slugs.flatMap { slug in (data.categories[slug] ?? []).map { ($0, slug) } },
                    uniquingKeysWith: { first, _ in first })))
    }
}
