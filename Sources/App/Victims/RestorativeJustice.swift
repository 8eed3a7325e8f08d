import Foundation

/// Restorative justice journeys: the stages a referral goes through at an RJ service, what
/// each stage may record, and which stage may follow which. Pure: the store records steps,
/// these rules say whether a step may be recorded now.
///
/// The order follows the Restorative Justice Council's practice: the offender must accept
/// responsibility (eligibility) before either party is asked to take part; a meeting or
/// indirect communication needs both parties' consent and a risk assessment that found it
/// suitable; an outcome agreement comes out of a meeting; whether it was kept is recorded
/// after it. Preparation meetings may be many. A journey may be closed at any stage, with a
/// reason, and nothing follows closure.
enum RestorativeJustice {
    enum Side: String, CaseIterable, Codable, Sendable {
        case victim, offender

        var label: String {
            switch self {
            case .victim: "Victim side (the victim asked)"
            case .offender: "Offender side (the offender asked)"
            }
        }
    }

    /// Who referred a journey from the offender side.
    enum Referrer: String, CaseIterable, Codable, Sendable {
        case probation, prison, youthJustice = "youth-justice", police, selfReferral = "self", other

        var label: String {
            switch self {
            case .probation: "Probation service"
            case .prison: "Prison"
            case .youthJustice: "Youth justice service"
            case .police: "Police"
            case .selfReferral: "The offender asked"
            case .other: "Another organisation"
            }
        }
    }

    enum Step: String, CaseIterable, Codable, Sendable {
        case eligibility
        case victimConsent = "victim-consent"
        case offenderConsent = "offender-consent"
        case riskAssessment = "risk-assessment"
        case preparation
        case meeting
        case agreement
        case agreementKept = "agreement-kept"
        case followUp = "follow-up"
        case closed

        var label: String {
            switch self {
            case .eligibility: "Eligibility: does the offender accept responsibility?"
            case .victimConsent: "The victim's consent"
            case .offenderConsent: "The offender's consent"
            case .riskAssessment: "Risk assessment"
            case .preparation: "Preparation meeting"
            case .meeting: "Restorative meeting or indirect communication"
            case .agreement: "Outcome agreement"
            case .agreementKept: "Was the agreement kept?"
            case .followUp: "Follow-up"
            case .closed: "Closed"
            }
        }

        /// What this step may record, in the order a form offers them.
        var results: [(code: String, label: String)] {
            switch self {
            case .eligibility:
                [("accepts", "Accepts responsibility"), ("denies", "Does not accept responsibility")]
            case .victimConsent, .offenderConsent: [("given", "Consent given"), ("refused", "Consent refused")]
            case .riskAssessment: [("suitable", "Suitable to go ahead"), ("not-suitable", "Not suitable")]
            case .preparation: [("held", "Held")]
            case .meeting:
                [
                    ("conference", "Face-to-face meeting (conference)"),
                    ("indirect", "Indirect communication (shuttle, letter, recorded message)"),
                ]
            case .agreement: [("agreed", "Agreement reached"), ("none", "No agreement")]
            case .agreementKept: [("kept", "Kept"), ("partly", "Partly kept"), ("not-kept", "Not kept")]
            case .followUp: [("done", "Done")]
            case .closed: Closure.allCases.map { ($0.rawValue, $0.label) }
            }
        }

        /// The stage's name in a list ("Risk assessment").
        var short: String {
            switch self {
            case .eligibility: "Eligibility"
            case .victimConsent: "Victim's consent"
            case .offenderConsent: "Offender's consent"
            case .riskAssessment: "Risk assessment"
            case .preparation: "Preparation"
            case .meeting: "Meeting"
            case .agreement: "Agreement"
            case .agreementKept: "Agreement kept"
            case .followUp: "Follow-up"
            case .closed: "Closed"
            }
        }

        func label(ofResult code: String) -> String { results.first { $0.code == code }?.label ?? code }
    }

    enum Closure: String, CaseIterable, Codable, Sendable {
        case completed
        case victimWithdrew = "victim-withdrew"
        case offenderWithdrew = "offender-withdrew"
        case notEligible = "not-eligible"
        case notSuitable = "not-suitable"
        case noContact = "no-contact"

        var label: String {
            switch self {
            case .completed: "Completed"
            case .victimWithdrew: "The victim withdrew or did not consent"
            case .offenderWithdrew: "The offender withdrew or did not consent"
            case .notEligible: "Not eligible: responsibility not accepted"
            case .notSuitable: "Not suitable after risk assessment"
            case .noContact: "Could not make contact"
            }
        }
    }

    /// A step already recorded: the step and its result code.
    struct Recorded: Sendable, Equatable {
        var step: Step
        var result: String
    }

    /// Why `step` with `result` cannot be recorded after `done` (in the order recorded), or
    /// nil when it can. The latest result of a step counts: consent refused and later given
    /// is given.
    static func problem(adding step: Step, result: String, after done: [Recorded]) -> String? {
        guard step.results.contains(where: { $0.code == result }) else {
            return "Choose what happened at this stage."
        }
        if done.contains(where: { $0.step == .closed }) { return "The journey is closed; nothing can follow." }
        func latest(_ s: Step) -> String? { done.last { $0.step == s }?.result }
        let eligible = latest(.eligibility) == "accepts"
        switch step {
        case .eligibility, .closed:
            return nil
        case .victimConsent, .offenderConsent, .riskAssessment, .preparation:
            return eligible ? nil : "The offender must accept responsibility first (eligibility)."
        case .meeting:
            if !eligible { return "The offender must accept responsibility first (eligibility)." }
            if latest(.victimConsent) != "given" || latest(.offenderConsent) != "given" {
                return "Both the victim and the offender must consent before they meet or communicate."
            }
            if latest(.riskAssessment) != "suitable" {
                return "A risk assessment must find the meeting suitable first."
            }
            return nil
        case .agreement, .followUp:
            return latest(.meeting) == nil ? "Record the meeting or indirect communication first." : nil
        case .agreementKept:
            return latest(.agreement) == "agreed" ? nil : "Only an agreement that was reached can be kept."
        }
    }

    /// The stage a journey is at, from its steps: the last step recorded, or "Referred".
    static func stage(_ done: [Recorded]) -> String {
        guard let last = done.last else { return "Referred" }
        if last.step == .closed { return "Closed: " + last.step.label(ofResult: last.result).lowercased() }
        return last.step.short + ": " + last.step.label(ofResult: last.result).lowercased()
    }
}
