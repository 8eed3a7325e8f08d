import Analytics
import Foundation
import Vapor

/// `saferstreets demo`: generates the Norfolk demonstration data as real police.uk files,
/// imports them through the normal import path, and starts the server.
///
/// The demo uses its own SQLite file, `demo/saferstreets-demo.sqlite` (chosen in
/// ``SaferStreetsMain`` before the app is configured), never your own database. Running it
/// again is safe: the files are only regenerated when the generator changed, and the
/// import recognises every row as unchanged. `--fresh` starts from an empty database.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "fresh", help: "delete the demo database and data first")
        var fresh: Bool
        @Flag(name: "no-serve", help: "build the demo workspace but do not start the server")
        var noServe: Bool
    }

    var help: String { "Generate the Norfolk demo data, import it, and start the server" }

    static let folder = "demo"
    static let database = "demo/saferstreets-demo.sqlite"
    static let keyFile = "demo/data-keys"

    /// The demo's data key: read from `demo/data-keys`, or made and written there (readable
    /// by its owner only) the first time.
    static func demoKeys() throws -> FieldCipher {
        if let text = try? String(contentsOfFile: keyFile, encoding: .utf8) {
            return try FieldCipher.parse(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let text = FieldCipher.newKeyText(id: "demo1")
        FileManager.default.createFile(
            atPath: keyFile, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600])
        return try FieldCipher.parse(text)
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let data = URL(fileURLWithPath: Self.folder).appendingPathComponent("police-uk")
        let marker = data.appendingPathComponent("VERSION")
        if (try? String(contentsOf: marker, encoding: .utf8)) != NorfolkDemo.version {
            context.console.print(
                "Generating 36 months of synthetic Norfolk police.uk data in \(Self.folder)/police-uk …")
            try? FileManager.default.removeItem(at: data)
            let rows = try await app.threadPool.runIfActive { try NorfolkDemo().write(to: data) }
            context.console.print("  \(Format.count(rows)) street-level rows written.")
        }
        context.console.print("Importing through the normal police.uk import …")
        let report = try await ImportStores.runImport(app: app, paths: [data.path], origin: "demo")
        context.console.print(report.summary)
        let towns = try await NorfolkDemo.createTownAreas(on: app.db)
        context.console.print("  \(towns.count) Safer Norfolk town-centre areas ready.")
        let accounts = try await DemoAccounts.create(on: app.db, pool: app.passwordHasher)
        try await DemoCampaign.create(on: app.db)
        try await DemoPlan.create(on: app.db)
        try await DemoBoards.create(on: app.db)
        try await DemoGrants.create(on: app.db)
        try await DemoGrants.registration(on: app.db, pool: app.passwordHasher)
        try await DemoPlan.publish(on: app.db, threshold: app.appConfig.publicMinimumCount)
        if let cipher = app.appConfig.dataKeys {
            let referrals = try await DemoVictims.create(on: app.db, cipher: cipher)
            if referrals > 0 {
                context.console.print(
                    "  \(Format.count(referrals)) synthetic victims' referrals held by \(DemoVictims.service).")
            }
        }
        context.console.print(
            "  The Norfolk Police and Crime Plan with \(DemoPlan.measures.count) measures ready at /plan;"
                + " the accountability forum and two partnership boards at /boards; grants at /grants;"
                + " victims' cases at /victims (sign in as the victim service).")
        let config = app.appConfig
        context.console.print(
            """

            SaferStreets demo workspace is ready: http://\(config.hostname):\(config.port)/
              database: \(Self.database) (delete it, or use --fresh, to start again)
              data:     synthetic police.uk files for Norfolk Constabulary in \(Self.folder)/police-uk

            Demo accounts (this demo database only; sign in at /login):
            \(accounts.map { "  \($0.role.label.padding(toLength: 14, withPad: " ", startingAt: 0)) \($0.email)  password: \($0.password)" }.joined(separator: "\n"))
            Open to everyone, no sign-in: the hot-spot, ranking and area pages; the public pages at
            http://\(config.hostname):\(config.port)/open (the campaign's result is published); the police.uk API,
            e.g. http://\(config.hostname):\(config.port)/api/crimes-street/all-crime?lat=52.6286&lng=1.2925; and the
            JSON API's description at http://\(config.hostname):\(config.port)/api/v1/openapi.json.
            Mail (welcome and reset links, reminders) is \(config.mail.summary), listed for the OPCC
            admin at http://\(config.hostname):\(config.port)/admin/mail. Press Ctrl+C to stop.
            """)
        guard !signature.noServe else { return }
        // The server's mail work starts once the demo is built (not while it is imported).
        let queue = MailQueue()
        try await MailWorker(
            queue: queue,
            notifications: Notifications(queue: queue, victims: VictimStore(cipher: nil, audit: AuditLog())),
            settings: config.mail
        ).didBootAsync(app)
        guard let serve = app.asyncCommands.commands["serve"] else { return }
        var serveContext = CommandContext(console: context.console, input: CommandInput(arguments: ["serve"]))
        serveContext.application = app
        try await serve.run(using: &serveContext)
    }
}
