import CrimeData
import Foundation

/// A referral as typed in a form, sent in the JSON batch or read from a CSV row: text, then
/// checked into a `Referral` or a list of field errors (the same rules for all three).
struct ReferralDraft: Sendable, Equatable {
    var reference = ""
    var crimeReference = ""
    var crimeType = ""
    var reportedOn = ""
    var name = ""
    var dateOfBirth = ""
    var phone = ""
    var email = ""
    var address = ""
    var contactPreferences = ""
    var language = ""
    var interpreter = ""
    var ageBand = ""
    var enhanced: [String] = []
    var consent = ""
    var consentOn = ""
    var consentHow = ""
    var localAuthority = ""

    /// A checked referral: every value known good. Personal values are sealed by the store.
    struct Referral: Sendable, Equatable {
        var reference: String
        var crimeReference: String
        var crimeType: Victims.CrimeType
        var reportedOn: CalendarDay
        var name: String
        var dateOfBirth: CalendarDay?
        var phone: String
        var email: String
        var address: String
        var contactPreferences: String
        var language: String
        var interpreter: Bool
        var ageBand: Victims.AgeBand
        var enhanced: Set<Victims.Enhanced>
        var explicitConsent: Bool
        var consentOn: CalendarDay?
        var consentHow: Victims.ConsentHow?
        var localAuthority: String

        var isEnhanced: Bool { !enhanced.isEmpty }
    }

    static let consentValues = ["explicit", "not-declined"]

    /// The victim's details a correction may change, with their longest lengths.
    static let details: [(field: String, max: Int)] = [
        ("name", 200), ("date_of_birth", 10), ("phone", 40), ("email", 254), ("address", 500),
        ("contact_preferences", 500),
    ]

    /// What is wrong with a value of one of the victim's details beyond its length (the
    /// referral's rule and a correction's): nil when nothing is.
    static func detailProblem(_ field: String, _ value: String, today: CalendarDay) -> String? {
        let t = value.trimmed
        switch field {
        case "date_of_birth" where !t.isEmpty:
            guard let day = CalendarDay(t) else { return "must be a date, YYYY-MM-DD" }
            return day > today ? "is after today" : nil
        case "phone" where !t.isEmpty && !t.allSatisfy({ $0.isNumber || " +()-".contains($0) }):
            return "may hold only digits, spaces and + ( ) -"
        case "email" where !t.isEmpty && (!t.contains("@" as Character) || t.contains(" " as Character)):
            return "is not an e-mail address"
        default: return nil
        }
    }

    /// Checks every field; `localAuthorities` are the ONS codes the workspace knows.
    /// `needsReference`: the police's batch must carry the force's own reference.
    func check(today: CalendarDay, localAuthorities: Set<String>, needsReference: Bool) -> Result<
        Referral, FieldErrors
    > {
        var errors: [FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(FieldError(field: field, message: message)) }
        func text(_ field: String, _ value: String, max: Int, required: Bool = false) -> String {
            let t = value.trimmed
            if required && t.isEmpty { fail(field, "is required") }
            if t.count > max { fail(field, "is longer than \(max) characters") }
            if t.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
                fail(field, "contains control characters")
            }
            return t
        }
        let reference = text("reference", reference, max: 64, required: needsReference)
        if !reference.isEmpty
            && !reference.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-/_.".contains($0)) })
        {
            fail("reference", "may hold only letters, digits and - / _ .")
        }
        let crimeReference = text("crime_reference", crimeReference, max: 64, required: needsReference)
        let crime = Victims.CrimeType(rawValue: crimeType.trimmed)
        if crime == nil {
            fail(
                "crime_type",
                "must be one of \(Victims.CrimeType.allCases.map(\.rawValue).joined(separator: ", ")) (got “\(crimeType.prefix(40))”)"
            )
        }
        let reported = CalendarDay(reportedOn)
        if reported == nil {
            fail("reported_on", "must be a date, YYYY-MM-DD (got “\(reportedOn.prefix(20))”)")
        } else if let r = reported, r > today {
            fail("reported_on", "is after today")
        }
        let name = text("name", name, max: 200, required: true)
        var dob: CalendarDay?
        if !dateOfBirth.trimmed.isEmpty {
            dob = CalendarDay(dateOfBirth)
            if let problem = Self.detailProblem("date_of_birth", dateOfBirth, today: today) {
                fail("date_of_birth", problem)
            }
        }
        let phone = text("phone", phone, max: 40)
        if let problem = Self.detailProblem("phone", phone, today: today) { fail("phone", problem) }
        let email = text("email", email, max: 254)
        if let problem = Self.detailProblem("email", email, today: today) { fail("email", problem) }
        let address = text("address", address, max: 500)
        if phone.isEmpty && email.isEmpty && address.isEmpty {
            fail("phone", "give at least one way to contact the victim: phone, e-mail or address")
        }
        let preferences = text("contact_preferences", contactPreferences, max: 500)
        var language = text("language", language, max: 60)
        if language.isEmpty { language = "English" }
        let interpreterText = interpreter.trimmed.lowercased()
        var needsInterpreter = false
        switch interpreterText {
        case "", "false", "no", "0": needsInterpreter = false
        case "true", "yes", "1": needsInterpreter = true
        default: fail("interpreter", "must be yes or no")
        }
        let age = Victims.AgeBand(rawValue: ageBand.trimmed)
        if age == nil {
            fail("age_band", "must be one of \(Victims.AgeBand.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var given = Set<Victims.Enhanced>()
        for code in enhanced.map({ $0.trimmed }) where !code.isEmpty {
            if let e = Victims.Enhanced(rawValue: code) {
                given.insert(e)
            } else {
                fail("enhanced", "“\(code.prefix(40))” is not an enhanced-rights category")
            }
        }
        let consent = self.consent.trimmed
        if !Self.consentValues.contains(consent) {
            fail("consent", "must be explicit or not-declined")
        }
        let explicit = consent == "explicit"
        var consentDay: CalendarDay?
        var how: Victims.ConsentHow?
        if explicit {
            consentDay = CalendarDay(consentOn)
            if consentDay == nil { fail("consent_on", "explicit consent needs its date, YYYY-MM-DD") }
            if let d = consentDay, d > today { fail("consent_on", "is after today") }
            how = Victims.ConsentHow(rawValue: consentHow.trimmed)
            if how == nil {
                fail("consent_how", "explicit consent needs how it was given: verbal, written or electronic")
            }
        } else if let crime, crime.needsExplicitConsent, Self.consentValues.contains(consent) {
            fail(
                "consent",
                "a referral for \(crime.label.lowercased()) needs the victim's explicit consent (Victims' Code, Right 4)"
            )
        }
        let la = localAuthority.trimmed
        if !la.isEmpty && !localAuthorities.contains(la) {
            fail("local_authority", "“\(la.prefix(20))” is not a local authority code this workspace knows")
        }
        guard errors.isEmpty, let crime, let reported, let age else { return .failure(FieldErrors(errors: errors)) }
        return .success(
            Referral(
                reference: reference, crimeReference: crimeReference, crimeType: crime, reportedOn: reported,
                name: name,
                dateOfBirth: dob, phone: phone, email: email, address: address, contactPreferences: preferences,
                language: language, interpreter: needsInterpreter, ageBand: age,
                enhanced: Victims.enhanced(given: given, crime: crime, age: age), explicitConsent: explicit,
                consentOn: consentDay, consentHow: how, localAuthority: la))
    }
}
