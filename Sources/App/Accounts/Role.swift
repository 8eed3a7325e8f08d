/// What a signed-in person may do. The public (no session) sees only published pages.
enum Role: String, Codable, Sendable, CaseIterable {
    /// Runs the workspace: users, organisations, the audit log, everything.
    case opccAdmin = "opcc-admin"
    /// OPCC analysts, policy and commissioning staff: see everything.
    case opccStaff = "opcc-staff"
    /// Manages their own organisation's users and records.
    case partnerAdmin = "partner-admin"
    /// Records and reads their own organisation's work and shared plans.
    case partnerUser = "partner-user"

    var isOPCC: Bool { self == .opccAdmin || self == .opccStaff }

    var label: String {
        switch self {
        case .opccAdmin: "OPCC admin"
        case .opccStaff: "OPCC staff"
        case .partnerAdmin: "Partner admin"
        case .partnerUser: "Partner user"
        }
    }
}

/// The kinds of organisation in a community safety partnership.
enum OrganisationKind: String, Codable, Sendable, CaseIterable {
    case opcc
    case police = "police"
    case countyCouncil = "county-council"
    case districtCouncil = "district-council"
    case businessImprovementDistrict = "business-improvement-district"
    case business = "business"
    case youthService = "youth-service"
    case drugAndAlcoholService = "drug-and-alcohol-service"
    case nhs = "nhs"
    case fireService = "fire-service"
    case housingProvider = "housing-provider"
    case probation = "probation"
    case voluntary = "voluntary-organisation"
    /// Holds victims' cases: referral, needs assessment, support (e.g. Victim Support).
    case victimService = "victim-service"

    var label: String {
        switch self {
        case .opcc: "Office of the Police and Crime Commissioner"
        case .police: "Police force or team"
        case .countyCouncil: "County council"
        case .districtCouncil: "District or city council"
        case .businessImprovementDistrict: "Business improvement district"
        case .business: "Shopping centre or business"
        case .youthService: "Youth service"
        case .drugAndAlcoholService: "Drug and alcohol service"
        case .nhs: "NHS body"
        case .fireService: "Fire service"
        case .housingProvider: "Housing provider"
        case .probation: "Probation service"
        case .voluntary: "Voluntary organisation"
        case .victimService: "Victim service"
        }
    }
}
