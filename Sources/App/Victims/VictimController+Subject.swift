import CrimeData
import Foundation
import Vapor

/// Subject access (UK GDPR Article 15; DPA 2018 s.45): the victim service's admins find
/// everything held about one person by name and date of birth and give it as JSON, a page
/// or a PDF; each case exported is a read logged with the purpose "subject access".
/// Rectification (Article 16): a case worker corrects a detail with a reason; the value
/// before is kept.
extension VictimController {
    static let subjectCaseLimit = 200

    @Sendable func subjectAccess(req: Request) async throws -> Response {
        let (_, org) = try await admin(req, for: "Subject access")
        return try await req.render(
            "victims/subject-access",
            SubjectAccessPage(
                organisation: org.name, action: SiteURL.victimSubjectAccess(), csrf: req.csrfToken, name: "",
                dateOfBirth: "", searched: false, found: "", hasCases: false, errors: [], hasErrors: false))
    }

    @Sendable func subjectAccessFind(req: Request) async throws -> Response {
        let (user, org) = try await admin(req, for: "Subject access")
        struct Form: Content { var name: String?; var dateOfBirth: String?; var format: String? }
        let form = try req.content.decode(Form.self)
        let name = (form.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let dobText = (form.dateOfBirth ?? "").trimmingCharacters(in: .whitespaces)
        var errors: [FieldError] = []
        if name.isEmpty || name.count > 200 { errors.append(.init(field: "name", message: "Give the person's name")) }
        if let problem = ReferralDraft.detailProblem("date_of_birth", dobText, today: CalendarDay(now())) {
            errors.append(.init(field: "dateOfBirth", message: "The date of birth \(problem)"))
        }
        var page = SubjectAccessPage(
            organisation: org.name, action: SiteURL.victimSubjectAccess(), csrf: req.csrfToken, name: name,
            dateOfBirth: dobText, searched: errors.isEmpty, found: "", hasCases: false, errors: errors,
            hasErrors: !errors.isEmpty)
        guard errors.isEmpty else {
            return try await req.render("victims/subject-access", page, status: .unprocessableEntity)
        }
        let ids = try await store.cases(
            ofPerson: name, dateOfBirth: CalendarDay(dobText), holder: org.id, on: req.db)
        let format = form.format ?? "find"
        guard !ids.isEmpty, format != "find" else {
            page.found =
                ids.isEmpty
                ? "No case is held for that name and date of birth. (A case recorded without a date of birth is found by the name with the date left empty.)"
                : "\(Format.counted(ids.count, "case is", "cases are")) held for this person: \(ids.prefix(Self.subjectCaseLimit).map { "V\($0)" }.joined(separator: ", ")). Each case exported is logged as read for subject access."
            page.hasCases = !ids.isEmpty
            return try await req.render("victims/subject-access", page)
        }
        let record = try await subjectRecord(
            Array(ids.prefix(Self.subjectCaseLimit)), name: name, dateOfBirth: dobText, holder: org, user: user,
            req: req)
        switch format {
        case "json":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return download(
                String(decoding: try encoder.encode(record), as: UTF8.self), type: "application/json",
                name: "subject-access-\(CalendarDay(now())).json")
        case "pdf":
            return try await pdf.download(filename: "subject-access-\(CalendarDay(now())).pdf", req: req) {
                try await req.render("victims/subject-record", SubjectRecordPage(record))
            }
        default:
            return try await req.render("victims/subject-record", SubjectRecordPage(record))
        }
    }

    /// Everything held about the person in these cases, each opened (and logged) for subject
    /// access.
    func subjectRecord(
        _ ids: [Int], name: String, dateOfBirth: String, holder: VictimStore.Service, user: CurrentUser,
        req: Request
    ) async throws -> SubjectRecord {
        var cases: [SubjectRecord.CaseRecord] = []
        for id in ids {
            guard
                let c = try await store.openCase(
                    id, viewer: user, what: "subject access export", purpose: .subjectAccess, justification: "",
                    on: req.db)
            else { continue }
            let notes = try await store.onwardNotes(ofCase: id, on: req.db)
            cases.append(
                .init(
                    caseNumber: "V\(c.id)", status: c.status, source: c.source.label, referredBy: c.referredBy ?? "",
                    reference: c.reference, crimeReference: c.crimeReference, crimeType: c.crimeType.label,
                    reportedOn: c.reportedOn, receivedAt: c.receivedAt,
                    duplicateOf: c.duplicateOf.map { "V\($0)" } ?? "",
                    name: c.name, dateOfBirth: c.dateOfBirth, phone: c.phone, email: c.email, address: c.address,
                    contactPreferences: c.preferences, language: c.language, interpreter: c.interpreter,
                    ageBand: c.ageBand.label, enhancedRights: c.enhanced.map(\.label).sorted(),
                    consent: c.explicitConsent ? "explicit" : "not declined", consentOn: c.consentOn ?? "",
                    consentHow: c.consentHow ?? "", localAuthority: c.localAuthority, closedAt: c.closedAt ?? "",
                    closureReason: Victims.Closure(rawValue: c.closureReason)?.label ?? c.closureReason,
                    outcomes: c.outcomes.split(separator: ",").map {
                        Victims.Outcome(rawValue: String($0))?.label ?? String($0)
                    }, feedback: c.feedback,
                    contacts: try await store.contacts(ofCase: id, on: req.db).map {
                        .init(
                            at: $0.contactedAt,
                            channel: Victims.ContactChannel(rawValue: $0.channel)?.label ?? $0.channel,
                            outcome: VictimStore.outcomeLabel($0.outcome), note: $0.note, by: $0.userName)
                    },
                    events: try await store.events(ofCase: id, on: req.db).map {
                        .init(
                            kind: VictimStore.EventKind(rawValue: $0.kind)?.label ?? $0.kind, occurredAt: $0.occurredAt,
                            informedAt: $0.informedAt ?? "", notApplicable: $0.notApplicable)
                    },
                    assessments: try await store.assessments(ofCase: id, on: req.db).map { a in
                        .init(
                            version: a.version, assessedAt: a.assessedAt,
                            needs: Victims.Need.allCases.compactMap { n in
                                a.needs[n].map { "\(n.label): \($0.label)" }
                            }, risk: a.risk.label, supportPlan: a.plan, by: a.userName)
                    },
                    onwardReferrals: try await store.onward(ofCase: id, on: req.db).map {
                        .init(
                            to: $0.toName, service: Victims.Specialist(rawValue: $0.service)?.label ?? $0.service,
                            note: notes[$0.id] ?? "", referredAt: $0.referredAt, status: $0.status,
                            decidedAt: $0.decidedAt ?? "",
                            declineReason: Victims.Decline(rawValue: $0.declineReason)?.label ?? $0.declineReason)
                    },
                    corrections: try await store.rectifications(ofCase: id, on: req.db).map {
                        .init(
                            field: $0.field, before: $0.before, after: $0.after, reason: $0.reason, at: $0.madeAt,
                            by: $0.userName)
                    },
                    reads: try await store.reads(ofCase: id, holder: holder.id, on: req.db).map {
                        .init(
                            at: $0.readAt, by: $0.userName, organisation: $0.organisationName ?? "", what: $0.what,
                            purpose: Victims.Purpose(rawValue: $0.purpose)?.label ?? $0.purpose,
                            recipient: $0.recipient)
                    }))
        }
        return SubjectRecord(
            madeAt: now().stored, heldBy: holder.name,
            subject: .init(name: name, dateOfBirth: dateOfBirth), cases: cases)
    }

    // MARK: Rectification

    @Sendable func rectify(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        struct Form: Content { var field: String?; var value: String?; var reason: String? }
        let form = try req.content.decode(Form.self)
        let field = form.field ?? ""
        let value = (form.value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = (form.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if let limit = ReferralDraft.details.first(where: { $0.field == field })?.max {
            if value.count > limit {
                errors.append(.init(field: "value", message: "Keep it to \(Format.count(limit)) characters"))
            }
            if field == "name" && value.isEmpty { errors.append(.init(field: "value", message: "Give the name")) }
            if let problem = ReferralDraft.detailProblem(field, value, today: CalendarDay(now())) {
                errors.append(.init(field: "value", message: "The new value \(problem)"))
            }
            if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
                errors.append(.init(field: "value", message: "The new value contains control characters"))
            }
        } else {
            errors.append(.init(field: "field", message: "Choose the detail to correct"))
        }
        if reason.isEmpty || reason.count > 500 {
            errors.append(.init(field: "reason", message: "Say why the detail is corrected (up to 500 characters)"))
        }
        guard errors.isEmpty else {
            throw Abort(.unprocessableEntity, reason: errors.map(\.message).joined(separator: "; ") + ".")
        }
        let stored = field == "date_of_birth" ? (CalendarDay(value)?.description ?? value) : value
        let done: Bool
        do {
            done = try await store.rectify(id, field: field, value: stored, reason: reason, viewer: user, on: req.db)
        } catch let e as FieldErrors {
            throw Abort(.unprocessableEntity, reason: e.errors.map(\.message).joined(separator: "; ") + ".")
        }
        guard done else { throw Abort(.notFound, reason: "There is no such case.") }
        return req.redirect(
            to: SiteURL.victimCase.with(query: "purpose=case-work", id) + "#corrections", redirectType: .normal)
    }
}

/// Everything held about one person: what the subject access export gives (JSON keys in
/// snake_case).
struct SubjectRecord: Codable, Sendable {
    struct Subject: Codable, Sendable {
        var name: String
        var dateOfBirth: String
    }
    struct ContactRecord: Codable, Sendable {
        var at, channel, outcome, note, by: String
    }
    struct EventRecord: Codable, Sendable {
        var kind, occurredAt, informedAt, notApplicable: String
    }
    struct AssessmentRecord: Codable, Sendable {
        var version: Int
        var assessedAt: String
        var needs: [String]
        var risk, supportPlan, by: String
    }
    struct OnwardRecord: Codable, Sendable {
        var to, service, note, referredAt, status, decidedAt, declineReason: String
    }
    struct CorrectionRecord: Codable, Sendable {
        var field, before, after, reason, at, by: String
    }
    struct ReadRecord: Codable, Sendable {
        var at, by, organisation, what, purpose, recipient: String
    }
    struct CaseRecord: Codable, Sendable {
        var caseNumber, status, source, referredBy, reference, crimeReference, crimeType, reportedOn, receivedAt: String
        var duplicateOf, name, dateOfBirth, phone, email, address, contactPreferences, language: String
        var interpreter: Bool
        var ageBand: String
        var enhancedRights: [String]
        var consent, consentOn, consentHow, localAuthority, closedAt, closureReason: String
        var outcomes: [String]
        var feedback: Int?
        var contacts: [ContactRecord]
        var events: [EventRecord]
        var assessments: [AssessmentRecord]
        var onwardReferrals: [OnwardRecord]
        var corrections: [CorrectionRecord]
        var reads: [ReadRecord]
    }
    var madeAt: String
    var heldBy: String
    var subject: Subject
    var cases: [CaseRecord]
}

struct SubjectAccessPage: Encodable {
    var title = "Subject access"
    var organisation: String
    var action: String
    var csrf: String
    var name: String
    var dateOfBirth: String
    var searched: Bool
    var found: String
    var hasCases: Bool
    var errors: [FieldError]
    var hasErrors: Bool
}

/// The subject access record as a page (and, printed by Chromium, the PDF): each case as
/// its details and tables, generic so that no field is left out of the page that the JSON has.
struct SubjectRecordPage: Encodable {
    struct Pair: Encodable {
        var label: String
        var value: String
    }
    struct Table: Encodable {
        var title: String
        var headers: [String]
        var rows: [[String]]
        var hasRows: Bool
    }
    struct CaseView: Encodable {
        var number: String
        var details: [Pair]
        var tables: [Table]
    }
    var title = "Subject access record"
    var heldBy: String
    var subject: String
    var madeAt: String
    var cases: [CaseView]
    var hasCases: Bool

    init(_ r: SubjectRecord) {
        heldBy = r.heldBy
        subject = r.subject.dateOfBirth.isEmpty ? r.subject.name : "\(r.subject.name), born \(r.subject.dateOfBirth)"
        madeAt = Format.dateTime(r.madeAt)
        hasCases = !r.cases.isEmpty
        cases = r.cases.map { c in
            func table(_ title: String, _ headers: [String], _ rows: [[String]]) -> Table {
                Table(title: title, headers: headers, rows: rows, hasRows: !rows.isEmpty)
            }
            return CaseView(
                number: c.caseNumber,
                details: [
                    ("Status", c.status), ("Referred by", c.referredBy), ("How referred", c.source),
                    ("Sender's reference", c.reference), ("Crime reference", c.crimeReference),
                    ("Crime type", c.crimeType), ("Reported", c.reportedOn), ("Received", c.receivedAt),
                    ("Duplicate of", c.duplicateOf), ("Name", c.name), ("Date of birth", c.dateOfBirth),
                    ("Telephone", c.phone), ("E-mail", c.email), ("Address", c.address),
                    ("Contact preferences", c.contactPreferences), ("Language", c.language),
                    ("Interpreter", c.interpreter ? "Yes" : "No"), ("Age band", c.ageBand),
                    ("Enhanced rights", c.enhancedRights.joined(separator: "; ")), ("Consent", c.consent),
                    ("Consent given on", c.consentOn), ("Consent given how", c.consentHow),
                    ("Local authority", c.localAuthority), ("Closed", c.closedAt), ("Why closed", c.closureReason),
                    ("Outcomes", c.outcomes.joined(separator: "; ")),
                    ("Feedback (1–5)", c.feedback.map(String.init) ?? ""),
                ].map { Pair(label: $0.0, value: $0.1) },
                tables: [
                    table(
                        "Contacts", ["When", "How", "Outcome", "Note", "By"],
                        c.contacts.map { [$0.at, $0.channel, $0.outcome, $0.note, $0.by] }),
                    table(
                        "Criminal justice events", ["Event", "When", "Told", "Not applicable because"],
                        c.events.map { [$0.kind, $0.occurredAt, $0.informedAt, $0.notApplicable] }),
                    table(
                        "Needs assessments", ["Version", "When", "Needs", "Risk", "Support plan", "By"],
                        c.assessments.map {
                            [
                                String($0.version), $0.assessedAt, $0.needs.joined(separator: "; "), $0.risk,
                                $0.supportPlan, $0.by,
                            ]
                        }),
                    table(
                        "Onward referrals",
                        ["To", "Service", "Note", "Referred", "Status", "Decided", "Reason declined"],
                        c.onwardReferrals.map {
                            [$0.to, $0.service, $0.note, $0.referredAt, $0.status, $0.decidedAt, $0.declineReason]
                        }),
                    table(
                        "Corrections", ["Detail", "Before", "After", "Why", "When", "By"],
                        c.corrections.map { [$0.field, $0.before, $0.after, $0.reason, $0.at, $0.by] }),
                    table(
                        "Who read this record", ["When", "Who", "Organisation", "What", "Why", "Disclosed to"],
                        c.reads.map { [$0.at, $0.by, $0.organisation, $0.what, $0.purpose, $0.recipient] }),
                ])
        }
    }
}
