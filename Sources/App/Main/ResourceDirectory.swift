import Foundation

/// Finds the folder holding `Resources/Views` (the templates) and `Public` (CSS, scripts),
/// wherever the server was started from: `SAFERSTREETS_RESOURCES` when set, else the
/// working directory, else the executable's folder or one of its parents (a checkout's
/// `.build/release/saferstreets`, or an installed tree with the two folders beside the
/// binary). Checked once at start-up, with a message that says what to set.
enum ResourceDirectory {
    static let marker = "Resources/Views/layout.leaf"

    static func holdsResources(_ folder: String) -> Bool {
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        return FileManager.default.fileExists(atPath: base + marker)
            && FileManager.default.fileExists(atPath: base + "Public")
    }

    /// The folder (ending in "/"), or a problem naming where it looked.
    static func locate(
        configured: String?, workingDirectory: String = FileManager.default.currentDirectoryPath,
        executable: String? = executablePath()
    ) -> Result<String, ConfigError> {
        func slash(_ s: String) -> String { s.hasSuffix("/") ? s : s + "/" }
        if let configured, !configured.isEmpty {
            return holdsResources(configured)
                ? .success(slash(configured))
                : .failure(
                    ConfigError(problems: [
                        "SAFERSTREETS_RESOURCES must name a folder holding \(marker) and Public/ (got \"\(configured)\")"
                    ]))
        }
        var tried = [workingDirectory]
        if holdsResources(workingDirectory) { return .success(slash(workingDirectory)) }
        if let executable {
            var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
            for _ in 0..<5 {
                tried.append(folder.path)
                if holdsResources(folder.path) { return .success(slash(folder.path)) }
                folder.deleteLastPathComponent()
            }
        }
        return .failure(
            ConfigError(problems: [
                "cannot find the templates and public files (\(marker) and Public/) in \(tried.joined(separator: ", ")); "
                    + "set SAFERSTREETS_RESOURCES to the folder that holds them (the checkout, or where they were installed)"
            ]))
    }

    static func executablePath() -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first
    }
}
