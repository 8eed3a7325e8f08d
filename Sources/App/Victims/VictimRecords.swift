import Foundation

/// The words of a victim's referral: crime types, the Victims' Code's enhanced-rights
/// categories, age bands, where the referral came from and how consent was given.
enum Victims {
    /// Crime types as a victims' service groups them (for the case, its clocks and the
    /// aggregates). `explicitConsent`: the police may refer only with the victim's explicit
    /// consent (the Victims' Code, Right 4: sexual offences, domestic abuse and bereaved
    /// relatives; every other victim is referred unless they ask not to be).
    enum CrimeType: String, CaseIterable, Codable, Sendable {
        case domesticAbuse = "domestic-abuse"
        case sexualOffence = "sexual-offence"
        case bereaved = "bereaved-relative"
        case violenceWithInjury = "violence-with-injury"
        case violenceWithoutInjury = "violence-without-injury"
        case stalkingHarassment = "stalking-harassment"
        case hateCrime = "hate-crime"
        case robbery
        case burglary
        case theft
        case criminalDamage = "criminal-damage-arson"
        case fraud
        case modernSlavery = "modern-slavery"
        case other

        var label: String {
            switch self {
            case .domesticAbuse: "Domestic abuse"
            case .sexualOffence: "Sexual offence"
            case .bereaved: "Bereaved relative (homicide, death by driving)"
            case .violenceWithInjury: "Violence with injury"
            case .violenceWithoutInjury: "Violence without injury"
            case .stalkingHarassment: "Stalking and harassment"
            case .hateCrime: "Hate crime"
            case .robbery: "Robbery"
            case .burglary: "Burglary"
            case .theft: "Theft"
            case .criminalDamage: "Criminal damage and arson"
            case .fraud: "Fraud"
            case .modernSlavery: "Modern slavery and human trafficking"
            case .other: "Other crime"
            }
        }

        var needsExplicitConsent: Bool { self == .domesticAbuse || self == .sexualOffence || self == .bereaved }

        /// Victims of these are victims of the most serious crime under the Code, so have
        /// enhanced rights whoever they are.
        var isMostSerious: Bool {
            switch self {
            case .domesticAbuse, .sexualOffence, .bereaved, .hateCrime, .modernSlavery: true
            default: false
            }
        }
    }

    /// The enhanced-rights categories of the Victims' Code (chapter 1: victims of the most
    /// serious crime, persistently targeted, vulnerable and intimidated victims).
    enum Enhanced: String, CaseIterable, Codable, Sendable {
        case mostSerious = "most-serious-crime"
        case persistentlyTargeted = "persistently-targeted"
        case under18 = "vulnerable-under-18"
        case mentalDisorder = "vulnerable-mental-disorder"
        case impairment = "vulnerable-impairment"
        case physicalDisability = "vulnerable-physical-disability"
        case intimidated

        var label: String {
            switch self {
            case .mostSerious: "Victim of the most serious crime"
            case .persistentlyTargeted: "Persistently targeted"
            case .under18: "Vulnerable: under 18"
            case .mentalDisorder: "Vulnerable: mental disorder"
            case .impairment: "Vulnerable: significant impairment of intelligence or social functioning"
            case .physicalDisability: "Vulnerable: physical disability or disorder"
            case .intimidated: "Intimidated"
            }
        }
    }

    enum AgeBand: String, CaseIterable, Codable, Sendable {
        case under18 = "under-18"
        case from18 = "18-24"
        case from25 = "25-34"
        case from35 = "35-49"
        case from50 = "50-64"
        case from65 = "65-plus"
        case unknown

        var label: String {
            switch self {
            case .under18: "Under 18"
            case .from18: "18 to 24"
            case .from25: "25 to 34"
            case .from35: "35 to 49"
            case .from50: "50 to 64"
            case .from65: "65 and over"
            case .unknown: "Not known"
            }
        }
    }

    enum Source: String, CaseIterable, Codable, Sendable {
        case police, agency, selfReferral = "self"

        var label: String {
            switch self {
            case .police: "Police"
            case .agency: "Another agency"
            case .selfReferral: "Self-referral"
            }
        }
    }

    enum ConsentHow: String, CaseIterable, Codable, Sendable {
        case verbal, written, electronic

        var label: String {
            switch self {
            case .verbal: "Verbally (recorded by the officer)"
            case .written: "In writing"
            case .electronic: "Electronically"
            }
        }
    }

    enum ContactChannel: String, CaseIterable, Codable, Sendable {
        case phone, text, email, letter, inPerson = "in-person"

        var label: String {
            switch self {
            case .phone: "Telephone"
            case .text: "Text message"
            case .email: "E-mail"
            case .letter: "Letter"
            case .inPerson: "In person"
            }
        }
    }

    /// Why someone opened a victim's record: asked before the record is shown, and logged
    /// with the read (Data Protection Act 2018 s.62).
    enum Purpose: String, CaseIterable, Codable, Sendable {
        case caseWork = "case-work"
        case supervision
        case onwardReferral = "onward-referral"
        case subjectAccess = "subject-access"
        case restorativeJustice = "restorative-justice"
        case safeguarding
        case other

        var label: String {
            switch self {
            case .caseWork: "Case work on this case"
            case .supervision: "Supervision or quality check"
            case .onwardReferral: "Deciding an onward referral"
            case .subjectAccess: "Answering a subject access request"
            case .restorativeJustice: "Restorative justice work"
            case .safeguarding: "Safeguarding concern"
            case .other: "Another reason (say which)"
            }
        }
    }

    /// Why a Victims' Code clock does not apply to a case (chosen from a list: no free text,
    /// so nothing about the victim is written where it is not sealed).
    enum NotApplicable: String, CaseIterable, Codable, Sendable {
        case optedOut = "opted-out"
        case anotherAgency = "another-agency"
        case declined = "declined-before-due"
        case notEligible = "not-eligible"

        var label: String {
            switch self {
            case .optedOut: "The victim chose not to receive this (opt-out recorded)"
            case .anotherAgency: "Another agency holds this duty (e.g. the Witness Care Unit)"
            case .declined: "The victim declined the service before it fell due"
            case .notEligible: "The right does not apply to this victim or crime"
            }
        }
    }

    /// The areas of need a victim service assesses (the Ministry of Justice's victim services
    /// needs areas, with children and family).
    enum Need: String, CaseIterable, Codable, Sendable {
        case safety = "safety-security"
        case health = "health-wellbeing"
        case emotional
        case practical
        case financial
        case justice = "criminal-justice"
        case housing
        case family = "children-family"

        var label: String {
            switch self {
            case .safety: "Safety and security"
            case .health: "Health and wellbeing"
            case .emotional: "Emotional"
            case .practical: "Practical"
            case .financial: "Financial"
            case .justice: "Criminal justice support"
            case .housing: "Housing"
            case .family: "Children and family"
            }
        }
    }

    /// How much support an area needs.
    enum NeedLevel: String, CaseIterable, Codable, Sendable {
        case none, some, high

        var label: String {
            switch self {
            case .none: "No need"
            case .some: "Some need"
            case .high: "High need"
            }
        }
    }

    /// A risk level as recorded by the assessor (for domestic abuse, the DASH outcome): never
    /// computed here.
    enum Risk: String, CaseIterable, Codable, Sendable {
        case notAssessed = "", standard, medium, high

        var label: String {
            switch self {
            case .notAssessed: "Not assessed"
            case .standard: "Standard"
            case .medium: "Medium"
            case .high: "High"
            }
        }
    }

    enum Closure: String, CaseIterable, Codable, Sendable {
        case completed = "support-completed"
        case declined = "declined-support"
        case noContact = "no-contact"
        case transferred
        case movedAway = "moved-away"

        var label: String {
            switch self {
            case .completed: "Support completed"
            case .declined: "The victim declined support"
            case .noContact: "Could not make contact"
            case .transferred: "Transferred to another service"
            case .movedAway: "Moved out of the area"
            }
        }
    }

    /// The Ministry of Justice's "cope and recover" outcomes, asked at closure.
    enum Outcome: String, CaseIterable, Codable, Sendable {
        case cope = "better-able-to-cope"
        case safer = "feel-safer"
        case health = "improved-health-wellbeing"
        case informed = "better-informed"

        var label: String {
            switch self {
            case .cope: "Better able to cope with everyday life"
            case .safer: "Feels safer"
            case .health: "Improved health and wellbeing"
            case .informed: "Better informed and empowered to act"
            }
        }
    }

    /// The specialist services a case is referred on to.
    enum Specialist: String, CaseIterable, Codable, Sendable {
        case idva, isva, children, restorativeJustice = "restorative-justice", mentalHealth = "mental-health", other

        var label: String {
            switch self {
            case .idva: "Independent domestic violence adviser (IDVA)"
            case .isva: "Independent sexual violence adviser (ISVA) or SARC"
            case .children: "Children and young people's service"
            case .restorativeJustice: "Restorative justice"
            case .mentalHealth: "Mental health support"
            case .other: "Other specialist support"
            }
        }
    }

    /// Why a receiving service declines an onward referral.
    enum Decline: String, CaseIterable, Codable, Sendable {
        case noCapacity = "no-capacity", notEligible = "not-eligible", victimDeclined = "victim-declined", other

        var label: String {
            switch self {
            case .noCapacity: "No capacity"
            case .notEligible: "Not eligible for the service"
            case .victimDeclined: "The victim declined"
            case .other: "Another reason"
            }
        }
    }

    /// The enhanced categories a referral carries: those given, plus the ones its crime type
    /// and age band imply (all under-18s are vulnerable; the most serious crimes).
    static func enhanced(given: Set<Enhanced>, crime: CrimeType, age: AgeBand) -> Set<Enhanced> {
        var all = given
        if crime.isMostSerious { all.insert(.mostSerious) }
        if age == .under18 { all.insert(.under18) }
        return all
    }

    /// The codes of a set, sorted, as stored (`intimidated,most-serious-crime`).
    static func stored(_ set: Set<Enhanced>) -> String { set.map(\.rawValue).sorted().joined(separator: ",") }

    static func parseStored(_ text: String) -> Set<Enhanced> {
        Set(text.split(separator: ",").compactMap { Enhanced(rawValue: String($0)) })
    }
}
