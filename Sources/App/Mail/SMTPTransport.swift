import Foundation
import NIOCore
import NIOPosix

/// SMTP (RFC 5321) to a relay: EHLO (HELO if refused), MAIL FROM, RCPT TO, DATA with the
/// lines dot-stuffed, QUIT. One connection a message; a reply in the 400s, a dropped
/// connection or a silent server (`timeout`) is temporary, a reply in the 500s permanent.
struct SMTPTransport: MailTransport {
    let host: String
    let port: Int
    var heloName = "saferstreets.localhost"
    var timeout: TimeAmount = .seconds(60)

    func send(_ message: MailMessage, queueID: Int) async throws {
        let from = MailMessage.address(message.from), to = MailMessage.address(message.to)
        // Addresses go into commands: nothing that could end a command line or add one.
        for a in [from, to] where a.contains(where: { $0.isNewline || $0 == "<" || $0 == ">" }) || a.isEmpty {
            throw MailFailure.permanent("not an address: \(a.prefix(80))")
        }
        let data = Self.dotStuffed(message.rendered)
        let (host, port, helo, timeout) = (self.host, self.port, self.heloName, self.timeout)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Self.converse(host: host, port: port, helo: helo, from: from, to: to, data: data)
            }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(timeout.nanoseconds))
                throw MailFailure.temporary("the SMTP server at \(host):\(port) did not answer in time")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Lines starting with "." get another (RFC 5321 §4.5.2), then the end-of-data line.
    static func dotStuffed(_ rendered: String) -> String {
        let lines = rendered.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }
        var text = lines.joined(separator: "\r\n")
        if !text.hasSuffix("\r\n") { text += "\r\n" }
        return text + ".\r\n"
    }

    /// The code of a complete reply in `buffer` (its last line "NNN " or "NNN"), removing it;
    /// nil while the reply is incomplete.
    static func takeReply(_ buffer: inout String) -> (code: Int, text: String)? {
        var lines: [Substring] = []
        var rest = Substring(buffer)
        while let end = rest.range(of: "\r\n") {
            let line = rest[..<end.lowerBound]
            lines.append(line)
            rest = rest[end.upperBound...]
            if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" {
                buffer = String(rest)
                let code = Int(line.prefix(3)) ?? 0
                return (code, lines.map { String($0.dropFirst(4)) }.joined(separator: " "))
            }
        }
        return nil
    }

    private static func converse(host: String, port: Int, helo: String, from: String, to: String, data: String)
        async throws
    {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw MailFailure.temporary("cannot connect to the SMTP server at \(host):\(port): \(error)")
        }
        try await channel.executeThenClose { inbound, outbound in
            var incoming = inbound.makeAsyncIterator()
            var buffer = ""
            func reply() async throws -> (code: Int, text: String) {
                while true {
                    if let r = takeReply(&buffer) { return r }
                    guard buffer.utf8.count < 65_536, var chunk = try await incoming.next() else {
                        throw MailFailure.temporary("the SMTP server at \(host):\(port) closed the connection")
                    }
                    buffer += chunk.readString(length: chunk.readableBytes) ?? ""
                }
            }
            func send(_ text: String) async throws {
                try await outbound.write(ByteBuffer(string: text))
            }
            /// Sends a command and checks the reply's class.
            func expect(_ command: String?, _ accepted: ClosedRange<Int>) async throws -> Int {
                if let command { try await send(command + "\r\n") }
                let r = try await reply()
                guard accepted.contains(r.code) else {
                    let what = "the SMTP server answered \(r.code) \(r.text.prefix(200))"
                    throw r.code >= 500 ? MailFailure.permanent(what) : MailFailure.temporary(what)
                }
                return r.code
            }
            _ = try await expect(nil, 220...220)
            do {
                _ = try await expect("EHLO \(helo)", 250...250)
            } catch MailFailure.permanent {
                _ = try await expect("HELO \(helo)", 250...250)
            }
            _ = try await expect("MAIL FROM:<\(from)>", 250...250)
            _ = try await expect("RCPT TO:<\(to)>", 250...251)
            _ = try await expect("DATA", 354...354)
            try await send(data)
            _ = try await expect(nil, 250...250)
            try? await send("QUIT\r\n")
        }
    }
}
