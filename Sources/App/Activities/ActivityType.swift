/// The kinds of partnership activity and the fields each one needs. One definition drives
/// the web form, the CSV template and the validation.
struct ActivityType: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case integer(min: Int, max: Int)
        case number(min: Double, max: Double)
        case text(maxLength: Int)
        case date
        case choice([String])
    }

    struct Field: Sendable, Hashable {
        var name: String
        var label: String
        var kind: Kind
        var required: Bool = true
        var hint: String = ""
    }

    var slug: String
    var label: String
    var group: String
    /// The field that measures how much was done (summed on dashboards).
    var quantityField: String
    var quantityUnit: String
    var fields: [Field]
    /// Whether the time of day matters (patrols, dispersal).
    var hasTime = false

    static func count(_ unit: String, label: String = "How many") -> Field {
        Field(name: "count", label: label, kind: .integer(min: 1, max: 10_000))
    }

    static let vehicleKinds = ["car", "motorcycle", "e-bike", "e-scooter", "other"]

    static let all: [ActivityType] = [
        ActivityType(
            slug: "patrol", label: "Patrol", group: "Policing", quantityField: "hours", quantityUnit: "hours",
            fields: [
                Field(
                    name: "hours", label: "Hours of patrol", kind: .number(min: 0.25, max: 24),
                    hint: "officer-hours on the ground, e.g. 1.5"),
                Field(name: "officers", label: "Officers", kind: .integer(min: 1, max: 200)),
                Field(
                    name: "visits", label: "Hot-spot visits", kind: .integer(min: 0, max: 500), required: false,
                    hint: "15-minute visits to hot-spot cells"),
                Field(
                    name: "style", label: "High-visibility or plain clothes",
                    kind: .choice(["high-visibility", "plain-clothes"])),
            ], hasTime: true),
        ActivityType(
            slug: "pspo", label: "Public space protection order", group: "ASB powers", quantityField: "count",
            quantityUnit: "orders",
            fields: [
                count("orders", label: "Orders"),
                Field(name: "prohibitions", label: "Prohibitions", kind: .text(maxLength: 2_000)),
                Field(name: "starts_on", label: "In force from", kind: .date),
                Field(name: "expires_on", label: "Expires on", kind: .date),
            ]),
        ActivityType(
            slug: "community-protection-warning", label: "Community protection warning", group: "ASB powers",
            quantityField: "count", quantityUnit: "warnings", fields: [count("warnings")]),
        ActivityType(
            slug: "community-protection-notice", label: "Community protection notice", group: "ASB powers",
            quantityField: "count", quantityUnit: "notices", fields: [count("notices")]),
        ActivityType(
            slug: "community-protection-notice-breach", label: "Community protection notice breach",
            group: "ASB powers", quantityField: "count", quantityUnit: "breaches", fields: [count("breaches")]),
        ActivityType(
            slug: "dispersal-authorisation", label: "Dispersal authorisation", group: "ASB powers",
            quantityField: "hours", quantityUnit: "hours",
            fields: [
                Field(name: "hours", label: "Hours authorised", kind: .number(min: 1, max: 48), hint: "up to 48 hours"),
                Field(name: "directions", label: "Directions issued", kind: .integer(min: 0, max: 1_000)),
            ], hasTime: true),
        ActivityType(
            slug: "vehicle-warning", label: "Vehicle warning (s59)", group: "ASB powers", quantityField: "count",
            quantityUnit: "warnings",
            fields: [
                count("warnings"), Field(name: "vehicle", label: "Vehicle", kind: .choice(vehicleKinds)),
            ]),
        ActivityType(
            slug: "vehicle-seizure", label: "Vehicle seizure (s59)", group: "ASB powers", quantityField: "count",
            quantityUnit: "seizures",
            fields: [
                count("seizures"), Field(name: "vehicle", label: "Vehicle", kind: .choice(vehicleKinds)),
            ]),
        ActivityType(
            slug: "closure-notice", label: "Closure notice", group: "ASB powers", quantityField: "count",
            quantityUnit: "notices", fields: [count("notices")]),
        ActivityType(
            slug: "closure-order", label: "Closure order", group: "ASB powers", quantityField: "count",
            quantityUnit: "orders", fields: [count("orders")]),
        ActivityType(
            slug: "civil-injunction", label: "Civil injunction", group: "ASB powers", quantityField: "count",
            quantityUnit: "injunctions", fields: [count("injunctions")]),
        ActivityType(
            slug: "criminal-behaviour-order", label: "Criminal behaviour order", group: "ASB powers",
            quantityField: "count", quantityUnit: "orders", fields: [count("orders")]),
        ActivityType(
            slug: "outreach-event", label: "Community outreach event", group: "Engagement", quantityField: "attendance",
            quantityUnit: "people",
            fields: [
                Field(name: "attendance", label: "People reached", kind: .integer(min: 0, max: 100_000))
            ]),
        ActivityType(
            slug: "youth-session", label: "Youth engagement session", group: "Engagement", quantityField: "attendance",
            quantityUnit: "young people",
            fields: [
                Field(name: "attendance", label: "Young people attending", kind: .integer(min: 0, max: 10_000))
            ], hasTime: true),
        ActivityType(
            slug: "school-visit", label: "School visit", group: "Engagement", quantityField: "pupils",
            quantityUnit: "pupils",
            fields: [
                Field(name: "pupils", label: "Pupils", kind: .integer(min: 0, max: 5_000))
            ]),
        ActivityType(
            slug: "safeguarding", label: "Safeguarding intervention", group: "Support", quantityField: "count",
            quantityUnit: "interventions", fields: [count("interventions")]),
        ActivityType(
            slug: "multi-agency-meeting", label: "Multi-agency meeting", group: "Support", quantityField: "count",
            quantityUnit: "meetings", fields: [count("meetings")]),
        ActivityType(
            slug: "pcc-engagement", label: "PCC engagement", group: "Engagement", quantityField: "attendance",
            quantityUnit: "people",
            fields: [
                Field(name: "attendance", label: "People at the event", kind: .integer(min: 0, max: 100_000))
            ]),
    ]

    static func named(_ slug: String) -> ActivityType? { all.first { $0.slug == slug } }
}

/// Who may see a record besides its own organisation and the OPCC.
enum ActivityVisibility: String, Sendable, CaseIterable, Codable {
    /// Only the recording organisation and the OPCC.
    case `private`
    /// Every organisation in the same campaign.
    case shared
    /// Anyone: it may be published on public pages and in open data.
    case `public`

    var label: String {
        switch self {
        case .private: "Private: your organisation and the OPCC"
        case .shared: "Shared with the campaign's partners"
        case .public: "Public: may be published for anyone to see"
        }
    }
}
