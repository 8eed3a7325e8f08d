import Foundation
import Vapor

/// `saferstreets evaluate <campaign>`: evaluates every target area of a campaign and writes
/// every figure of the report as CSV (or a one-line summary per area with `--summary`).
struct EvaluateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "campaign", help: "the campaign's slug")
        var campaign: String
        @Option(name: "outcome", help: "anti-social-behaviour (default), all-crime, harm or a police.uk category slug")
        var outcome: String?
        @Option(name: "baseline", help: "previous (default: the months just before) or last-year")
        var baseline: String?
        @Flag(name: "summary", help: "one line per area instead of the CSV")
        var summary: Bool
        @Option(name: "output", help: "write to this file instead of standard output")
        var output: String?
        @Option(name: "repeat", help: "evaluate this many times and report the median and slowest time (benchmarks)")
        var repeatCount: Int?
    }

    var help: String { "Evaluate a campaign's areas against comparison areas (CSV of every figure)" }

    func run(using context: CommandContext, signature s: Signature) async throws {
        try await reportingFailure(context) {
            let db = context.application.db
            guard let campaign = try await CampaignStore(audit: AuditLog()).lookup(slug: s.campaign, on: db) else {
                throw CommandFailure(message: "evaluate: no campaign “\(s.campaign)”")
            }
            guard let baseline = EvaluationBaseline(rawValue: s.baseline ?? "previous") else {
                throw CommandFailure(
                    message: "evaluate: --baseline is previous or last-year, not “\(s.baseline ?? "")”")
            }
            var times: [Double] = []
            var evaluation: CampaignEvaluation?
            for _ in 0..<max(1, s.repeatCount ?? 1) {
                let started = Date()
                evaluation = try await EvaluationService().evaluate(
                    campaign, outcome: s.outcome, baseline: baseline, viewer: .operator, on: db)
                times.append(Date().timeIntervalSince(started))
            }
            let e = evaluation!
            times.sort()
            var text = ""
            if s.summary {
                for a in e.areas {
                    let res =
                        a.measures.res.value.map {
                            "RES \(Format.number($0.ratio, decimals: 2)) [\(Format.number($0.lower95, decimals: 2)), \(Format.number($0.upper95, decimals: 2))]"
                        } ?? "RES n/a"
                    text +=
                        "\(a.area.name): \(EvaluationText.verdict(a).label); \(res); \(a.measures.reading.rawValue)\n"
                }
            } else {
                text = EvaluationExport.csv(e)
            }
            if let output = s.output {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } else {
                context.console.output(text.consoleText(), newLine: false)
            }
            let timing =
                times.count == 1
                ? "\(Format.number(times[0], decimals: 3)) s"
                : "median \(Format.number(times[times.count / 2], decimals: 3)) s, slowest \(Format.number(times.last!, decimals: 3)) s over \(times.count) runs"
            FileHandle.standardError.write(Data("evaluated \(e.areas.count) areas in \(timing)\n".utf8))
        }
    }
}
