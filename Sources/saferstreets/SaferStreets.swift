import App
@main struct Main { static func main() async throws { try await SaferStreetsMain.run() } }
