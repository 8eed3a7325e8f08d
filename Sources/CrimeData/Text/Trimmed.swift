extension StringProtocol {
    /// Without white space or line breaks at either end (Unicode's White_Space, as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`), in Swift alone: Foundation bridges
    /// every call through NSString, which was a tenth of checking a 5,000-referral batch.
    public var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
