import Foundation
import Vapor

/// `saferstreets victims retention|erase-due`: the retention schedule from the command line,
/// for a server run without the daily job (e.g. from cron).
///
///     saferstreets victims retention    # the schedule, and how many closed cases are due
///     saferstreets victims erase-due    # erase them (each batch of 500 all or nothing)
///     saferstreets victims recompute-clocks   # date every running clock again (after the
///                                             # rules or the bank holidays change)
struct VictimsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "retention, erase-due or recompute-clocks")
        var action: String
    }

    var help: String {
        "Show the victims' retention schedule, erase the closed cases past their date, or date the running clocks again"
    }

    func run(using context: CommandContext, signature s: Signature) async throws {
        let app = context.application
        let store = VictimStore(cipher: app.appConfig.dataKeys, audit: AuditLog())
        try await reportingFailure(context) {
            switch s.action {
            case "retention":
                for r in try await store.retentionRules(on: app.db) {
                    context.console.print("\(r.recordType): \(r.months) months (\(r.basis))")
                }
                let due = try await store.countDueForErasure(now: Date(), on: app.db)
                context.console.print("\(due) closed cases are past their date.")
            case "erase-due":
                let n = try await store.eraseDue(on: app.db)
                context.console.print("\(n) cases erased; their share of the figures is kept.")
            case "recompute-clocks":
                let start = Date()
                let n = try await store.recomputeClocks(on: app.db)
                context.console.print(
                    "\(n) running clocks dated in \(String(format: "%.2f", Date().timeIntervalSince(start))) s.")
            default:
                throw CommandFailure(
                    message: "victims: the action is retention, erase-due or recompute-clocks, not “\(s.action)”")
            }
        }
    }
}
