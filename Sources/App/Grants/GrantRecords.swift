import Foundation

/// The grant life cycle's records as stored, and the pure checks on what applicants and
/// officers enter.
enum Grants {
    struct Fund: Codable, Sendable {
        var id: Int
        var slug: String
        var name: String
        var description: String
        var themeSlugs: String
        var moneySource: String
        var budgetPence: Int
        var openCall: Int

        var themes: [String] { themeSlugs.split(separator: ",").map(String.init) }
    }

    struct Round: Codable, Sendable {
        var id: Int
        var fundId: Int
        var slug: String
        var name: String
        var guidance: String
        /// ISO-8601 instants (UTC).
        var opensAt: String
        var closesAt: String
        var minimumScore: Double

        func isOpen(at now: Date) -> Bool {
            guard let opens = Date(stored: opensAt), let closes = Date(stored: closesAt) else { return false }
            return opens <= now && now <= closes
        }
        func hasClosed(at now: Date) -> Bool { Date(stored: closesAt).map { now > $0 } ?? true }
    }

    enum QuestionKind: String, Codable, Sendable, CaseIterable {
        /// Yes or no; "no" makes the application ineligible, with the question's reason shown.
        case eligibility
        /// Text within a word limit.
        case text
        case number
        /// Budget lines by year (up to three years); the total is the amount requested.
        case budget
        /// The outputs and outcomes the applicant commits to, each with a target.
        case outputs
        /// The places served: stored areas and local authorities (ONS codes).
        case places

        var label: String {
            switch self {
            case .eligibility: "Eligibility (yes or no)"
            case .text: "Text"
            case .number: "Number"
            case .budget: "Budget by line and year"
            case .outputs: "Outputs and outcomes with targets"
            case .places: "Places served"
            }
        }
    }

    struct Question: Codable, Sendable {
        var id: Int
        var roundId: Int
        var position: Int
        var kind: QuestionKind
        var prompt: String
        var wordLimit: Int?
        var required: Int
        var failReason: String
    }

    struct Criterion: Codable, Sendable {
        var id: Int
        var roundId: Int
        var position: Int
        var name: String
        var guidance: String
        var weight: Double
        var maxScore: Int

        var scoring: Scoring.Criterion { .init(id: id, weight: weight, maxScore: maxScore) }
    }

    enum Status: String, Codable, Sendable, CaseIterable {
        case draft, submitted, ineligible, awarded
        case partAwarded = "part-awarded"
        case declined

        var label: String {
            switch self {
            case .draft: "Draft"
            case .submitted: "Submitted"
            case .ineligible: "Not eligible"
            case .awarded: "Awarded"
            case .partAwarded: "Awarded in part"
            case .declined: "Declined"
            }
        }
    }

    struct Application: Codable, Sendable {
        var id: Int
        var roundId: Int
        var organisationId: Int
        var organisationName: String
        var title: String
        var amountRequestedPence: Int
        var status: Status
        var createdAt: String
        var updatedAt: String
        var submittedAt: String?
        var moderatedScore: Double?
        var moderationReason: String
        var recommendation: String
        var decision: String
        var decisionReason: String
        var decidedAt: String?
    }

    struct FileInfo: Codable, Sendable {
        var id: Int
        var applicationId: Int
        var kind: String
        var filename: String
        var contentType: String
        var size: Int
    }

    /// The private documents an application carries.
    static let fileKinds: [(String, String)] = [
        ("constitution", "Constitution or governing document"), ("accounts", "Latest accounts"),
        ("safeguarding", "Safeguarding policy"),
    ]

    // MARK: Answers

    /// A budget line: what, and the amount in pence for each year.
    struct BudgetLine: Codable, Sendable, Equatable {
        var item: String
        var years: [Int]
    }

    /// An output or outcome the applicant commits to.
    struct Commitment: Codable, Sendable, Equatable {
        var name: String
        var target: Double
    }

    static func words(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).count
    }

    /// Pounds as typed ("12,500", "£12,500.50") to pence; nil if it is not an amount.
    static func pence(_ text: String) -> Int? {
        let t = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "£", with: "")
            .trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, let v = Double(t), v.isFinite, v >= 0, v < 1e11 else { return nil }
        return Int((v * 100).rounded())
    }

    static func pounds(_ pence: Int) -> String {
        let whole = Format.count(pence / 100)
        let rest = pence % 100
        return "£" + whole + (rest == 0 ? "" : String(format: ".%02d", rest))
    }

    /// What is wrong with the answers for a submission (every required question answered,
    /// word limits, numbers, budget and targets), and the eligibility questions answered "no".
    static func check(_ answers: [Int: String], questions: [Question]) -> (
        problems: [FieldError], ineligible: [String]
    ) {
        var problems: [FieldError] = []
        var ineligible: [String] = []
        for q in questions {
            let a = (answers[q.id] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let field = "q\(q.id)"
            if a.isEmpty || a == "[]" {
                if q.required != 0 {
                    problems.append(FieldError(field: field, message: "Answer “\(q.prompt.prefix(80))”"))
                }
                continue
            }
            switch q.kind {
            case .eligibility:
                if a == "no" {
                    ineligible.append(q.failReason.isEmpty ? "“\(q.prompt.prefix(80))”: no" : q.failReason)
                } else if a != "yes" {
                    problems.append(FieldError(field: field, message: "Answer yes or no: “\(q.prompt.prefix(80))”"))
                }
            case .text:
                if let limit = q.wordLimit, words(a) > limit {
                    problems.append(
                        FieldError(
                            field: field,
                            message: "“\(q.prompt.prefix(80))” has \(words(a)) words; the limit is \(limit)"))
                }
            case .number:
                if Double(a.replacingOccurrences(of: ",", with: "")) == nil {
                    problems.append(FieldError(field: field, message: "Give a number for “\(q.prompt.prefix(80))”"))
                }
            case .budget:
                let lines = (try? JSONDecoder().decode([BudgetLine].self, from: Data(a.utf8))) ?? []
                if lines.isEmpty || lines.allSatisfy({ $0.years.reduce(0, +) == 0 }) {
                    problems.append(FieldError(field: field, message: "Give at least one budget line with an amount"))
                }
            case .outputs:
                let items = (try? JSONDecoder().decode([Commitment].self, from: Data(a.utf8))) ?? []
                if items.isEmpty {
                    problems.append(
                        FieldError(field: field, message: "Give at least one output or outcome with a target"))
                }
            case .places:
                let places = (try? JSONDecoder().decode([String].self, from: Data(a.utf8))) ?? []
                if places.isEmpty {
                    problems.append(FieldError(field: field, message: "Choose at least one place served"))
                }
            }
        }
        return (problems, ineligible)
    }
}
