import CrimeData
import Fluent
import Foundation
import Vapor

/// `saferstreets plan example|load|refresh`: the Police and Crime Plan from the command line.
///
///     saferstreets plan example > plan.json     # the Norfolk demo's plan and measures, to edit
///     saferstreets plan load --file plan.json   # a new version of the plan, and its measures
///     saferstreets plan refresh                 # recompute the computed measures now
///
/// `load` checks the whole file first and changes nothing if any part is wrong; it makes
/// a new version of the plan (the one before is kept) and creates or updates each measure
/// by its short name, then recomputes the computed measures. Audited as the command line.
struct PlanCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "example, load or refresh")
        var action: String
        @Option(name: "file", help: "load: the JSON file (see `plan example`)")
        var file: String?
    }

    struct File: Codable {
        var plan: PlanStore.Draft
        var measures: [MeasureDraft]
    }

    var help: String { "Print an example plan, load a plan and its measures from JSON, or recompute the measures" }

    func run(using context: CommandContext, signature s: Signature) async throws {
        let app = context.application
        let service = PlanService(plans: PlanStore(audit: AuditLog()), measures: MeasureStore(audit: AuditLog()))
        try await reportingFailure(context) {
            switch s.action {
            case "example":
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(File(plan: DemoPlan.draft, measures: DemoPlan.measures))
                context.console.print(String(decoding: data, as: UTF8.self))
            case "load":
                guard let path = s.file else { throw CommandFailure(message: "plan load: give the JSON file") }
                guard let data = FileManager.default.contents(atPath: path), data.count <= 4 << 20 else {
                    throw CommandFailure(message: "plan load: cannot read \(path) (a JSON file up to 4 MB)")
                }
                let file: File
                do {
                    file = try JSONDecoder().decode(File.self, from: data)
                } catch {
                    throw CommandFailure(message: "plan load: \(path) is not a plan file: \(Self.describe(error))")
                }
                let known = Set(CrimeCategory.known.map(\.slug))
                var problems = file.plan.problems().map { "plan: \($0.field): \($0.message)" }
                for (k, m) in file.measures.enumerated() {
                    problems += m.problems(knownCategories: known).map {
                        "measure \(k + 1) (\(m.slug)): \($0.field): \($0.message)"
                    }
                }
                if Set(file.measures.map(\.slug)).count != file.measures.count {
                    problems.append("measures: two measures have the same short name")
                }
                guard problems.isEmpty else {
                    throw CommandFailure(
                        message: "plan load: nothing was changed.\n" + problems.joined(separator: "\n"))
                }
                try await app.db.transaction { tx in
                    try await service.plans.publish(file.plan, by: nil, on: tx)
                    for m in file.measures {
                        try await service.measures.save(m, knownCategories: known, by: nil, on: tx)
                    }
                }
                let n = try await service.refresh(on: app.db)
                context.console.print(
                    "Plan “\(file.plan.title)” loaded with \(file.measures.count) measures; \(n) computed measures refreshed."
                )
            case "refresh":
                let start = Date()
                let n = try await service.refresh(on: app.db)
                context.console.print(
                    "\(n) computed measures refreshed in \(String(format: "%.2f", Date().timeIntervalSince(start))) s.")
            default:
                throw CommandFailure(message: "plan: say example, load or refresh")
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let c):
            "missing “\(key.stringValue)” at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c),
            DecodingError.dataCorrupted(let c):
            "\(c.debugDescription) at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "\(error)"
        }
    }
}
