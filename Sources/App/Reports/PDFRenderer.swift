import Foundation
import NIOPosix
import Vapor

/// Prints a standalone HTML page to PDF with headless Chromium (Debian package
/// `chromium`), using the page's print stylesheet (A4). Without Chromium on the server
/// the report page still prints from the browser.
struct PDFRenderer: Sendable {
    /// The Chromium executable, from `SAFERSTREETS_CHROMIUM` or the usual names on PATH.
    let browser: String?

    static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["SAFERSTREETS_CHROMIUM"], !path.isEmpty {
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        }
        let dirs = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    enum Failure: Error, CustomStringConvertible {
        case failed(String)
        var description: String {
            switch self {
            case .failed(let why): "the PDF could not be made: \(why)"
            }
        }
    }

    func render(html: String, browser: String, on pool: BoundedWorkPool) async throws -> Data {
        try await pool.run {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
                "saferstreets-pdf-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let page = dir.appendingPathComponent("report.html"), out = dir.appendingPathComponent("report.pdf")
            try Data(html.utf8).write(to: page)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: browser)
            process.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-pdf-header-footer",
                "--user-data-dir=\(dir.appendingPathComponent("profile").path)", "--print-to-pdf=\(out.path)",
                page.absoluteString,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(90)
            while process.isRunning {
                if Date() > deadline {
                    process.terminate()
                    throw Failure.failed("Chromium took longer than 90 s")
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            guard let data = try? Data(contentsOf: out), data.starts(with: Data("%PDF".utf8)) else {
                throw Failure.failed("Chromium exited with status \(process.terminationStatus) and wrote no PDF")
            }
            return data
        }
    }
}

extension PDFRenderer {
    /// A rendered page as a PDF download: its stylesheet inlined (Chromium reads the file
    /// with no server), printed with the print stylesheet (A4). Without Chromium, a 503 that
    /// says to print from the browser.
    func download(filename: String, req: Request, page: () async throws -> Response) async throws -> Response {
        guard let browser else {
            throw Abort(
                .serviceUnavailable,
                reason:
                    "PDF download needs Chromium on the server (Debian package chromium). Use your browser's Print → Save as PDF instead: the page has a print stylesheet."
            )
        }
        let html = try await page().body.string ?? ""
        let css =
            (try? String(contentsOfFile: req.application.directory.publicDirectory + "css/app.css", encoding: .utf8))
            ?? ""
        let standalone = html.replacingOccurrences(
            of: "<link rel=\"stylesheet\" href=\"/css/app.css\">", with: "<style>\(css)</style>")
        let data = try await render(html: standalone, browser: browser, on: req.application.pdfWork)
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        response.headers.contentDisposition = .init(.attachment, filename: filename)
        return response
    }
}
