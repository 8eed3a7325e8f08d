import Foundation

/// One e-mail as the product sends it: plain text, UTF-8, quoted-printable, with the
/// headers a relay and a mail client expect. Pure: `rendered` is the whole RFC 5322 message
/// with CRLF line ends, tested without a network.
struct MailMessage: Sendable, Equatable {
    var from: String
    var to: String
    var subject: String
    var body: String
    var date: Date
    /// `<id@domain>`, unique per message (the queue's id makes it so).
    var messageID: String

    /// A header value on one line: CR, LF and other control characters become spaces, so a
    /// subject or address can never add a header of its own.
    static func headerValue(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? " " : Character($0) })
    }

    /// The subject as-is when it is printable ASCII, else an RFC 2047 encoded word (base64),
    /// split so no encoded word passes 75 characters.
    static func encodedSubject(_ subject: String) -> String {
        let clean = headerValue(subject)
        if clean.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }) { return clean }
        var words: [String] = []
        var chunk = ""
        for c in clean {
            if (chunk + String(c)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(c)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045 §6.7): lines of at most 76 characters, soft breaks with
    /// "=", every byte outside printable ASCII (and "=") as =XX, spaces before a line's end
    /// encoded. Input lines may end in LF or CRLF; output lines end in CRLF.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [String] = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            let bytes = Array(line.utf8)
            var current: [UInt8] = []
            for (i, b) in bytes.enumerated() {
                let last = i == bytes.count - 1
                var piece: [UInt8]
                if (b >= 33 && b <= 126 && b != 61) || (b == 32 && !last) {
                    piece = [b]
                } else {
                    piece = [61, hex[Int(b >> 4)], hex[Int(b & 15)]]
                }
                if current.count + piece.count > 75 {
                    out.append(String(decoding: current + [61], as: UTF8.self))
                    current = []
                }
                current += piece
            }
            out.append(String(decoding: current, as: UTF8.self))
        }
        return out.joined(separator: "\r\n")
    }

    /// The address part of "Name <addr>" or a bare address.
    static func address(_ text: String) -> String {
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            return String(text[text.index(after: open)..<close])
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    var rendered: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let headers = [
            "From: \(Self.headerValue(from))",
            "To: \(Self.headerValue(to))",
            "Subject: \(Self.encodedSubject(subject))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: \(Self.headerValue(messageID))",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "Auto-Submitted: auto-generated",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + Self.quotedPrintable(body) + "\r\n"
    }
}
