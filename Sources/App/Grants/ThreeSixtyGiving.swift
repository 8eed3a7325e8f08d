import CrimeData
import Foundation

/// Grants as the 360Giving Data Standard 1.4.3 publishes them (`../shared/data/360giving/`):
/// a JSON package of `grants` with its publisher and licence, and the same grants as one CSV
/// row each under the standard's column titles (the schema's `title`s joined by `:`, as the
/// standard's spreadsheet template and its flatten tool have them). Pure: the records come in,
/// the text goes out.
enum ThreeSixtyGiving {
    static let version = "1.4"

    struct Package: Encodable, Sendable {
        var version = ThreeSixtyGiving.version
        var title: String
        var description: String
        var modified: String
        var publisher: Publisher
        var license: String
        var grants: [Grant]
    }

    struct Publisher: Encodable, Sendable {
        var identifier: String
        var name: String
    }

    struct Organization: Encodable, Sendable, Equatable {
        var id: String
        var name: String
        var charityNumber: String?
        var companyNumber: String?
    }

    struct Location: Encodable, Sendable, Equatable {
        var name: String
        var countryCode = "GB"
        var geoCode: String
        var geoCodeType: String
    }

    struct Event: Encodable, Sendable {
        var startDate: String
        var endDate: String
        var duration: Int
    }

    struct Programme: Encodable, Sendable {
        var code: String
        var title: String
    }

    struct Classification: Encodable, Sendable {
        var vocabulary: String
        var code: String
        var title: String
    }

    struct Grant: Encodable, Sendable {
        var id: String
        var title: String
        var description: String
        var currency = "GBP"
        /// The amounts in whole pence; written as pounds (`12500.5`).
        var appliedPence: Int?
        var awardedPence: Int
        var disbursedPence: Int
        var awardDate: String
        var plannedDates: [Event]
        var recipientOrganization: [Organization]
        var beneficiaryLocation: [Location]?
        var fundingOrganization: [Organization]
        var grantProgramme: [Programme]
        var fromOpenCall: String
        var classifications: [Classification]?
        var dateModified: String

        private enum CodingKeys: String, CodingKey {
            case id, title, description, currency, amountAppliedFor, amountAwarded, amountDisbursed, awardDate
            case plannedDates, recipientOrganization, beneficiaryLocation, fundingOrganization, grantProgramme
            case fromOpenCall, classifications, dateModified
        }

        /// Through `JSONEncoder`: the reference the hand-written `json` is tested against.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(title, forKey: .title)
            try c.encode(description, forKey: .description)
            try c.encode(currency, forKey: .currency)
            try c.encodeIfPresent(appliedPence.map(ThreeSixtyGiving.amount), forKey: .amountAppliedFor)
            try c.encode(ThreeSixtyGiving.amount(awardedPence), forKey: .amountAwarded)
            try c.encode(ThreeSixtyGiving.amount(disbursedPence), forKey: .amountDisbursed)
            try c.encode(awardDate, forKey: .awardDate)
            try c.encode(plannedDates, forKey: .plannedDates)
            try c.encode(recipientOrganization, forKey: .recipientOrganization)
            try c.encodeIfPresent(beneficiaryLocation, forKey: .beneficiaryLocation)
            try c.encode(fundingOrganization, forKey: .fundingOrganization)
            try c.encode(grantProgramme, forKey: .grantProgramme)
            try c.encode(fromOpenCall, forKey: .fromOpenCall)
            try c.encodeIfPresent(classifications, forKey: .classifications)
            try c.encode(dateModified, forKey: .dateModified)
        }
    }

    /// Whole pence as the standard's amount: a number of pounds, exact (no binary rounding).
    static func amount(_ pence: Int) -> Decimal {
        // Built from its digits, not divided: Decimal division is slow (a tenth of a 10,000-grant export).
        Decimal(sign: pence < 0 ? .minus : .plus, exponent: -2, significand: Decimal(abs(pence)))
    }

    /// Whole pence as the CSV writes them: `12500.5`, `25000`, `0.01` (the same text as the JSON).
    static func poundsText(_ pence: Int) -> String {
        let whole = abs(pence) / 100, rest = abs(pence) % 100
        let sign = pence < 0 ? "-" : ""
        if rest == 0 { return "\(sign)\(whole)" }
        return rest % 10 == 0 ? "\(sign)\(whole).\(rest / 10)" : "\(sign)\(whole).\(rest < 10 ? "0" : "")\(rest)"
    }

    /// The ONS geography type of a local authority code (the standard's geoCodeType codelist):
    /// E06 and W06 unitary authorities, E07 non-metropolitan districts, E08 metropolitan
    /// districts, E09 London boroughs, S12 council areas; nil for anything else.
    static func geoCodeType(_ code: String) -> String? {
        switch code.prefix(3) {
        case "E06", "W06": "UA"
        case "E07": "NMD"
        case "E08": "MD"
        case "E09": "LONB"
        case "S12": "CA"
        default: nil
        }
    }

    /// Whole months from `start` to `end` (both `YYYY-MM-DD`), counting a part month as one.
    static func months(from start: String, to end: String) -> Int {
        // Read the digits directly: stored dates are already checked, and Foundation's calendar
        // is slow for 10,000 grants.
        func parts(_ s: String) -> (Int, Int, Int)? {
            let p = s.utf8.split(separator: UInt8(ascii: "-"))
            guard p.count == 3, let y = Int(Substring(p[0])), let m = Int(Substring(p[1])),
                let d = Int(Substring(p[2]))
            else { return nil }
            return (y, m, d)
        }
        guard let a = parts(start), let b = parts(end), a <= b else { return 0 }
        var m = (b.0 - a.0) * 12 + (b.1 - a.1)
        if b.2 >= a.2 { m += 1 }
        return max(m, 1)
    }

    /// The org-id register numbers the standard has columns for.
    static func organization(id: String, name: String) -> Organization {
        var org = Organization(id: id, name: name)
        if id.hasPrefix("GB-CHC-") { org.charityNumber = String(id.dropFirst(7)) }
        if id.hasPrefix("GB-COH-") { org.companyNumber = String(id.dropFirst(7)) }
        return org
    }

    // MARK: JSON

    /// The package as JSON, written byte by byte with its keys in sorted order (10,000 grants
    /// in a fraction of `JSONEncoder`'s time; tested to read back the same as `JSONEncoder`'s
    /// output of the same package).
    static func json(_ package: Package) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1_024 + package.grants.count * 1_200)
        var w = JSONObjectWriter()
        w.string("description", package.description, to: &out)
        w.key("grants", to: &out)
        PoliceAPIJSON.array(package.grants, to: &out, write)
        w.string("license", package.license, to: &out)
        w.string("modified", package.modified, to: &out)
        w.key("publisher", to: &out)
        PoliceAPIJSON.stringObject(
            ["identifier": package.publisher.identifier, "name": package.publisher.name], to: &out)
        w.string("title", package.title, to: &out)
        w.string("version", package.version, to: &out)
        w.end(&out)
        return out
    }

    private static func write(_ g: Grant, to out: inout [UInt8]) {
        var w = JSONObjectWriter()
        if let p = g.appliedPence { w.number("amountAppliedFor", poundsText(p), to: &out) }
        w.number("amountAwarded", poundsText(g.awardedPence), to: &out)
        w.number("amountDisbursed", poundsText(g.disbursedPence), to: &out)
        w.string("awardDate", g.awardDate, to: &out)
        if let locations = g.beneficiaryLocation {
            w.key("beneficiaryLocation", to: &out)
            PoliceAPIJSON.array(locations, to: &out) { l, out in
                PoliceAPIJSON.stringObject(
                    ["countryCode": l.countryCode, "geoCode": l.geoCode, "geoCodeType": l.geoCodeType, "name": l.name],
                    to: &out)
            }
        }
        if let classes = g.classifications {
            w.key("classifications", to: &out)
            PoliceAPIJSON.array(classes, to: &out) { c, out in
                PoliceAPIJSON.stringObject(["code": c.code, "title": c.title, "vocabulary": c.vocabulary], to: &out)
            }
        }
        w.string("currency", g.currency, to: &out)
        w.string("dateModified", g.dateModified, to: &out)
        w.string("description", g.description, to: &out)
        w.string("fromOpenCall", g.fromOpenCall, to: &out)
        w.key("fundingOrganization", to: &out)
        PoliceAPIJSON.array(g.fundingOrganization, to: &out, write)
        w.key("grantProgramme", to: &out)
        PoliceAPIJSON.array(g.grantProgramme, to: &out) { p, out in
            PoliceAPIJSON.stringObject(["code": p.code, "title": p.title], to: &out)
        }
        w.string("id", g.id, to: &out)
        w.key("plannedDates", to: &out)
        PoliceAPIJSON.array(g.plannedDates, to: &out) { e, out in
            var d = JSONObjectWriter()
            d.number("duration", String(e.duration), to: &out)
            d.string("endDate", e.endDate, to: &out)
            d.string("startDate", e.startDate, to: &out)
            d.end(&out)
        }
        w.key("recipientOrganization", to: &out)
        PoliceAPIJSON.array(g.recipientOrganization, to: &out, write)
        w.string("title", g.title, to: &out)
        w.end(&out)
    }

    private static func write(_ o: Organization, to out: inout [UInt8]) {
        var w = JSONObjectWriter()
        if let n = o.charityNumber { w.string("charityNumber", n, to: &out) }
        if let n = o.companyNumber { w.string("companyNumber", n, to: &out) }
        w.string("id", o.id, to: &out)
        w.string("name", o.name, to: &out)
        w.end(&out)
    }

    // MARK: CSV

    /// The grant's own columns, in the order 360Giving's template has them; then the numbered
    /// columns for each beneficiary location and classification (`Beneficiary Location:0:Name`,
    /// …) up to the most any grant has.
    static let columns = [
        "Identifier", "Title", "Description", "Currency", "Amount Applied For", "Amount Awarded", "Amount Disbursed",
        "Award Date", "Planned Dates:Start Date", "Planned Dates:End Date", "Planned Dates:Duration (months)",
        "Recipient Org:Identifier", "Recipient Org:Name", "Recipient Org:Charity Number",
        "Recipient Org:Company Number", "Funding Org:Identifier", "Funding Org:Name", "Grant Programme:Code",
        "Grant Programme:Title", "From An Open Call?", "Last Modified",
    ]

    static func csv(_ grants: [Grant]) -> String {
        let places = grants.map { $0.beneficiaryLocation?.count ?? 0 }.max() ?? 0
        let classes = grants.map { $0.classifications?.count ?? 0 }.max() ?? 0
        var header = columns
        for k in 0..<max(places, 1) {
            header += ["Name", "Country Code", "Geographic Code", "Geographic Code Type"].map {
                "Beneficiary Location:\(k):\($0)"
            }
        }
        for k in 0..<classes {
            header += ["Vocabulary", "Code", "Title"].map { "Classifications:\(k):\($0)" }
        }
        var out = CSVWriter.record(header)
        out.reserveCapacity(grants.count * 600)
        for g in grants {
            let recipient = g.recipientOrganization.first
            let funder = g.fundingOrganization.first
            let planned = g.plannedDates.first
            let applied: String = g.appliedPence.map(poundsText) ?? ""
            let duration: String = planned.map { String($0.duration) } ?? ""
            var row: [String] = [
                g.id, g.title, g.description, g.currency, applied, poundsText(g.awardedPence),
                poundsText(g.disbursedPence),
                g.awardDate,
            ]
            row += [planned?.startDate ?? "", planned?.endDate ?? "", duration]
            row += [
                recipient?.id ?? "", recipient?.name ?? "", recipient?.charityNumber ?? "",
                recipient?.companyNumber ?? "",
            ]
            row += [funder?.id ?? "", funder?.name ?? ""]
            row += [g.grantProgramme.first?.code ?? "", g.grantProgramme.first?.title ?? ""]
            row += [g.fromOpenCall, g.dateModified]
            let locations = g.beneficiaryLocation ?? []
            for k in 0..<max(places, 1) {
                if k < locations.count {
                    let l = locations[k]
                    row += [l.name, l.countryCode, l.geoCode, l.geoCodeType]
                } else {
                    row += ["", "", "", ""]
                }
            }
            let cs = g.classifications ?? []
            for k in 0..<classes {
                row += k < cs.count ? [cs[k].vocabulary, cs[k].code, cs[k].title] : ["", "", ""]
            }
            out += CSVWriter.record(row)
        }
        return out
    }
}
