import Foundation
import Vapor

/// The boards that hold the Chief Constable to account and the themes' partnership boards:
/// the list (with the questions and actions waiting on the user's organisation), a board's
/// page (members, meetings, action plan) and the changes to them. OPCC staff see and run
/// every board; anyone else sees only the boards their organisation sits on, and what they
/// may not see is answered as not found.
struct BoardController: Sendable {
    let store: BoardStore
    let plan: PlanService
    let pdf: PDFRenderer
    var today: @Sendable () -> CalendarDay = { CalendarDay(Date()) }

    // MARK: Finding what was asked for, within the viewer's boundary

    struct Context {
        var board: BoardStore.Board
        var members: [BoardStore.Member]
        var viewer: BoardViewer
        var user: CurrentUser
        var memberIDs: Set<Int> { Set(members.map(\.id)) }
    }

    func context(_ req: Request) async throws -> Context {
        guard let user = req.currentUser else { throw Abort(.unauthorized, reason: "Sign in to use this.") }
        let slug = req.parameters.get("board") ?? ""
        let viewer = BoardViewer(user)
        guard let board = try await store.board(slug: slug, on: req.db) else {
            throw Abort(.notFound, reason: "There is no board “\(slug.prefix(80))”, or it is not shared with you.")
        }
        let members = try await store.members(on: req.db)[board.id] ?? []
        guard viewer.sees(board, members: members) else {
            throw Abort(.notFound, reason: "There is no board “\(slug.prefix(80))”, or it is not shared with you.")
        }
        return Context(board: board, members: members, viewer: viewer, user: user)
    }

    func requireOPCC(_ c: Context) throws {
        guard c.viewer.isOPCC else { throw Abort(.forbidden, reason: "Only OPCC staff can change a board.") }
    }

    // MARK: The list

    @Sendable func index(req: Request) async throws -> Response {
        try await indexPage(req, errors: [], status: .ok)
    }

    private func indexPage(_ req: Request, errors: [FieldError], status: HTTPStatus) async throws -> Response {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let viewer = BoardViewer(user)
        let members = try await store.members(on: req.db)
        let boards = try await store.boards(on: req.db).filter { viewer.sees($0, members: members[$0.id] ?? []) }
        let today = today()
        var rows: [BoardsPage.BoardRow] = []
        let themes = try await themeTitles(req)
        for b in boards {
            let meetings = try await store.meetings(of: b, on: req.db)
            let next = meetings.filter { (CalendarDay($0.heldOn) ?? today) >= today }.last
            let items = try await store.itemsByID(of: b, on: req.db)
            let actions = try await store.actions(of: b, on: req.db).filter { viewer.sees($0, items: items) }
            rows.append(
                .init(
                    name: b.name, href: SiteURL.board(b.slug), kind: b.kind.label, theme: themes[b.themeSlug] ?? "",
                    next: next.map { Format.day($0.heldOn) } ?? "None scheduled",
                    openActions: actions.filter { $0.status != .done }.count,
                    overdue: actions.filter { urgency($0, today) == .overdue }.count))
        }
        var questions: [QuestionRow] = []
        var actions: [ActionRow] = []
        if !viewer.isOPCC {
            for q in try await store.unanswered(addressedTo: user.organisationID, on: req.db) {
                guard let (b, m) = try await meetingOf(q, req) else { continue }
                questions.append(questionRow(q, board: b, meeting: m, item: nil, viewer: viewer))
            }
            for a in try await store.openActions(ownedBy: user.organisationID, on: req.db) {
                guard let b = try await store.board(id: a.boardId, on: req.db) else { continue }
                actions.append(actionRow(a, board: b, updates: [], viewer: viewer, today: today))
            }
        }
        let organisations = try await organisationOptions(req)
        let page = BoardsPage(
            boards: rows, hasBoards: !rows.isEmpty, questions: questions, hasQuestions: !questions.isEmpty,
            actions: actions, hasActions: !actions.isEmpty, isOPCC: viewer.isOPCC, canCreate: viewer.isOPCC,
            csrf: req.csrfToken,
            kindOptions: BoardKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            themeOptions: [SelectOption(value: "", label: "None")]
                + themes.sorted { $0.value < $1.value }.map { SelectOption(value: $0.key, label: $0.value) },
            organisationOptions: organisations, errors: errors, hasErrors: !errors.isEmpty)
        return try await req.render("boards/index", page, status: status)
    }

    struct BoardForm: Decodable {
        var name: String?
        var slug: String?
        var kind: String?
        var themeSlug: String?
        var purpose: String?
        var chair: String?
        var answeringOrganisationID: Int?
        var members: [Int]?
    }

    @Sendable func create(req: Request) async throws -> Response {
        let f = try req.content.decode(BoardForm.self)
        let draft = BoardDrafts.BoardDraft(
            name: f.name ?? "", slug: f.slug.flatMap { $0.isEmpty ? nil : $0 } ?? Slug.make(f.name ?? ""),
            kind: f.kind ?? "", themeSlug: f.themeSlug ?? "", purpose: f.purpose ?? "", chair: f.chair ?? "",
            answeringOrganisationID: f.answeringOrganisationID)
        do {
            let b = try await store.create(draft, members: f.members ?? [], by: req.currentUser, on: req.db)
            return req.redirect(to: SiteURL.board(b.slug))
        } catch BoardStore.Problem.invalid(let errors) {
            return try await indexPage(req, errors: errors, status: .unprocessableEntity)
        }
    }

    // MARK: A board

    @Sendable func show(req: Request) async throws -> Response {
        try await boardPage(req, context(req), errors: [], status: .ok)
    }

    func boardPage(_ req: Request, _ c: Context, errors: [FieldError], status: HTTPStatus) async throws -> Response {
        let today = today()
        let b = c.board
        let meetings = try await store.meetings(of: b, on: req.db)
        let items = try await store.itemsByID(of: b, on: req.db)
        let updates = try await store.updates(of: b, on: req.db)
        let actions = try await store.actions(of: b, on: req.db).filter { c.viewer.sees($0, items: items) }
        let themes = try await themeTitles(req)
        let answering = c.members.first { $0.id == b.answeringOrganisationId }?.name ?? ""
        let page = BoardPage(
            title: b.name, name: b.name, slug: b.slug, kind: b.kind.label, purpose: b.purpose, chair: b.chair,
            theme: themes[b.themeSlug] ?? "",
            themeHref: b.themeSlug.isEmpty || !c.viewer.isOPCC ? "" : SiteURL.planTheme(b.themeSlug),
            members: c.members.map(\.name), answering: answering,
            meetings: meetings.map { m in
                .init(
                    date: Format.day(m.heldOn) + (m.startsAt.isEmpty ? "" : ", \(m.startsAt)"),
                    href: SiteURL.meeting(b.slug, m.id), kind: m.kind.label(b.kind),
                    upcoming: (CalendarDay(m.heldOn) ?? today) >= today, published: m.publishedAt != nil)
            },
            hasMeetings: !meetings.isEmpty,
            actions: actions.map {
                actionRow($0, board: b, updates: updates[$0.id] ?? [], viewer: c.viewer, today: today)
            },
            hasActions: !actions.isEmpty, isOPCC: c.viewer.isOPCC, csrf: req.csrfToken,
            statusOptions: ActionStatus.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            meetingKindOptions: MeetingKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label(b.kind)) },
            memberOptions: c.members.map { SelectOption(value: String($0.id), label: $0.name) },
            organisationOptions: c.viewer.isOPCC ? try await organisationOptions(req) : [], errors: errors,
            hasErrors: !errors.isEmpty)
        return try await req.render("boards/board", page, status: status)
    }

    @Sendable func addMember(req: Request) async throws -> Response {
        let c = try await context(req)
        try requireOPCC(c)
        struct Form: Decodable { var organisation: Int? }
        do {
            try await store.addMember(
                try req.content.decode(Form.self).organisation ?? 0, to: c.board, by: c.user, on: req.db)
        } catch BoardStore.Problem.invalid(let errors) {
            return try await boardPage(req, c, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.board(c.board.slug))
    }

    @Sendable func schedule(req: Request) async throws -> Response {
        let c = try await context(req)
        try requireOPCC(c)
        struct Form: Decodable {
            var heldOn: String?; var startsAt: String?; var kind: String?; var location: String?; var attendees: String?
        }
        let f = try req.content.decode(Form.self)
        let draft = BoardDrafts.MeetingDraft(
            heldOn: f.heldOn ?? "", startsAt: f.startsAt ?? "", kind: f.kind ?? "", location: f.location ?? "",
            attendees: f.attendees ?? "")
        do {
            let id = try await store.schedule(draft, of: c.board, by: c.user, on: req.db)
            return req.redirect(to: SiteURL.meeting(c.board.slug, id))
        } catch BoardStore.Problem.invalid(let errors) {
            return try await boardPage(req, c, errors: errors, status: .unprocessableEntity)
        }
    }

    struct ActionForm: Decodable {
        var title: String?; var ownerOrganisationID: Int?; var leadName: String?; var dueOn: String?
        var meetingID: Int?; var itemID: Int?
    }

    @Sendable func addAction(req: Request) async throws -> Response {
        let c = try await context(req)
        try requireOPCC(c)
        let f = try req.content.decode(ActionForm.self)
        var draft = BoardDrafts.ActionDraft(
            title: f.title ?? "", ownerOrganisationID: f.ownerOrganisationID, leadName: f.leadName ?? "",
            dueOn: f.dueOn ?? "")
        // An action raised at a meeting keeps its meeting and item, if they are this board's.
        if let meetingID = f.meetingID, let m = try await store.meeting(id: meetingID, of: c.board, on: req.db) {
            draft.meetingID = m.id
            draft.itemID = try await store.items(of: m, on: req.db).first { $0.id == f.itemID }?.id
        }
        do {
            try await store.addAction(draft, to: c.board, members: c.memberIDs, by: c.user, on: req.db)
        } catch BoardStore.Problem.invalid(let errors) {
            return try await boardPage(req, c, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(
            to: draft.meetingID.map { SiteURL.meeting(c.board.slug, $0) } ?? SiteURL.board(c.board.slug))
    }

    /// An update on an action: by its owner organisation or the OPCC.
    @Sendable func addUpdate(req: Request) async throws -> Response {
        let c = try await context(req)
        let id = req.parameters.get("action", as: Int.self) ?? 0
        let items = try await store.itemsByID(of: c.board, on: req.db)
        guard let a = try await store.action(id: id, on: req.db), a.boardId == c.board.id,
            c.viewer.sees(a, items: items)
        else { throw Abort(.notFound, reason: "There is no such action on this board.") }
        guard c.viewer.mayUpdate(a) else {
            throw Abort(.forbidden, reason: "Only the organisation that owns the action (or the OPCC) can update it.")
        }
        struct Form: Decodable { var status: String?; var note: String? }
        let f = try req.content.decode(Form.self)
        do {
            try await store.addUpdate(to: a, status: f.status ?? "", note: f.note ?? "", by: c.user, on: req.db)
        } catch BoardStore.Problem.invalid(let errors) {
            return try await boardPage(req, c, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.board(c.board.slug) + "#action-\(a.id)")
    }

    // MARK: Rows shared with the meeting page

    func urgency(_ a: BoardStore.Action, _ today: CalendarDay) -> ActionUrgency {
        CalendarDay(a.dueOn).map { ActionUrgency.of(due: $0, status: a.status, today: today) } ?? .onTrack
    }

    func actionRow(
        _ a: BoardStore.Action, board: BoardStore.Board, updates: [BoardStore.Update], viewer: BoardViewer,
        today: CalendarDay
    ) -> ActionRow {
        var row = ActionRow(
            id: a.id, title: a.title, owner: a.ownerName, lead: a.leadName, dueOn: a.dueOn, status: a.status,
            today: today, canUpdate: viewer.mayUpdate(a),
            updates: updates.map {
                .init(at: Format.dateTime($0.at), who: $0.userName ?? "", status: $0.status.label, note: $0.note)
            })
        row.updateHref = SiteURL.boardActionUpdates(board.slug, a.id)
        row.board = board.name
        row.boardHref = SiteURL.board(board.slug)
        return row
    }

    func questionRow(
        _ q: BoardStore.Question, board: BoardStore.Board, meeting: BoardStore.Meeting, item: BoardStore.AgendaItem?,
        viewer: BoardViewer
    ) -> QuestionRow {
        QuestionRow(
            id: q.id,
            asker: q.askedBy == .member && !q.asker.isEmpty ? "\(q.asker) (a member of the public)" : q.askedBy.label,
            question: q.question, addressedTo: q.addressedName,
            item: item.map { viewer.sees($0) ? "\($0.position). \($0.title)" : "A restricted item" } ?? "",
            answer: q.answer ?? "",
            answered: q.answeredAt.map {
                "Answered \(Format.dateTime($0))" + (q.answeredByName.map { " by \($0)" } ?? "")
            }
                ?? "", hasAnswer: q.answer != nil, canAnswer: viewer.mayAnswer(q),
            answerHref: SiteURL.meetingAnswer(board.slug, meeting.id, q.id),
            meetingHref: SiteURL.meeting(board.slug, meeting.id),
            meeting: "\(board.name), \(Format.day(meeting.heldOn))")
    }

    private func meetingOf(_ q: BoardStore.Question, _ req: Request) async throws -> (
        BoardStore.Board, BoardStore.Meeting
    )? {
        guard let m = try await store.meeting(id: q.meetingId, on: req.db),
            let b = try await store.board(id: m.boardId, on: req.db)
        else { return nil }
        return (b, m)
    }

    func themeTitles(_ req: Request) async throws -> [String: String] {
        guard let p = try await plan.plans.current(on: req.db) else { return [:] }
        return Dictionary(
            try await plan.plans.themes(of: p, on: req.db).map { ($0.slug, $0.title) }, uniquingKeysWith: { a, _ in a })
    }

    private func organisationOptions(_ req: Request) async throws -> [SelectOption] {
        try await store.organisations(on: req.db).map { SelectOption(value: String($0.id), label: $0.name) }
    }
}
