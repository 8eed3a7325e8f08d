/// A police.uk crime category: the name used in CSV files and the slug used by the API
/// (data.police.uk/docs/method/crime-categories).
public struct CrimeCategory: Sendable, Hashable, Codable {
    public let slug: String
    public let name: String

    public init(slug: String, name: String) {
        self.slug = slug
        self.name = name
    }

    /// The categories police.uk has used, current ones first, then the pre-2013 ones.
    public static let known: [CrimeCategory] = [
        .init(slug: "anti-social-behaviour", name: "Anti-social behaviour"),
        .init(slug: "bicycle-theft", name: "Bicycle theft"),
        .init(slug: "burglary", name: "Burglary"),
        .init(slug: "criminal-damage-arson", name: "Criminal damage and arson"),
        .init(slug: "drugs", name: "Drugs"),
        .init(slug: "other-theft", name: "Other theft"),
        .init(slug: "possession-of-weapons", name: "Possession of weapons"),
        .init(slug: "public-order", name: "Public order"),
        .init(slug: "robbery", name: "Robbery"),
        .init(slug: "shoplifting", name: "Shoplifting"),
        .init(slug: "theft-from-the-person", name: "Theft from the person"),
        .init(slug: "vehicle-crime", name: "Vehicle crime"),
        .init(slug: "violent-crime", name: "Violence and sexual offences"),
        .init(slug: "other-crime", name: "Other crime"),
        .init(slug: "public-disorder-weapons", name: "Public disorder and weapons"),
        .init(slug: "violent-crime", name: "Violent crime"),
    ]

    /// The slug for a CSV category name; an unknown name gets a slug made from it,
    /// so a category police.uk adds later is kept rather than refused.
    public static func slug(forName name: String) -> String {
        if let known = known.first(where: { $0.name == name }) { return known.slug }
        var slug = ""
        var lastDash = true
        for ch in name.lowercased() {
            if ch.isLetter || ch.isNumber {
                slug.append(ch)
                lastDash = false
            } else if !lastDash {
                slug.append("-")
                lastDash = true
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug
    }

    public static let antiSocialBehaviour = "Anti-social behaviour"
}
