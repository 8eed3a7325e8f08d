import CrimeData
import Fluent
import Foundation
import Vapor

/// Referrals in: the police's daily batch as JSON (an organisation token of a police force;
/// idempotent on the force's reference; all or nothing, a 422 naming record and field), and
/// a form for a case worker taking a self-referral or another agency's referral.
///
///     POST /api/v1/victim-referrals  {"service": "norfolk-victim-care", "referrals": [{"reference": "NC-2026-000123",
///       "crime_reference": "36/12345/26", "crime_type": "burglary", "reported_on": "2026-11-30", "name": "…",
///       "phone": "…", "age_band": "35-49", "enhanced": ["intimidated"], "consent": "not-declined"}]}
extension VictimController {
    static let maxBatch = 10_000

    struct ReferralIn: Decodable, Sendable {
        var reference: String?
        var crimeReference: String?
        var crimeType: String?
        var reportedOn: String?
        var name: String?
        var dateOfBirth: String?
        var phone: String?
        var email: String?
        var address: String?
        var contactPreferences: String?
        var language: String?
        var interpreter: ActivityAPIController.Scalar?
        var ageBand: String?
        var enhanced: [String]?
        var consent: String?
        var consentOn: String?
        var consentHow: String?
        var localAuthority: String?

        /// The API's snake_case names spelled out: the decoder's key conversion was a tenth of
        /// a 5,000-referral batch's time.
        enum CodingKeys: String, CodingKey {
            case reference, name, phone, email, address, language, interpreter, enhanced, consent
            case crimeReference = "crime_reference", crimeType = "crime_type", reportedOn = "reported_on"
            case dateOfBirth = "date_of_birth", contactPreferences = "contact_preferences", ageBand = "age_band"
            case consentOn = "consent_on", consentHow = "consent_how", localAuthority = "local_authority"
        }

        var draft: ReferralDraft {
            ReferralDraft(
                reference: reference ?? "", crimeReference: crimeReference ?? "", crimeType: crimeType ?? "",
                reportedOn: reportedOn ?? "", name: name ?? "", dateOfBirth: dateOfBirth ?? "", phone: phone ?? "",
                email: email ?? "", address: address ?? "", contactPreferences: contactPreferences ?? "",
                language: language ?? "", interpreter: interpreter?.text ?? "", ageBand: ageBand ?? "",
                enhanced: enhanced ?? [], consent: consent ?? "", consentOn: consentOn ?? "",
                consentHow: consentHow ?? "", localAuthority: localAuthority ?? "")
        }
    }

    struct Batch: Decodable, Sendable {
        var service: String?
        var referrals: [ReferralIn]
    }

    struct Saved: Content {
        var created: Int
        var duplicates: Int
        var unchanged: Int
        var service: String
    }

    @Sendable func receiveBatch(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let batch = try APIJSON.batch(
            Batch.self, from: req, example: "{\"referrals\": [ … ]}")
        guard !batch.referrals.isEmpty else {
            throw Abort(.badRequest, reason: "The referrals list is empty. Nothing was saved.")
        }
        guard batch.referrals.count <= Self.maxBatch else {
            throw Abort(
                .payloadTooLarge, reason: "Send at most \(Self.maxBatch) referrals at a time. Nothing was saved.")
        }
        guard user.organisationKind == .police,
            let sender = try await store.organisation(user.organisationID, on: req.db)
        else {
            throw Abort(
                .forbidden, reason: "Referrals in a batch come from a police force's system. Nothing was saved.")
        }
        let service = try await receivingService(batch.service, on: req.db)
        let today = CalendarDay(now())
        let authorities = try await store.localAuthorities(on: req.db)
        var checked: [ReferralDraft.Referral] = []
        var errors: [APIRecordError] = []
        var references = Set<String>()
        // Checked on every core; the problems are then reported in the batch's order.
        let outcomes = try await concurrentMap(batch.referrals) {
            $0.draft.check(today: today, localAuthorities: authorities, needsReference: true)
        }
        for (k, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let c):
                if !references.insert(c.reference).inserted {
                    errors.append(.init(record: k + 1, field: "reference", message: "is used twice in this batch"))
                } else {
                    checked.append(c)
                }
            case .failure(let e):
                errors += e.errors.map { APIRecordError(record: k + 1, field: $0.field, message: $0.message) }
            }
        }
        guard errors.isEmpty else {
            return try APIJSON.response(APIRefusal(problems: errors), status: .unprocessableEntity, problem: true)
        }
        let received = try await store.receive(
            checked, holder: service.id, referredBy: sender.id, source: .police, by: user, on: req.db)
        return try APIJSON.response(
            Saved(
                created: received.created, duplicates: received.duplicates, unchanged: received.unchanged,
                service: service.name), status: received.created + received.duplicates > 0 ? .created : .ok)
    }

    /// The victim service a batch goes to: the one named by slug, or the only one there is.
    func receivingService(_ slug: String?, on db: any Database) async throws -> VictimStore.Service {
        let services = try await store.services(on: db)
        if let slug, !slug.isEmpty {
            guard let s = services.first(where: { $0.slug == slug }) else {
                throw Abort(
                    .unprocessableEntity,
                    reason:
                        "service: “\(slug.prefix(60))” is not a victim service here (\(services.map(\.slug).joined(separator: ", "))). Nothing was saved."
                )
            }
            return s
        }
        guard services.count == 1, let only = services.first else {
            throw Abort(
                .unprocessableEntity,
                reason: services.isEmpty
                    ? "No victim service is set up to receive referrals. Nothing was saved."
                    : "Name the victim service: \"service\": one of \(services.map(\.slug).joined(separator: ", ")). Nothing was saved."
            )
        }
        return only
    }

    // MARK: The form

    @Sendable func newReferral(req: Request) async throws -> Response {
        _ = try await caseWorker(req)
        return try await referralForm(req, ReferralForm(), errors: [], status: .ok)
    }

    struct ReferralForm: Codable, Sendable {
        var source = "self"
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

        init() {}

        /// Every field may be missing from a posted form (an unticked box sends nothing).
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func text(_ key: CodingKeys) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? "" }
            source = try text(.source)
            crimeReference = try text(.crimeReference)
            crimeType = try text(.crimeType)
            reportedOn = try text(.reportedOn)
            name = try text(.name)
            dateOfBirth = try text(.dateOfBirth)
            phone = try text(.phone)
            email = try text(.email)
            address = try text(.address)
            contactPreferences = try text(.contactPreferences)
            language = try text(.language)
            interpreter = try text(.interpreter)
            ageBand = try text(.ageBand)
            enhanced = try c.decodeIfPresent([String].self, forKey: .enhanced) ?? []
            consent = try text(.consent)
            consentOn = try text(.consentOn)
            consentHow = try text(.consentHow)
        }
    }

    func referralForm(_ req: Request, _ form: ReferralForm, errors: [FieldError], status: HTTPStatus) async throws
        -> Response
    {
        let chosen = Set(form.enhanced)
        return try await req.render(
            "victims/referral",
            ReferralPage(
                form: form, action: SiteURL.victimReferrals(), csrf: req.csrfToken,
                sources: [Victims.Source.selfReferral, .agency].map {
                    SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.source)
                },
                crimeTypes: Victims.CrimeType.allCases.map {
                    SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.crimeType)
                },
                ageBands: Victims.AgeBand.allCases.map {
                    SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.ageBand)
                },
                enhanced: Victims.Enhanced.allCases.filter { $0 != .mostSerious && $0 != .under18 }.map {
                    SelectOption(value: $0.rawValue, label: $0.label, selected: chosen.contains($0.rawValue))
                },
                consents: [
                    ("explicit", "The victim gave explicit consent"), ("not-declined", "The victim did not decline"),
                ]
                .map { SelectOption(value: $0.0, label: $0.1, selected: $0.0 == form.consent) },
                consentHows: Victims.ConsentHow.allCases.map {
                    SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.consentHow)
                }, errors: errors, hasErrors: !errors.isEmpty), status: status)
    }

    @Sendable func createReferral(req: Request) async throws -> Response {
        let (user, org) = try await caseWorker(req)
        let form = try req.content.decode(ReferralForm.self)
        let source = Victims.Source(rawValue: form.source)
        let draft = ReferralDraft(
            crimeReference: form.crimeReference, crimeType: form.crimeType, reportedOn: form.reportedOn,
            name: form.name,
            dateOfBirth: form.dateOfBirth, phone: form.phone, email: form.email, address: form.address,
            contactPreferences: form.contactPreferences, language: form.language, interpreter: form.interpreter,
            ageBand: form.ageBand, enhanced: form.enhanced, consent: form.consent, consentOn: form.consentOn,
            consentHow: form.consentHow)
        let today = CalendarDay(now())
        var result = draft.check(today: today, localAuthorities: [], needsReference: false)
        if source == nil || source == .police {
            var errors = (try? result.get()).map { _ in [FieldError]() } ?? []
            if case .failure(let e) = result { errors = e.errors }
            errors.insert(.init(field: "source", message: "Choose who made the referral"), at: 0)
            result = .failure(FieldErrors(errors: errors))
        }
        switch result {
        case .failure(let e):
            return try await referralForm(req, form, errors: e.errors, status: .unprocessableEntity)
        case .success(let referral):
            _ = try await store.receive(
                [referral], holder: org.id, referredBy: nil, source: source ?? .agency, by: user, on: req.db)
            return req.redirect(to: SiteURL.victims())
        }
    }
}

/// The police's referrals as a CSV file, uploaded by a police force's people for a victim
/// service: checked whole (every problem by line and column, nothing stored if any), safe to
/// upload again (the force's references already stored are skipped), duplicates linked.
extension VictimController {
    struct UploadPage: Encodable {
        struct RowError: Encodable { var line: Int; var field: String; var message: String }
        var title = "Send victims' referrals as a file"
        var csrf: String
        var services: [SelectOption]
        var columns: String
        var errors: [RowError]
        var hasErrors: Bool
        var problem: String
        var hasProblem: Bool
        var saved: String
        var hasSaved: Bool
    }

    struct ReferralUpload: Content {
        var service: String?
        var file: File?
    }

    /// The signed-in user, if one of a police force's people; 404 for anyone else.
    func policeSender(_ req: Request) throws -> CurrentUser {
        let user = try req.signedInUser()
        guard user.organisationKind == .police else {
            throw Abort(.notFound, reason: "Referrals are sent by a police force's people.")
        }
        return user
    }

    func uploadPage(_ req: Request, problem: String, errors: [UploadPage.RowError], saved: String, service: String?)
        async throws -> UploadPage
    {
        UploadPage(
            csrf: req.csrfToken,
            services: try await store.services(on: req.db).map {
                SelectOption(value: $0.slug, label: $0.name, selected: $0.slug == service)
            }, columns: ReferralCSV.columns.joined(separator: ", "), errors: Array(errors.prefix(500)),
            hasErrors: !errors.isEmpty, problem: problem, hasProblem: !problem.isEmpty, saved: saved,
            hasSaved: !saved.isEmpty)
    }

    @Sendable func uploadForm(req: Request) async throws -> Response {
        _ = try policeSender(req)
        let saved = req.query[String.self, at: "saved"].map { String($0.prefix(200)) } ?? ""
        return try await req.render(
            "victims/upload", try await uploadPage(req, problem: "", errors: [], saved: saved, service: nil))
    }

    @Sendable func uploadTemplate(req: Request) async throws -> Response {
        _ = try policeSender(req)
        let res = Response(status: .ok, body: .init(string: ReferralCSV.template))
        res.headers.contentType = .init(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        res.headers.contentDisposition = .init(.attachment, filename: "victim-referrals-template.csv")
        return res
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let user = try policeSender(req)
        let form = try req.content.decode(ReferralUpload.self)
        func refuse(_ problem: String, _ errors: [UploadPage.RowError] = []) async throws -> Response {
            try await req.render(
                "victims/upload",
                try await uploadPage(req, problem: problem, errors: errors, saved: "", service: form.service),
                status: .unprocessableEntity)
        }
        guard let sender = try await store.organisation(user.organisationID, on: req.db) else {
            throw Abort(.notFound, reason: "Referrals are sent by a police force's people.")
        }
        let service: VictimStore.Service
        do { service = try await receivingService(form.service, on: req.db) } catch let e as Abort {
            return try await refuse(e.reason)
        }
        guard let file = form.file, file.data.readableBytes > 0 else {
            return try await refuse("Choose a CSV file to upload. Nothing was saved.")
        }
        let name = String(file.filename.prefix(100))
        let bytes = Array(file.data.readableBytesView)
        let today = CalendarDay(now())
        let authorities = try await store.localAuthorities(on: req.db)
        // Up to 10,000 rows checked on the heavy-work thread, never a request thread.
        let parsed = try await req.application.heavyWork.run {
            ReferralCSV.read(bytes, today: today, localAuthorities: authorities)
        }
        switch parsed {
        case .failure(.refused(let message)):
            return try await refuse("\(name): \(message). Nothing was saved.")
        case .failure(.rows(let errors)):
            return try await refuse(
                "\(name): \(Format.counted(errors.count, "problem", "problems")) in the file. Nothing was saved; correct the rows and upload the whole file again.",
                errors.map { .init(line: $0.line, field: $0.field, message: $0.message) })
        case .success(let referrals):
            let r = try await store.receive(
                referrals, holder: service.id, referredBy: sender.id, source: .police, by: user, on: req.db)
            let saved =
                "\(name): \(Format.counted(r.created, "referral", "referrals")) sent to \(service.name); "
                + "\(Format.counted(r.duplicates, "duplicate", "duplicates")) linked; "
                + "\(Format.count(r.unchanged)) sent before and skipped."
            return req.redirect(
                to: SiteURL.victimReferralUpload.with(
                    query: "saved=" + Self.queryValue(saved)),
                redirectType: .normal)
        }
    }
}
