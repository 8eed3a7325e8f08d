import Vapor

/// `saferstreets demo`: builds the Norfolk demonstration workspace and serves it.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Generate the Norfolk demo data, import it, and start the server" }
    func run(using context: CommandContext, signature: Signature) async throws {
        throw Abort(.notImplemented)
    }
}
