import CrimeData
import Foundation
import Vapor

/// The victim service's case work: the queue and case list (no names: references, types,
/// dates), a referral form, a case opened for a stated purpose (and logged), contacts, and
/// for the organisation's admin the read log ("who looked at this case?") and its export.
/// Every case route answers 404 unless the user's organisation holds the case.
struct VictimController: Sendable {
    let store: VictimStore
    var suppression = Suppression(threshold: 5)
    var pdf = PDFRenderer(browser: nil)
    var now: @Sendable () -> Date = { Date() }

    static let listLimit = 500

    /// The signed-in user, if their organisation is a victim service; others are refused.
    func caseWorker(_ req: Request) async throws -> (CurrentUser, VictimStore.Service) {
        let user = try req.signedInUser()
        guard let org = try await store.organisation(user.organisationID, on: req.db),
            org.kind == OrganisationKind.victimService.rawValue
        else {
            throw Abort(
                .forbidden,
                reason: "Victims' cases are held by victim services only; the Commissioner's office sees the figures.")
        }
        return (user, org)
    }

    /// The signed-in user, if an administrator of a victim service; `what` names the page
    /// for the refusal ("The read log is for your organisation's administrators.").
    func admin(_ req: Request, for what: String) async throws -> (CurrentUser, VictimStore.Service) {
        let (user, org) = try await caseWorker(req)
        guard user.role == .partnerAdmin else {
            throw Abort(.forbidden, reason: "\(what) is for your organisation's administrators.")
        }
        return (user, org)
    }

    func caseID(_ req: Request) throws -> Int {
        guard let id = req.parameters.get("case", as: Int.self), id > 0 else {
            throw Abort(.notFound, reason: "There is no such case.")
        }
        return id
    }

    // MARK: The list

    /// Cases a page of the list shows, and clocks the queue shows.
    static let pageSize = 100
    /// How far the list pages (100 × 1,000 = the 100,000 newest cases of a status).
    static let maxPage = 1_000

    @Sendable func index(req: Request) async throws -> Response {
        let (user, org) = try await caseWorker(req)
        let filter = req.query[String.self, at: "status"].flatMap {
            ["open", "closed", "duplicate"].contains($0) ? $0 : nil
        }
        let status = filter ?? "open"
        // Whose cases: everyone's (the default), mine, unassigned, or one case worker's.
        let workers = try await store.caseWorkers(holder: org.id, on: req.db)
        let who = req.query[String.self, at: "worker"] ?? ""
        let assignee: VictimStore.Assignee? =
            switch who {
            case "me": .user(user.id)
            case "unassigned": .unassigned
            default: Int(who).flatMap { id in workers.contains { $0.id == id } ? .user(id) : nil }
            }
        let workerQuery = assignee == nil ? "" : "&worker=\(who == "me" ? "me" : who)"
        let pageNumber = min(max(req.query[Int.self, at: "page"] ?? 1, 1), Self.maxPage)
        let cases = try await store.cases(
            holder: org.id, status: status, assignee: assignee, limit: Self.pageSize + 1,
            offset: (pageNumber - 1) * Self.pageSize, on: req.db)
        let counts = try await store.counts(holder: org.id, assignee: assignee, on: req.db)
        let now = now()
        let tomorrow = CalendarDay(now.addingTimeInterval(86_400))
        let today = CalendarDay(now)
        // The queue's first hundred (a person works down a page; the counts say how many more).
        let queue = try await store.runningClocks(
            holder: org.id, assignee: assignee, now: now, until: tomorrow, limit: Self.pageSize, on: req.db)
        let queued = try await store.queueCounts(
            holder: org.id, assignee: assignee, today: today, tomorrow: tomorrow, on: req.db)
        let shown = cases.prefix(Self.pageSize)
        var page = VictimsPage(
            organisation: org.name, isAdmin: user.role == .partnerAdmin,
            counts: ["open", "closed", "duplicate"].map {
                .init(
                    label: $0.capitalized, count: Format.count(counts[$0] ?? 0),
                    href: SiteURL.victims.with(query: "status=\($0)\(workerQuery)"), current: $0 == status)
            },
            cases: shown.map(Self.row), hasCases: !shown.isEmpty)
        let total = counts[status] ?? 0
        let first = (pageNumber - 1) * Self.pageSize
        page.pageNote =
            shown.isEmpty
            ? "" : "Cases \(Format.count(first + 1)) to \(Format.count(first + shown.count)) of \(Format.count(total))."
        if pageNumber > 1 {
            page.previousHref = SiteURL.victims.with(query: "status=\(status)\(workerQuery)&page=\(pageNumber - 1)")
        }
        if cases.count > Self.pageSize && pageNumber < Self.maxPage {
            page.nextHref = SiteURL.victims.with(query: "status=\(status)\(workerQuery)&page=\(pageNumber + 1)")
        }
        page.hasPrevious = !page.previousHref.isEmpty
        page.hasNext = !page.nextHref.isEmpty
        page.workers =
            [
                SelectOption(value: "", label: "Everyone's cases", selected: assignee == nil),
                SelectOption(value: "me", label: "Assigned to me", selected: who == "me"),
                SelectOption(value: "unassigned", label: "Not assigned", selected: assignee == .unassigned),
            ]
            + workers.map {
                SelectOption(value: String($0.id), label: $0.name, selected: who == String($0.id))
            }
        page.status = status
        page.queue = queue.map {
            .init(
                number: "V\($0.caseID)", href: SiteURL.victimCase.with(query: "purpose=case-work", $0.caseID),
                what: $0.clock.what, right: $0.clock.rule.right, due: Format.day($0.clock.result.due.description),
                state: Self.clockRow($0.clock).state, stateClass: $0.clock.result.state.rawValue)
        }
        page.hasQueue = !page.queue.isEmpty
        page.queueNote =
            "\(Format.counted(queued.overdue, "clock", "clocks")) overdue; \(Format.counted(queued.due, "clock", "clocks")) due today or tomorrow."
            + (queued.overdue + queued.due > queue.count ? " The first \(Format.count(queue.count)) are listed." : "")
        return try await req.render("victims/index", page)
    }

    static func row(_ c: VictimStore.Summary) -> VictimsPage.CaseRow {
        let enhanced = !c.enhanced.isEmpty
        return .init(
            number: "V\(c.id)", href: SiteURL.victimCase.with(query: "purpose=case-work", c.id),
            crimeReference: c.crimeReference.isEmpty ? "—" : c.crimeReference,
            crimeType: Victims.CrimeType(rawValue: c.crimeType)?.label ?? c.crimeType,
            source: Victims.Source(rawValue: c.source)?.label ?? c.source,
            received: Format.dateTime(c.receivedAt), enhanced: enhanced ? "Enhanced" : "Standard",
            firstContact: c.firstContactAt.map(Format.dateTime) ?? "Not yet", status: c.status.capitalized,
            caseWorker: c.assignedName ?? "—",
            duplicateOf: c.duplicateOf.map { "V\($0)" } ?? "", isDuplicate: c.duplicateOf != nil)
    }

    // MARK: One case

    @Sendable func show(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        guard try await store.holds(id, viewer: user, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such case.")
        }
        let purposeText = req.query[String.self, at: "purpose"] ?? ""
        let justification = (req.query[String.self, at: "justification"] ?? "").trimmingCharacters(
            in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        let purpose = Victims.Purpose(rawValue: purposeText)
        if !purposeText.isEmpty && purpose == nil { errors.append(.init(field: "purpose", message: "Choose a reason")) }
        if purpose == .other && justification.isEmpty {
            errors.append(.init(field: "justification", message: "Say why you are opening this case"))
        }
        if justification.count > 500 {
            errors.append(.init(field: "justification", message: "Keep the reason under 500 characters"))
        }
        guard let purpose, errors.isEmpty else {
            // Ask first: nothing about the victim is shown until a purpose is given.
            return try await req.render(
                "victims/purpose",
                PurposePage(
                    number: "V\(id)", action: SiteURL.victimCase(id),
                    purposes: Victims.Purpose.allCases.map {
                        SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == purposeText)
                    }, justification: justification, errors: errors, hasErrors: !errors.isEmpty),
                status: errors.isEmpty ? .ok : .unprocessableEntity)
        }
        guard
            let c = try await store.openCase(
                id, viewer: user, what: "case", purpose: purpose, justification: justification, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such case.") }
        let contacts = try await store.contacts(ofCase: id, on: req.db)
        let events = try await store.events(ofCase: id, on: req.db)
        let firstContact = contacts.filter { ["made-contact", "declined-support"].contains($0.outcome) }.map(
            \.contactedAt
        )
        .min()
        let clocks = VictimStore.clocks(
            source: c.source, reportedOn: c.reportedOn, receivedAt: c.receivedAt, enhanced: !c.enhanced.isEmpty,
            firstContact: firstContact, firstContactNA: c.firstContactNA, events: events,
            rules: try await store.rules(on: req.db),
            days: try await store.workingDays(on: req.db), now: now())
        var page = casePage(c, contacts: contacts, user: user, req: req)
        page.clocks = clocks.map(Self.clockRow)
        page.hasClocks = !clocks.isEmpty
        // The running clocks a case worker may say do not apply (the police's own referral
        // clock is theirs to answer for, not the service's).
        page.runningClocks = clocks.filter { [.due, .overdue].contains($0.result.state) }.compactMap { k in
            let ref: VictimStore.ClockRef? =
                k.eventID.map { .event($0) } ?? (k.rule.start == "referral-received" ? .firstContact : nil)
            return ref.map {
                SelectOption(value: $0.value, label: "\(k.what) (due \(Format.day(k.result.due.description)))")
            }
        }
        page.hasRunningClocks = !page.runningClocks.isEmpty
        page.notApplicableReasons = Victims.NotApplicable.allCases.map {
            SelectOption(value: $0.rawValue, label: $0.label)
        }
        page.notApplicableAction = SiteURL.victimCaseClockNotApplicable(c.id)
        page.events = events.map { e in
            .init(
                what: VictimStore.EventKind(rawValue: e.kind)?.label ?? e.kind, at: Format.dateTime(e.occurredAt),
                informed: e.informedAt.map(Format.dateTime) ?? "",
                informAction: e.informedAt == nil ? SiteURL.victimCaseEventInformed(c.id, e.id) : "",
                canInform: e.informedAt == nil)
        }
        page.hasEvents = !events.isEmpty
        page.eventKinds = VictimStore.EventKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) }
        page.eventAction = SiteURL.victimCaseEvents(c.id)
        try await support(&page, c, req)
        try await onwardSection(&page, c, req)
        let corrections = try await store.rectifications(ofCase: id, on: req.db)
        page.corrections = corrections.reversed().map {
            .init(
                field: Self.detailLabel($0.field), before: $0.before.isEmpty ? "(none)" : $0.before,
                after: $0.after.isEmpty ? "(none)" : $0.after, reason: $0.reason, at: Format.dateTime($0.madeAt),
                by: $0.userName)
        }
        page.hasCorrections = !corrections.isEmpty
        page.correctAction = SiteURL.victimCaseRectify(c.id)
        let assigned = try await store.assignee(ofCase: c.id, on: req.db)
        page.caseWorker = assigned?.name ?? "Not assigned"
        page.caseWorkers =
            [SelectOption(value: "", label: "No one", selected: assigned == nil)]
            + (try await store.caseWorkers(holder: c.holderId, on: req.db)).map {
                SelectOption(value: String($0.id), label: $0.name, selected: $0.id == assigned?.id)
            }
        page.assignAction = SiteURL.victimCaseAssign(c.id)
        page.correctFields = ReferralDraft.details.map {
            SelectOption(value: $0.field, label: Self.detailLabel($0.field))
        }
        return try await req.render("victims/case", page)
    }

    /// A clock in words: what, the right, when it started, when due, and its state.
    static func clockRow(_ k: VictimStore.Clock) -> CasePage.ClockRow {
        let r = k.result
        let days = { (n: Int) in Format.counted(n, "working day", "working days") }
        let state: String =
            switch r.state {
            case .met: "Met \(k.stop.map { Format.dateTime($0.stored) } ?? "")"
            case .missed: "Missed by \(days(r.lateBy)) (\(k.stop.map { Format.dateTime($0.stored) } ?? ""))"
            case .due: r.left == 0 ? "Due today" : "Due, \(days(r.left)) left"
            case .overdue: "Overdue by \(days(r.lateBy))"
            case .notApplicable: "Not applicable: \((k.notApplicable ?? .notEligible).label.lowercased())"
            }
        return .init(
            what: k.what, right: "\(k.rule.right): \(k.rule.title)", citation: k.rule.citation,
            started: Format.dateTime(k.start.stored), due: Format.day(r.due.description), state: state,
            stateClass: r.state.rawValue)
    }

    func casePage(_ c: VictimStore.Case, contacts: [VictimStore.Contact], user: CurrentUser, req: Request)
        -> CasePage
    {
        var facts: [RankingPage.Pair] = [
            .init(label: "Case", value: "V\(c.id)"),
            .init(label: "Referred by", value: c.referredBy.map { "\($0) (\(c.source.label))" } ?? c.source.label),
            .init(label: "Received", value: Format.dateTime(c.receivedAt)),
            .init(label: "Crime", value: c.crimeType.label),
            .init(label: "Crime reference", value: c.crimeReference.isEmpty ? "None given" : c.crimeReference),
            .init(label: "Reported to the police", value: Format.day(c.reportedOn)),
            .init(label: "Age", value: c.ageBand.label),
            .init(
                label: "Enhanced rights",
                value: c.enhanced.isEmpty
                    ? "No (standard rights)" : c.enhanced.map(\.label).sorted().joined(separator: "; ")),
            .init(
                label: "Consent to referral",
                value: c.explicitConsent
                    ? "Explicit, \(c.consentOn.map(Format.day) ?? "date not given"), \(c.consentHow.flatMap { Victims.ConsentHow(rawValue: $0)?.label.lowercased() } ?? "")"
                    : "Referred as the victim did not decline"),
            .init(label: "Status", value: c.status.capitalized),
        ]
        if !c.reference.isEmpty { facts.insert(.init(label: "Sender's reference", value: c.reference), at: 2) }
        if let d = c.duplicateOf { facts.append(.init(label: "Duplicate of", value: "V\(d)")) }
        var person: [RankingPage.Pair] = [.init(label: "Name", value: c.name)]
        if !c.dateOfBirth.isEmpty { person.append(.init(label: "Date of birth", value: Format.day(c.dateOfBirth))) }
        if !c.phone.isEmpty { person.append(.init(label: "Telephone", value: c.phone)) }
        if !c.email.isEmpty { person.append(.init(label: "E-mail", value: c.email)) }
        if !c.address.isEmpty { person.append(.init(label: "Address", value: c.address)) }
        person.append(
            .init(
                label: "How and when to contact", value: c.preferences.isEmpty ? "No preference given" : c.preferences))
        person.append(
            .init(label: "Language", value: c.language + (c.interpreter ? " (needs an interpreter)" : "")))
        return CasePage(
            title: "Case V\(c.id)", number: "V\(c.id)", facts: facts, person: person,
            contacts: contacts.map {
                .init(
                    at: Format.dateTime($0.contactedAt),
                    channel: Victims.ContactChannel(rawValue: $0.channel)?.label ?? $0.channel,
                    outcome: VictimStore.outcomeLabel($0.outcome), note: $0.note, by: $0.userName)
            }, hasContacts: !contacts.isEmpty,
            channels: Victims.ContactChannel.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            outcomes: VictimStore.contactOutcomes.map { SelectOption(value: $0, label: VictimStore.outcomeLabel($0)) },
            contactAction: SiteURL.victimCaseContacts(c.id), csrf: req.csrfToken,
            readsHref: user.role == .partnerAdmin ? SiteURL.victimCaseReads(c.id) : "",
            canReadLog: user.role == .partnerAdmin)
    }

    @Sendable func addContact(req: Request) async throws -> Response {
        let (user, _) = try await caseWorker(req)
        let id = try caseID(req)
        struct Form: Decodable { var channel: String?; var outcome: String?; var note: String? }
        let f = try req.content.decode(Form.self)
        let note = (f.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let channel = Victims.ContactChannel(rawValue: f.channel ?? ""),
            VictimStore.contactOutcomes.contains(f.outcome ?? ""), note.count <= 2_000
        else {
            throw Abort(
                .unprocessableEntity,
                reason: "Choose how you made contact and what happened; keep the note under 2,000 characters.")
        }
        guard
            try await store.addContact(
                toCase: id, at: now(), channel: channel, outcome: f.outcome ?? "", note: note, viewer: user, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such case.") }
        return req.redirect(to: SiteURL.victimCase.with(query: "purpose=case-work", id) + "#contacts")
    }

    // MARK: The read log

    @Sendable func caseReads(req: Request) async throws -> Response {
        let (user, org) = try await admin(req, for: "The read log")
        let id = try caseID(req)
        guard try await store.holds(id, viewer: user, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such case.")
        }
        let reads = try await store.reads(ofCase: id, holder: org.id, on: req.db)
        return try await req.render(
            "victims/reads",
            ReadsPage(
                title: "Who looked at case V\(id)", number: "V\(id)",
                caseHref: SiteURL.victimCase.with(query: "purpose=supervision", id),
                reads: reads.map(Self.readRow), hasReads: !reads.isEmpty, csvHref: SiteURL.victimReadsCSV()))
    }

    static func readRow(_ r: VictimStore.Read) -> ReadsPage.Row {
        .init(
            at: Format.dateTime(r.readAt), who: r.userName, organisation: r.organisationName ?? "",
            what: r.what, purpose: Victims.Purpose(rawValue: r.purpose)?.label ?? r.purpose,
            justification: r.justification, recipient: r.recipient)
    }

    /// The organisation's whole read log as CSV, for the Information Commissioner.
    @Sendable func readsCSV(req: Request) async throws -> Response {
        let (_, org) = try await admin(req, for: "The read log")
        var out = CSVWriter.record([
            "read_id", "case", "read_at", "user", "organisation", "what", "purpose", "justification", "recipient",
        ])
        var after = 0
        while true {
            let page = try await store.reads(holder: org.id, after: after, limit: 5_000, on: req.db)
            for r in page {
                out += CSVWriter.record([
                    String(r.id), "V\(r.caseId)", r.readAt, r.userName, r.organisationName ?? "", r.what, r.purpose,
                    r.justification, r.recipient,
                ])
            }
            guard let last = page.last, page.count == 5_000 else { break }
            after = last.id
        }
        return download(out, type: "text/csv; charset=utf-8", name: "read-log-\(org.slug).csv")
    }
}
