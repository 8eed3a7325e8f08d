import Vapor

/// `saferstreets activities recount`: rebuilds the maintained activity totals from the
/// records, for a database whose `activities` table was changed outside the app (a restore,
/// a bulk load in SQL). The app itself keeps the totals in step with every change.
struct ActivitiesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "recount")
        var action: String
    }

    var help: String { "Rebuild the activity totals from the records (recount)" }

    func run(using context: CommandContext, signature s: Signature) async throws {
        try await reportingFailure(context) {
            guard s.action == "recount" else { throw CommandFailure(message: "activities: the only action is recount") }
            let n = try await ActivityTotals.rebuild(on: context.application.db)
            context.console.print("recounted the totals of \(Format.counted(n, "activity record", "activity records"))")
        }
    }
}
