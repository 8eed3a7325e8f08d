import Foundation

/// Organisation and grant identifiers as the 360Giving Data Standard asks for them
/// (identifiers.md in `../shared/data/360giving/`): an organisation's official register
/// number with its org-id list code (`GB-CHC-1164883`), and a grant's `360G-<prefix>-<id>`.
enum OrgIdentifier {
    /// The UK registers applicants use, by org-id list code.
    enum Register: String, CaseIterable, Sendable, Codable {
        case charityEnglandWales = "GB-CHC"
        case charityScotland = "GB-SC"
        case charityNorthernIreland = "GB-NIC"
        case company = "GB-COH"
        case mutual = "GB-MPR"
        case hmrcCharity = "GB-REV"
        case localAuthorityEngland = "GB-LAE"

        var label: String {
            switch self {
            case .charityEnglandWales: "Registered charity (England and Wales), e.g. 1164883"
            case .charityScotland: "Scottish charity (OSCR), e.g. SC012345"
            case .charityNorthernIreland: "Northern Ireland charity, e.g. 100012"
            case .company: "Company number (Companies House), e.g. 01234567"
            case .mutual: "Mutual society (FCA), e.g. 30150R"
            case .hmrcCharity: "HMRC charity reference, e.g. AB12345"
            case .localAuthorityEngland: "Local authority (England), its register code, e.g. NFK"
            }
        }
    }

    /// The identifier for `number` on `register`, or what is wrong with it. Spaces are
    /// dropped and letters upper-cased; a company number given without its leading zeros
    /// gets them back (a common mistake 360Giving warns of).
    static func make(_ register: Register, _ number: String) -> Result<String, FieldError> {
        var n = number.uppercased().filter { !$0.isWhitespace }
        if n.hasPrefix(register.rawValue + "-") { n.removeFirst(register.rawValue.count + 1) }
        func digits(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        func letters(_ s: Substring) -> Bool { s.allSatisfy { $0.isASCII && $0.isLetter } }
        let ok: Bool
        switch register {
        case .charityEnglandWales: ok = digits(n[...]) && (6...7).contains(n.count)
        case .charityScotland: ok = n.hasPrefix("SC") && digits(n.dropFirst(2)) && n.count == 8
        case .charityNorthernIreland: ok = digits(n[...]) && n.count == 6
        case .company:
            if digits(n[...]) && n.count < 8 { n = String(repeating: "0", count: 8 - n.count) + n }
            ok = n.count == 8 && (digits(n[...]) || (letters(n.prefix(2)) && digits(n.dropFirst(2))))
        case .mutual:
            let numeric = n.prefix { $0.isNumber }
            ok =
                digits(numeric) && numeric.count <= 6 && letters(n.dropFirst(numeric.count))
                && n.count - numeric.count <= 2
        case .hmrcCharity:
            let head = n.prefix { $0.isLetter }
            ok =
                (1...2).contains(head.count) && digits(n.dropFirst(head.count))
                && (3...6).contains(n.count - head.count)
        case .localAuthorityEngland: ok = letters(n[...]) && (3...4).contains(n.count)
        }
        guard ok else {
            return .failure(
                FieldError(field: "registerNumber", message: "That is not a number on this register: \(register.label)")
            )
        }
        return .success("\(register.rawValue)-\(n)")
    }

    /// Whether `identifier` is one `make` would give (for identifiers stored or imported).
    static func isValid(_ identifier: String) -> Bool {
        for r in Register.allCases where identifier.hasPrefix(r.rawValue + "-") {
            if case .success(let made) = make(r, String(identifier.dropFirst(r.rawValue.count + 1))) {
                return made == identifier
            }
        }
        return false
    }

    /// A 360Giving publisher prefix: `360G-` then letters, digits and hyphens.
    static func isPrefix(_ p: String) -> Bool {
        p.hasPrefix("360G-") && p.count > 5 && p.count <= 60
            && p.dropFirst(5).allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
            && !p.hasSuffix("-")
    }

    /// A grant's identifier: the publisher prefix and the internal id (`360G-norfolkpcc-G42`).
    static func grant(prefix: String, id: Int) -> String { "\(prefix)-G\(id)" }

    /// An organisation with no register number: the publisher prefix and its own record.
    static func unregistered(prefix: String, organisationID: Int) -> String { "\(prefix)-ORG\(organisationID)" }
}
