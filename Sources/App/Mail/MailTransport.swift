import Foundation
import NIOCore
import NIOPosix

/// Where a rendered message goes. A transport either delivers the message or throws a
/// `MailFailure` saying whether trying again may help.
protocol MailTransport: Sendable {
    func send(_ message: MailMessage, queueID: Int) async throws
}

enum MailFailure: Error, CustomStringConvertible {
    /// Worth trying again later: a refused connection, a 4xx reply, a timeout.
    case temporary(String)
    /// Trying again will not help: a 5xx reply (no such mailbox, relaying denied).
    case permanent(String)

    var description: String {
        switch self {
        case .temporary(let m): m
        case .permanent(let m): m
        }
    }
}

extension MailSettings {
    /// The transport configured, or nil when mail is only queued.
    func makeTransport() -> (any MailTransport)? {
        switch transport {
        case .none: nil
        case .folder(let path): FolderTransport(folder: path)
        case .sendmail(let words): SendmailTransport(command: words)
        case .smtp(let host, let port): SMTPTransport(host: host, port: port)
        }
    }
}

/// Development and the demo: each message becomes `message-<queue id>.eml` in a folder,
/// listed at /admin/mail for OPCC admins.
struct FolderTransport: MailTransport {
    let folder: String

    static func fileName(queueID: Int) -> String { "message-\(queueID).eml" }

    func send(_ message: MailMessage, queueID: Int) async throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let url = URL(fileURLWithPath: folder).appendingPathComponent(Self.fileName(queueID: queueID))
            try Data(message.rendered.utf8).write(to: url, options: .atomic)
        } catch {
            throw MailFailure.temporary("cannot write to the mail folder \(folder): \(error.localizedDescription)")
        }
    }

    /// The stored message for a queue id, or nil.
    func read(queueID: Int) -> String? {
        let url = URL(fileURLWithPath: folder).appendingPathComponent(Self.fileName(queueID: queueID))
        return try? String(contentsOf: url, encoding: .utf8)
    }
}

/// A sendmail-compatible program (postfix, exim, msmtp): the message on standard input,
/// `-i` (a lone dot is not the end) and the recipient after `--`. Exit status 0 is
/// delivered to the program; sysexits' 75 (EX_TEMPFAIL) and a timeout are temporary, any
/// other status permanent.
struct SendmailTransport: MailTransport {
    let command: [String]
    var timeout: TimeInterval = 60

    func send(_ message: MailMessage, queueID: Int) async throws {
        guard let program = command.first else { throw MailFailure.permanent("no sendmail program configured") }
        let arguments = Array(command.dropFirst()) + ["-i", "--", MailMessage.address(message.to)]
        let input = Data(message.rendered.utf8)
        let timeout = self.timeout
        let (status, errorText): (Int32, String) = try await NIOThreadPool.singleton.runIfActive {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
            let stdin = Pipe(), stderr = Pipe()
            process.standardInput = stdin
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                throw MailFailure.temporary("cannot run \(program): \(error.localizedDescription)")
            }
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
                return (-1, "timed out after \(Int(timeout)) s")
            }
            let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile().prefix(300), as: UTF8.self)
            return (process.terminationStatus, text)
        }
        switch status {
        case 0: return
        case -1, 75: throw MailFailure.temporary("\(program): \(errorText)")
        default:
            throw MailFailure.permanent(
                "\(program) exited with status \(status): \(errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
