import Vapor

/// `saferstreets bench`: reproducible performance runs (see BENCHMARKS.md).
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Run the import and aggregation benchmarks" }
    func run(using context: CommandContext, signature: Signature) async throws {
        throw Abort(.notImplemented)
    }
}
