import Foundation

/// Builds the 360Giving package of every awarded grant from what the open queries read.
/// Pure: everything comes in as values, so the same records always give the same file.
///
/// Identifiers follow the standard's rules (identifiers.md): a grant is
/// `<prefix>-G<award id>` under the publisher's registered `360G-` prefix; a recipient is its
/// org-id (`GB-CHC-1164883`) when it gave one, else `<prefix>-ORG<organisation id>`; so is the
/// funder. Grants go to organisations only: nobody's name reaches the file as a recipient.
struct GrantPublisher: Sendable {
    /// The publisher's registered 360Giving prefix (`SAFERSTREETS_360G_PREFIX`).
    var prefix: String
    var funderName: String
    var funderIdentifier: String
    var license = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

    static let themeVocabulary = "Police and Crime Plan theme"

    struct Inputs: Sendable {
        var awards: [GrantOpenQueries.AwardRow]
        var funds: [Int: Grants.Fund]
        var themeTitles: [String: String]
        var paid: [Int: Int]
        var summaries: [Int: String]
        var places: [Int: GrantOpenQueries.Places]
    }

    init(prefix: String, funder: (name: String, identifier: String, id: Int)?) {
        self.prefix = prefix
        funderName = funder?.name ?? "Office of the Police and Crime Commissioner"
        let given = funder?.identifier ?? ""
        funderIdentifier =
            given.isEmpty ? OrgIdentifier.unregistered(prefix: prefix, organisationID: funder?.id ?? 0) : given
    }

    func recipientIdentifier(_ row: GrantOpenQueries.AwardRow) -> String {
        OrgIdentifier.isValid(row.orgIdentifier)
            ? row.orgIdentifier : OrgIdentifier.unregistered(prefix: prefix, organisationID: row.organisationId)
    }

    func grant(_ row: GrantOpenQueries.AwardRow, _ inputs: Inputs) -> ThreeSixtyGiving.Grant {
        let fund = inputs.funds[row.fundId]
        let summary = Self.clip(inputs.summaries[row.applicationId] ?? "", to: 1_000)
        let places = inputs.places[row.applicationId] ?? .init()
        let locations = places.authorities.compactMap { a in
            ThreeSixtyGiving.geoCodeType(a.code).map {
                ThreeSixtyGiving.Location(name: a.name, geoCode: a.code, geoCodeType: $0)
            }
        }
        let themes = (fund?.themes ?? []).compactMap { slug in
            inputs.themeTitles[slug].map {
                ThreeSixtyGiving.Classification(vocabulary: Self.themeVocabulary, code: slug, title: $0)
            }
        }
        return ThreeSixtyGiving.Grant(
            id: OrgIdentifier.grant(prefix: prefix, id: row.id),
            title: Self.clip(row.title, to: 140),
            description: summary.isEmpty
                ? "\(fund?.name ?? "Grant") to \(row.organisationName)" : summary,
            appliedPence: row.amountRequestedPence > 0 ? row.amountRequestedPence : nil,
            awardedPence: row.amountPence, disbursedPence: inputs.paid[row.id] ?? 0,
            awardDate: row.awardDate,
            plannedDates: [
                .init(
                    startDate: row.startsOn, endDate: row.endsOn,
                    duration: ThreeSixtyGiving.months(from: row.startsOn, to: row.endsOn))
            ],
            recipientOrganization: [
                ThreeSixtyGiving.organization(id: recipientIdentifier(row), name: row.organisationName)
            ],
            beneficiaryLocation: locations.isEmpty ? nil : locations,
            fundingOrganization: [.init(id: funderIdentifier, name: funderName)],
            grantProgramme: [.init(code: fund?.slug ?? "fund-\(row.fundId)", title: fund?.name ?? "Grants")],
            fromOpenCall: (fund?.openCall ?? 1) != 0 ? "Yes" : "No",
            classifications: themes.isEmpty ? nil : themes,
            dateModified: row.lastModified)
    }

    func package(_ inputs: Inputs, now: Date) -> ThreeSixtyGiving.Package {
        ThreeSixtyGiving.Package(
            title: "Grants made by \(funderName)",
            description:
                "Every grant \(funderName) has awarded, with the amount paid so far, the places served and the Police and Crime Plan themes its fund serves, to the 360Giving Data Standard.",
            modified: now.stored, publisher: .init(identifier: funderIdentifier, name: funderName), license: license,
            grants: inputs.awards.map { grant($0, inputs) })
    }

    /// `text` cut to at most `limit` characters at a word, with an ellipsis when cut.
    static func clip(_ text: String, to limit: Int) -> String {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // No more bytes than the limit means no more characters: skip counting them.
        guard t.utf8.count > limit, t.count > limit else { return t }
        let head = t.prefix(limit - 1)
        let cut = head.lastIndex(where: \.isWhitespace).map { head[..<$0] } ?? head
        return cut.trimmingCharacters(in: .whitespaces) + "…"
    }
}
