import Foundation

/// How SaferStreets sends e-mail, read from the environment.
///
/// - `SAFERSTREETS_MAIL=folder:PATH`: each message is written to PATH as a `.eml` file and
///   listed at /admin/mail (the default in development and in the demo);
/// - `SAFERSTREETS_MAIL=sendmail:PROGRAM [ARGS…]`: handed to a sendmail-compatible program
///   (postfix's `/usr/sbin/sendmail`, `msmtp`), which owns TLS, authentication and its own
///   retries;
/// - `SAFERSTREETS_MAIL=smtp://HOST:PORT`: SMTP to a relay on a trusted network (no TLS or
///   authentication here: for those, use msmtp through `sendmail:`);
/// - unset in production: messages are queued and kept, not sent, and the start-up log says so.
public struct MailSettings: Sendable, Equatable {
    public enum Transport: Sendable, Equatable {
        case none
        case folder(String)
        case sendmail([String])
        case smtp(host: String, port: Int)
    }

    public var transport: Transport = .none
    public var from = "SaferStreets <saferstreets@localhost>"
    /// The start of every link in a message, e.g. `https://saferstreets.example.org`: never
    /// taken from a request's Host header, so a forged header cannot send someone a link to
    /// another site with their reset token in it.
    public var publicURL = "http://127.0.0.1:8080"

    public init() {}

    static func parse(_ env: [String: String], development: Bool, port: Int) -> Result<MailSettings, ConfigError> {
        var s = MailSettings()
        var problems: [String] = []
        let host = env["HOST"] ?? "127.0.0.1"
        s.publicURL = "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        let text = (env["SAFERSTREETS_MAIL"] ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            s.transport = development ? .folder("mail") : .none
        } else if text.hasPrefix("folder:"), text.count > 7 {
            s.transport = .folder(String(text.dropFirst(7)))
        } else if text.hasPrefix("sendmail:") {
            let words = text.dropFirst(9).split(separator: " ").map(String.init)
            if words.isEmpty || !(words.first?.hasPrefix("/") ?? false) {
                problems.append(
                    "SAFERSTREETS_MAIL=sendmail: needs the program's full path, e.g. sendmail:/usr/sbin/sendmail or sendmail:/usr/bin/msmtp -a relay"
                )
            } else {
                s.transport = .sendmail(words)
            }
        } else if text.hasPrefix("smtp://"), let url = URLComponents(string: text), let h = url.host, !h.isEmpty,
            url.path.isEmpty || url.path == "/", url.user == nil
        {
            s.transport = .smtp(host: h, port: url.port ?? 25)
        } else {
            problems.append(
                "SAFERSTREETS_MAIL must be folder:PATH, sendmail:PROGRAM [ARGS] or smtp://HOST:PORT (got \"\(text.prefix(60))\")"
            )
        }
        if let from = env["SAFERSTREETS_MAIL_FROM"] {
            let address = MailMessage.address(from)
            if !UserStore.isEmailAddress(address) || from.contains(where: { $0.isNewline }) || from.count > 200 {
                problems.append(
                    "SAFERSTREETS_MAIL_FROM must be an address, or Name <address> (got \"\(from.prefix(60))\")")
            } else {
                s.from = from
            }
        }
        if let url = env["SAFERSTREETS_PUBLIC_URL"] {
            let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
            if let parts = URLComponents(string: trimmed), ["http", "https"].contains(parts.scheme ?? ""),
                parts.host?.isEmpty == false, parts.query == nil, parts.fragment == nil
            {
                s.publicURL = trimmed
            } else {
                problems.append(
                    "SAFERSTREETS_PUBLIC_URL must be the site's address, e.g. https://saferstreets.example.org (got \"\(url.prefix(60))\")"
                )
            }
        } else if !development, s.sendsMail {
            problems.append(
                "SAFERSTREETS_PUBLIC_URL is needed when SAFERSTREETS_MAIL sends mail: the site's address the links in it start with"
            )
        }
        return problems.isEmpty ? .success(s) : .failure(ConfigError(problems: problems))
    }

    /// Whether messages leave this machine (sendmail or SMTP), not a folder or nowhere.
    var sendsMail: Bool {
        switch transport {
        case .sendmail, .smtp: true
        case .none, .folder: false
        }
    }

    /// Where the transport sends, for the admin page and the start-up log.
    var summary: String {
        switch transport {
        case .none: "not sent (SAFERSTREETS_MAIL is not set): messages wait in the queue"
        case .folder(let path): "written to the folder \(path)"
        case .sendmail(let words): "handed to \(words.first ?? "sendmail")"
        case .smtp(let host, let port): "sent by SMTP to \(host):\(port)"
        }
    }
}
