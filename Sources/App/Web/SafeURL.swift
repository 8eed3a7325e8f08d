/// The two kinds of address a user may give SaferStreets, checked in one place:
/// a path on this site (where to go after signing in, evidence in a plan) and a link to
/// another site (a campaign's documents). Both refuse anything a browser could read as
/// another host (`//host`, `/\host`, `/<tab>/host`) and anything that could end a header
/// line (CR, LF) or smuggle markup.
enum SafeURL {
    /// Characters allowed in a path-and-query on this site (RFC 3986 unreserved, the
    /// sub-delimiters, ":", "@", "/", "?" and "%" for escapes). No space, control, quote,
    /// angle bracket, backslash or non-ASCII character: browsers strip or rewrite those,
    /// which is how `/%09/evil.example` becomes `//evil.example`.
    private static func isPathCharacter(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"),
            UInt8(ascii: "$"),
            UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"),
            UInt8(ascii: "+"),
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"),
            UInt8(ascii: "/"),
            UInt8(ascii: "?"), UInt8(ascii: "%"):
            true
        default: false
        }
    }

    /// `text` when it is a path on this site ("/campaigns/x?y=1"), else nil. At most 2,000
    /// characters; the second character may not be "/" or "\", and a percent escape may not
    /// hide a control character, a slash or a backslash.
    static func localPath(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count <= 2000, bytes.first == UInt8(ascii: "/"), bytes.allSatisfy(isPathCharacter) else {
            return nil
        }
        if bytes.count > 1, bytes[1] == UInt8(ascii: "/") { return nil }
        // An escape that decodes to a control character, "/" or "\" could be unescaped by
        // something downstream into a second host or a header break.
        let lowered = text.lowercased()
        for bad in ["%0", "%1", "%7f", "%2f", "%5c"] where lowered.contains(bad) { return nil }
        return text
    }

    /// Where to send the browser after signing in: the path when safe, else "/".
    static func redirectTarget(_ text: String?) -> String {
        text.flatMap(localPath) ?? "/"
    }

    /// `text` when it is an `https://` (or `http://`) link to a named host, else nil.
    static func externalLink(_ text: String) -> String? {
        let lowered = text.lowercased()
        guard text.utf8.count <= 2000, lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else { return nil }
        let rest = text.drop(while: { $0 != ":" }).dropFirst(3)
        guard let first = rest.first, first != "/", first != "\\",
            text.utf8.allSatisfy({
                $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "\"")
                    && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">")
            })
        else { return nil }
        return text
    }
}
