import Foundation
import Fluent
import Vapor

/// Restorative justice journeys, for the RJ service that holds them (`/restorative-justice`):
/// its journeys (no one named in the list), an offender-side referral form, and a journey's
/// page with its stages and the next step. Every route answers 404 for a journey another
/// organisation holds; opening a victim-side journey is logged in the victim's case read log.
extension VictimController {
    func journeyID(_ req: Request) throws -> Int {
        guard let id = req.parameters.get("journey", as: Int.self), id > 0 else {
            throw Abort(.notFound, reason: "There is no such journey.")
        }
        return id
    }

    /// Whether `user`'s organisation may record offender-side referrals: a commissioned
    /// specialist service (or a victim service), or one already holding journeys.
    func takesJourneys(_ user: CurrentUser, on db: any Database) async throws -> Bool {
        if try await store.specialistServices(except: 0, on: db).contains(where: { $0.id == user.organisationID }) {
            return true
        }
        return try await !store.journeyCounts(holder: user.organisationID, on: db).isEmpty
    }

    @Sendable func journeys(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        return try await req.render(
            "victims/journeys", try await journeysPage(user, form: .init(), errors: [], req: req))
    }

    struct JourneyForm: Content {
        var referrer: String?
        var crimeType: String?
        var crimeReference: String?
        var referredOn: String?
        var parties: String?
    }

    func journeysPage(_ user: CurrentUser, form: JourneyForm, errors: [FieldError], req: Request) async throws
        -> JourneysPage
    {
        let status = req.query[String.self, at: "status"] == "closed" ? "closed" : "open"
        let rows = try await store.journeys(
            holder: user.organisationID, status: status, limit: Self.listLimit, on: req.db)
        let counts = try await store.journeyCounts(holder: user.organisationID, on: req.db)
        return JourneysPage(
            counts: ["open", "closed"].map {
                .init(
                    label: $0.capitalized, count: Format.count(counts[$0] ?? 0),
                    href: SiteURL.rjJourneys.with(query: "status=\($0)"), current: $0 == status)
            },
            rows: rows.map {
                .init(
                    number: "J\($0.id)", href: SiteURL.rjJourney($0.id),
                    side: $0.side == "offender" ? "Offender" : "Victim",
                    crimeType: Victims.CrimeType(rawValue: $0.crimeType)?.label ?? $0.crimeType,
                    referred: Format.day($0.referredOn), stage: $0.stage)
            }, hasRows: !rows.isEmpty, limited: rows.count == Self.listLimit,
            canRecord: try await takesJourneys(user, on: req.db), action: SiteURL.rjJourneys(), csrf: req.csrfToken,
            referrers: RestorativeJustice.Referrer.allCases.map {
                SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.referrer)
            },
            crimeTypes: Victims.CrimeType.allCases.map {
                SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.crimeType)
            },
            crimeReference: form.crimeReference ?? "", referredOn: form.referredOn ?? "", parties: form.parties ?? "",
            errors: errors, hasErrors: !errors.isEmpty)
    }

    @Sendable func createJourney(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        guard try await takesJourneys(user, on: req.db) else {
            // As with victims' pages elsewhere: nothing here for an organisation that is not one.
            throw Abort(.notFound, reason: "Restorative justice referrals are recorded by the RJ service.")
        }
        let form = try req.content.decode(JourneyForm.self)
        var errors: [FieldError] = []
        let referrer = RestorativeJustice.Referrer(rawValue: form.referrer ?? "")
        if referrer == nil { errors.append(.init(field: "referrer", message: "Choose who referred the offender")) }
        let crime = Victims.CrimeType(rawValue: form.crimeType ?? "")
        if crime == nil { errors.append(.init(field: "crime_type", message: "Choose the crime")) }
        let reference = (form.crimeReference ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if reference.count > 40 {
            errors.append(.init(field: "crime_reference", message: "Keep the crime reference to 40 characters"))
        }
        let day = CalendarDay((form.referredOn ?? "").trimmingCharacters(in: .whitespaces))
        if day == nil {
            errors.append(.init(field: "referred_on", message: "Give the date of the referral as YYYY-MM-DD"))
        } else if let day, day > CalendarDay(now()) {
            errors.append(.init(field: "referred_on", message: "The date of the referral is in the future"))
        }
        let parties = (form.parties ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if parties.count > 2_000 {
            errors.append(.init(field: "parties", message: "Keep the parties' details under 2,000 characters"))
        }
        guard errors.isEmpty, let referrer, let crime, let day else {
            return try await req.render(
                "victims/journeys", try await journeysPage(user, form: form, errors: errors, req: req),
                status: .unprocessableEntity)
        }
        let id = try await store.createJourney(
            referrer: referrer, crimeType: crime, crimeReference: reference, referredOn: day, parties: parties,
            viewer: user, on: req.db)
        return req.redirect(to: SiteURL.rjJourney(id), redirectType: .normal)
    }

    struct StepForm: Content {
        var what: String?
        var occurredOn: String?
        var note: String?
    }

    @Sendable func journey(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        return try await renderJourney(try journeyID(req), user: user, form: .init(), errors: [], req: req)
    }

    func renderJourney(_ id: Int, user: CurrentUser, form: StepForm, errors: [FieldError], req: Request)
        async throws -> Response
    {
        let justification = String((req.query[String.self, at: "justification"] ?? "").prefix(500))
        guard
            let (j, steps) = try await store.openJourney(
                id, viewer: user, purpose: .restorativeJustice, justification: justification, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such journey.") }
        let done = steps.map { RestorativeJustice.Recorded(step: $0.step, result: $0.result) }
        var facts: [RankingPage.Pair] = [
            .init(label: "Journey", value: "J\(j.id)"),
            .init(label: "Referred from", value: j.side.label),
            .init(
                label: "Referred by",
                value: j.side == .offender
                    ? (RestorativeJustice.Referrer(rawValue: j.referrer)?.label ?? j.referrer)
                    : "\(j.referrer) (onward referral R\(j.onwardId ?? 0))"),
            .init(label: "Referred on", value: Format.day(j.referredOn)),
            .init(label: "Crime", value: j.crimeType.label),
        ]
        if !j.crimeReference.isEmpty { facts.append(.init(label: "Crime reference", value: j.crimeReference)) }
        if !j.parties.isEmpty { facts.append(.init(label: "The parties and how to reach them", value: j.parties)) }
        facts.append(.init(label: "Stage", value: j.stage.isEmpty ? "Referred" : j.stage))
        // What may be recorded next: each result of each stage the rules allow now.
        let next = RestorativeJustice.Step.allCases.compactMap { step -> JourneyPage.Group? in
            let options = step.results.filter {
                RestorativeJustice.problem(adding: step, result: $0.code, after: done) == nil
            }
            guard !options.isEmpty else { return nil }
            return .init(
                label: step.short,
                options: options.map {
                    let value = "\(step.rawValue):\($0.code)"
                    return SelectOption(value: value, label: $0.label, selected: value == form.what)
                })
        }
        let page = JourneyPage(
            title: "Restorative justice journey J\(j.id)", facts: facts,
            steps: steps.map {
                .init(
                    on: Format.day($0.occurredOn), stage: $0.step.short, result: $0.step.label(ofResult: $0.result),
                    note: $0.note, by: $0.userName)
            }, hasSteps: !steps.isEmpty, open: j.status == "open" && !next.isEmpty, next: next,
            action: SiteURL.rjJourneySteps(j.id), csrf: req.csrfToken,
            occurredOn: form.occurredOn ?? CalendarDay(now()).description, note: form.note ?? "",
            errors: errors, hasErrors: !errors.isEmpty)
        return try await req.render(
            "victims/journey", page, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func addJourneyStep(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let id = try journeyID(req)
        let form = try req.content.decode(StepForm.self)
        let parts = (form.what ?? "").split(separator: ":", maxSplits: 1).map(String.init)
        let step = parts.first.flatMap(RestorativeJustice.Step.init(rawValue:))
        let result = parts.count == 2 ? parts[1] : ""
        let day = CalendarDay((form.occurredOn ?? "").trimmingCharacters(in: .whitespaces))
        let note = (form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if step == nil { errors.append(.init(field: "what", message: "Choose what happened")) }
        if day == nil { errors.append(.init(field: "occurred_on", message: "Give the date as YYYY-MM-DD")) }
        if note.count > 4_000 { errors.append(.init(field: "note", message: "Keep the note under 4,000 characters")) }
        if errors.isEmpty, let step, let day {
            switch try await store.addStep(
                id, step: step, result: result, on: day, note: note, viewer: user, on: req.db)
            {
            case .recorded: return req.redirect(to: SiteURL.rjJourney(id) + "#stages", redirectType: .normal)
            case .notFound: throw Abort(.notFound, reason: "There is no such journey.")
            case .refused(let why): errors.append(.init(field: "what", message: why))
            }
        }
        return try await renderJourney(id, user: user, form: form, errors: errors, req: req)
    }
}

struct JourneysPage: Encodable {
    struct Row: Encodable {
        var number: String
        var href: String
        var side: String
        var crimeType: String
        var referred: String
        var stage: String
    }
    var title = "Restorative justice"
    var counts: [VictimsPage.Count]
    var rows: [Row]
    var hasRows: Bool
    var limited: Bool
    var canRecord: Bool
    var action: String
    var csrf: String
    var referrers: [SelectOption]
    var crimeTypes: [SelectOption]
    var crimeReference: String
    var referredOn: String
    var parties: String
    var errors: [FieldError]
    var hasErrors: Bool
}

struct JourneyPage: Encodable {
    struct Step: Encodable {
        var on: String
        var stage: String
        var result: String
        var note: String
        var by: String
    }
    struct Group: Encodable {
        var label: String
        var options: [SelectOption]
    }
    var title: String
    var facts: [RankingPage.Pair]
    var steps: [Step]
    var hasSteps: Bool
    var open: Bool
    var next: [Group]
    var action: String
    var csrf: String
    var occurredOn: String
    var note: String
    var errors: [FieldError]
    var hasErrors: Bool
    var listHref = SiteURL.rjJourneys()
}
