import Analytics
import CrimeData
import Fluent
import Foundation

/// The six national crime and policing priorities on which the Specified Information Order
/// has PCCs publish a statement each quarter. Police.uk gives a figure for some (said
/// plainly where it is only context); the rest are the force's own figures, entered.
enum NationalPriority: String, CaseIterable, Codable, Sendable {
    case homicide
    case seriousViolence = "serious-violence"
    case drugSupply = "drug-supply"
    case neighbourhoodCrime = "neighbourhood-crime"
    case cyberCrime = "cyber-crime"
    case victimSatisfaction = "victim-satisfaction"

    var title: String {
        switch self {
        case .homicide: "Reduce murder and other homicide"
        case .seriousViolence: "Reduce serious violence"
        case .drugSupply: "Disrupt drugs supply and county lines"
        case .neighbourhoodCrime: "Reduce neighbourhood crime"
        case .cyberCrime: "Tackle cyber crime"
        case .victimSatisfaction:
            "Improve satisfaction among victims, with a particular focus on victims of domestic abuse"
        }
    }

    /// The police.uk categories that give this priority a figure, and what the figure is.
    var fromPoliceUK: (categories: [String], what: String)? {
        switch self {
        case .neighbourhoodCrime:
            (
                ["burglary", "robbery", "theft-from-the-person", "vehicle-crime"],
                "Neighbourhood crime recorded (burglary, robbery, theft from the person, vehicle crime; police.uk)"
            )
        case .drugSupply:
            (
                ["drugs"],
                "Drug offences recorded (police.uk; includes possession, so it is context for supply, not a measure of it)"
            )
        case .seriousViolence:
            (
                ["possession-of-weapons"],
                "Possession of weapons offences recorded (police.uk; context only: police.uk does not separate serious violence)"
            )
        case .homicide, .cyberCrime, .victimSatisfaction: nil
        }
    }

    /// What the force's performance team is asked for when police.uk has no figure.
    var guidance: String {
        switch self {
        case .homicide: "Homicides recorded in the quarter and the 12 months to its end (force figures)."
        case .seriousViolence:
            "Hospital admissions for assault with a sharp object, or the force's serious violence figure."
        case .drugSupply: "Drug-related homicides, county lines closed, and drug trafficking offences (force figures)."
        case .neighbourhoodCrime: "Computed from police.uk; add the force's comment."
        case .cyberCrime: "Action Fraud referrals disseminated to the force and the force's cyber crime outcomes."
        case .victimSatisfaction:
            "Victim satisfaction from the force's survey, overall and for victims of domestic abuse."
        }
    }
}

/// A quarter's statement: each priority's figure (generated where the data allows, then
/// edited) and the OPCC's comment. `quarter` is the quarter's first month, YYYYMM.
struct NationalStatement: Codable, Sendable {
    struct Entry: Codable, Sendable {
        var priority: NationalPriority
        var figure: String
        var comment: String
    }
    var quarter: Int
    var introduction: String
    var entries: [Entry]

    var label: String { Self.label(quarter) }

    /// "July to September 2025".
    static func label(_ quarter: Int) -> String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        let m = min(max(quarter % 100, 1), 12)
        return "\(names[m - 1]) to \(names[min(m + 1, 11)]) \(quarter / 100)"
    }

    /// A quarter's first month from "2025-07" or 202507; nil unless it starts a calendar quarter.
    static func quarter(_ text: String) -> Int? {
        let digits = text.filter(\.isNumber)
        guard digits.count == 6, let q = Int(digits), MonthPeriod.isValid(q), (q % 100 - 1) % 3 == 0 else {
            return nil
        }
        return q
    }

    func problems() -> [FieldError] {
        var out: [FieldError] = []
        if introduction.count > 5_000 {
            out.append(FieldError(field: "introduction", message: "Keep the introduction under 5,000 characters"))
        }
        for e in entries {
            if e.figure.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                out.append(
                    FieldError(
                        field: "figure-\(e.priority.rawValue)",
                        message: "Give the figure for “\(e.priority.title)” (or say why it is not available)"))
            }
            if e.figure.count > 2_000 || e.comment.count > 5_000 {
                out.append(
                    FieldError(
                        field: "comment-\(e.priority.rawValue)",
                        message: "Keep “\(e.priority.title)” under 2,000 characters of figures and 5,000 of comment"))
            }
        }
        return out
    }
}

/// Writes a quarter's draft from the data held: the latest complete quarter, police.uk's
/// figures against the same quarter a year before (the exact Poisson test, in words), and
/// victim satisfaction from an entered measure if the plan has one.
struct NationalStatementDraft: Sendable {
    var queries = MeasureQueries()

    /// The latest quarter whose three months are all in the data, or nil.
    func latestQuarter(on db: any Database) async throws -> Int? {
        let months = try await MeasureQueries.Context.load(on: db).months
        let have = Set(months)
        return months.reversed().first { m in
            (m % 100 - 1) % 3 == 0 && have.contains(MonthPeriod.add(1, to: m))
                && have.contains(MonthPeriod.add(2, to: m))
        }
    }

    func generate(quarter: Int, force: String, readings: [MeasureReading], on db: any Database) async throws
        -> NationalStatement
    {
        let context = try await MeasureQueries.Context.load(on: db)
        var entries: [NationalStatement.Entry] = []
        for p in NationalPriority.allCases {
            var figure = ""
            if let (categories, what) = p.fromPoliceUK {
                let m = Measure.transient(categories: categories, force: force)
                let values = try await queries.values(m, context: context, on: db)
                func sum(_ first: Int) -> Int {
                    let months = Set([first, MonthPeriod.add(1, to: first), MonthPeriod.add(2, to: first)])
                    return Int(values.filter { months.contains($0.period) }.map(\.value).reduce(0, +))
                }
                let now = sum(quarter), before = sum(MonthPeriod.add(-12, to: quarter))
                figure = "\(what): \(Format.count(now)) in \(NationalStatement.label(quarter))"
                if before > 0 {
                    let c = CountComparison(current: now, baseline: before)
                    figure +=
                        " against \(Format.count(before)) a year before: "
                        + MeasureReading.changeWords(Double(now - before) / Double(before) * 100, c)
                } else {
                    figure += "."
                }
            } else if p == .victimSatisfaction,
                let r = readings.first(where: { $0.measure.slug.contains("victim-satisfaction") }),
                let v = r.values.last(where: { $0.period <= MonthPeriod.add(2, to: quarter) })
            {
                figure =
                    "\(r.measure.name): \(r.format(v.value)) in \(MeasureReading.periodLabel(v.period, r.measure.frequency))"
                    + " (\(v.source.isEmpty ? "entered" : v.source))."
            }
            entries.append(.init(priority: p, figure: figure, comment: ""))
        }
        return NationalStatement(quarter: quarter, introduction: "", entries: entries)
    }
}

extension Measure {
    /// A force-wide count of crime types that is not stored: what the statement computes.
    static func transient(categories: [String], force: String) -> Measure {
        Measure(
            id: 0, slug: "national", name: "", definition: "", unit: "", frequency: .monthly, direction: .down,
            owner: "",
            sourceKind: .crimes, categories: categories.joined(separator: ","),
            geographyKind: MeasureGeography.force.rawValue, geographyId: force, perThousand: 0, activityType: "",
            baselineFirst: nil, baselineLast: nil, baselineValue: nil, targetKind: .none, targetValue: nil,
            targetBy: nil, fixLimitsAfter: nil, position: 0, createdAt: "")
    }
}
