import Foundation
import Vapor

/// A meeting: its agenda (public and restricted items, papers, the measures each covers),
/// questions and the written answers, decisions, actions raised, minutes, publication and
/// the meeting pack.
extension BoardController {
    struct MeetingContext {
        var c: Context
        var meeting: BoardStore.Meeting
        var items: [BoardStore.AgendaItem]
        var itemIDs: Set<Int> { Set(items.map(\.id)) }
    }

    func meetingContext(_ req: Request) async throws -> MeetingContext {
        let c = try await context(req)
        let id = req.parameters.get("meeting", as: Int.self) ?? 0
        guard let m = try await store.meeting(id: id, of: c.board, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such meeting of \(c.board.name).")
        }
        return MeetingContext(c: c, meeting: m, items: try await store.items(of: m, on: req.db))
    }

    @Sendable func meeting(req: Request) async throws -> Response {
        try await meetingPage(req, try await meetingContext(req), errors: [], status: .ok)
    }

    func meetingPage(_ req: Request, _ mc: MeetingContext, errors: [FieldError], status: HTTPStatus) async throws
        -> Response
    {
        let (c, m) = (mc.c, mc.meeting)
        let b = c.board
        let today = today()
        let visible = mc.items.filter { c.viewer.sees($0) }
        let byID = Dictionary(uniqueKeysWithValues: mc.items.map { ($0.id, $0) })
        let papers = try await store.papers(of: m, on: req.db)
        let measures = try await plan.measures.all(on: req.db)
        let names = Dictionary(measures.map { ($0.slug, $0.name) }, uniquingKeysWith: { a, _ in a })
        let questions = try await store.questions(of: m, on: req.db).filter { c.viewer.sees($0, items: byID) }
        let decisions = try await store.decisions(of: m, on: req.db).filter { d in
            d.itemId.map { id in byID[id].map { c.viewer.sees($0) } ?? false } ?? true
        }
        let updates = try await store.updates(of: b, on: req.db)
        let actions = try await store.actions(of: b, on: req.db).filter {
            $0.meetingId == m.id && c.viewer.sees($0, items: byID)
        }
        let themes = try await themeTitles(req)
        let page = MeetingPage(
            title: "\(b.name), \(Format.day(m.heldOn))", boardName: b.name, boardHref: SiteURL.board(b.slug),
            boardSlug: b.slug, meetingID: m.id,
            date: Format.day(m.heldOn) + (m.startsAt.isEmpty ? "" : ", \(m.startsAt)"), kind: m.kind.label(b.kind),
            location: m.location, attendees: m.attendees,
            items: visible.map { itemRow($0, papers: papers, names: names, board: b, meeting: m, viewer: c.viewer) },
            hasItems: !visible.isEmpty,
            questions: questions.map {
                questionRow($0, board: b, meeting: m, item: $0.itemId.flatMap { byID[$0] }, viewer: c.viewer)
            }, hasQuestions: !questions.isEmpty,
            decisions: decisions.map { d in
                .init(
                    item: d.itemId.flatMap { byID[$0] }.map { "\($0.position). \($0.title)" } ?? "",
                    decision: d.decision)
            }, hasDecisions: !decisions.isEmpty,
            actions: actions.map {
                actionRow($0, board: b, updates: updates[$0.id] ?? [], viewer: c.viewer, today: today)
            },
            hasActions: !actions.isEmpty, minutes: m.minutes,
            published: m.publishedAt.map { "Published on the open pages \(Format.dateTime($0))" } ?? "Not published",
            isPublished: m.publishedAt != nil, isOPCC: c.viewer.isOPCC, csrf: req.csrfToken,
            packHref: SiteURL.meetingPack(b.slug, m.id), packPDFHref: SiteURL.meetingPackPDF(b.slug, m.id),
            openHref: m.publishedAt != nil ? SiteURL.openMeeting(m.id) : "",
            askerOptions: QuestionAsker.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            memberOptions: c.members.map {
                SelectOption(value: String($0.id), label: $0.name, selected: $0.id == b.answeringOrganisationId)
            },
            // The forms' choices are the OPCC's alone (restricted items' titles among them).
            itemOptions: !c.viewer.isOPCC
                ? []
                : [SelectOption(value: "", label: "No particular item")]
                    + mc.items.map { SelectOption(value: String($0.id), label: "\($0.position). \($0.title)") },
            measureOptions: c.viewer.isOPCC ? measures.map { SelectOption(value: $0.slug, label: $0.name) } : [],
            themeOptions: c.viewer.isOPCC
                ? themes.sorted { $0.value < $1.value }.map { SelectOption(value: $0.key, label: $0.value) } : [],
            statusOptions: ActionStatus.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            errors: errors, hasErrors: !errors.isEmpty)
        return try await req.render("boards/meeting", page, status: status)
    }

    func itemRow(
        _ i: BoardStore.AgendaItem, papers: [BoardStore.Paper], names: [String: String], board: BoardStore.Board,
        meeting: BoardStore.Meeting, viewer: BoardViewer?, open: Bool = false
    ) -> MeetingPage.ItemRow {
        MeetingPage.ItemRow(
            id: i.id, number: i.position, title: i.title, summary: i.summary, restricted: i.isRestricted,
            exemption: i.exemption,
            measures: i.measures.compactMap { slug in
                names[slug].map { .init(label: $0, href: viewer?.isOPCC == true ? SiteURL.planMeasure(slug) : "") }
            },
            papers: papers.filter { $0.itemId == i.id }.map { p in
                .init(
                    name: p.filename,
                    href: open
                        ? SiteURL.openMeetingPaper(meeting.id, p.id)
                        : SiteURL.meetingPaper(board.slug, meeting.id, p.id),
                    size: p.size < 1024 ? "\(p.size) bytes" : "\(Format.count((p.size + 1023) / 1024)) KB")
            }, uploadHref: SiteURL.meetingPapers(board.slug, meeting.id, i.id))
    }

    // MARK: Changes (OPCC)

    @Sendable func addItem(req: Request) async throws -> Response {
        let mc = try await meetingContext(req)
        try requireOPCC(mc.c)
        struct Form: Decodable {
            var title: String?; var summary: String?; var restricted: String?; var exemption: String?
            var measures: [String]?; var themes: [String]?
        }
        let f = try req.content.decode(Form.self)
        let draft = BoardDrafts.ItemDraft(
            title: f.title ?? "", summary: f.summary ?? "", restricted: f.restricted == "on" || f.restricted == "true",
            exemption: f.exemption ?? "", measures: f.measures ?? [], themes: f.themes ?? [])
        let measures = Set(try await plan.measures.all(on: req.db).map(\.slug))
        let themes = Set(try await themeTitles(req).keys)
        do {
            try await store.addItem(
                draft, to: mc.meeting, measures: measures, themes: themes, by: mc.c.user, on: req.db)
        } catch BoardStore.Problem.invalid(let errors) {
            return try await meetingPage(req, mc, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.meeting(mc.c.board.slug, mc.meeting.id))
    }

    @Sendable func uploadPaper(req: Request) async throws -> Response {
        let mc = try await meetingContext(req)
        try requireOPCC(mc.c)
        let itemID = req.parameters.get("item", as: Int.self) ?? 0
        guard let item = mc.items.first(where: { $0.id == itemID }) else {
            throw Abort(.notFound, reason: "There is no such item on this meeting's agenda.")
        }
        struct Form: Decodable { var file: File? }
        let file = try req.content.decode(Form.self).file
        switch BoardDrafts.paper(filename: file?.filename ?? "", size: file?.data.readableBytes ?? 0) {
        case .failure(let problem):
            return try await meetingPage(req, mc, errors: [problem], status: .unprocessableEntity)
        case .success(let (name, type)):
            try await store.addPaper(
                to: item, filename: name, contentType: type, content: Data(file?.data.readableBytesView ?? .init()),
                by: mc.c.user, on: req.db)
        }
        return req.redirect(to: SiteURL.meeting(mc.c.board.slug, mc.meeting.id))
    }

    /// A paper, to anyone who may see its item (restricted items' papers: the OPCC only).
    @Sendable func paper(req: Request) async throws -> Response {
        let mc = try await meetingContext(req)
        let id = req.parameters.get("paper", as: Int.self) ?? 0
        guard let (p, data) = try await store.paperContent(id: id, of: mc.meeting, on: req.db),
            let item = mc.items.first(where: { $0.id == p.itemId }), mc.c.viewer.sees(item)
        else { throw Abort(.notFound, reason: "There is no such paper, or it is not shared with you.") }
        return Self.fileResponse(p, data)
    }

    static func fileResponse(_ p: BoardStore.Paper, _ data: Data) -> Response {
        let response = Response(status: .ok, body: .init(data: data))
        let parts = p.contentType.split(separator: "/", maxSplits: 1).map(String.init)
        response.headers.contentType =
            parts.count == 2 ? HTTPMediaType(type: parts[0], subType: parts[1]) : .binary
        response.headers.contentDisposition = .init(.attachment, filename: p.filename)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    @Sendable func ask(req: Request) async throws -> Response {
        let mc = try await meetingContext(req)
        try requireOPCC(mc.c)
        struct Form: Decodable {
            var askedBy: String?; var asker: String?; var question: String?; var addressedTo: Int?; var itemID: String?
        }
        let f = try req.content.decode(Form.self)
        let draft = BoardDrafts.QuestionDraft(
            askedBy: f.askedBy ?? "", asker: f.asker ?? "", question: f.question ?? "", addressedTo: f.addressedTo,
            itemID: f.itemID.flatMap { Int($0) })
        do {
            try await store.ask(
                draft, in: mc.meeting, members: mc.c.memberIDs, items: mc.itemIDs, by: mc.c.user, on: req.db)
        } catch BoardStore.Problem.invalid(let errors) {
            return try await meetingPage(req, mc, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.meeting(mc.c.board.slug, mc.meeting.id))
    }

    /// The written answer: only a user of the organisation the question was put to.
    @Sendable func answer(req: Request) async throws -> Response {
        let mc = try await meetingContext(req)
        let id = req.parameters.get("question", as: Int.self) ?? 0
        let byID = Dictionary(uniqueKeysWithValues: mc.items.map { ($0.id, $0) })
        guard let q = try await store.question(id: id, on: req.db), q.meetingId == mc.meeting.id,
            mc.c.viewer.sees(q, items: byID)
        else { throw Abort(.notFound, reason: "There is no such question at this meeting.") }
        guard mc.c.viewer.mayAnswer(q) else {
            throw Abort(.forbidden, reason: "Only the organisation the question was put to can answer it.")
        }
        struct Form: Decodable { var answer: String? }
        do {
            try await store.answer(q, with: try req.content.decode(Form.self).answer ?? "", by: mc.c.user, on: req.db)
        } catch BoardStore.Problem.invalid(let errors) {
            return try await meetingPage(req, mc, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.meeting(mc.c.board.slug, mc.meeting.id) + "#question-\(q.id)")
    }

    @Sendable func decide(req: Request) async throws -> Response {
        let mc = try await meetingContext(req)
        try requireOPCC(mc.c)
        struct Form: Decodable { var decision: String?; var itemID: String? }
        let f = try req.content.decode(Form.self)
        do {
            try await store.decide(
                f.decision ?? "", itemID: f.itemID.flatMap { Int($0) }, in: mc.meeting, items: mc.itemIDs,
                by: mc.c.user, on: req.db)
        } catch BoardStore.Problem.invalid(let errors) {
            return try await meetingPage(req, mc, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.meeting(mc.c.board.slug, mc.meeting.id))
    }

    @Sendable func saveMinutes(req: Request) async throws -> Response {
        let mc = try await meetingContext(req)
        try requireOPCC(mc.c)
        struct Form: Decodable { var minutes: String? }
        do {
            try await store.saveMinutes(
                try req.content.decode(Form.self).minutes ?? "", of: mc.meeting, by: mc.c.user, on: req.db)
        } catch BoardStore.Problem.invalid(let errors) {
            return try await meetingPage(req, mc, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.meeting(mc.c.board.slug, mc.meeting.id))
    }

    @Sendable func publish(req: Request) async throws -> Response { try await setPublished(req, true) }
    @Sendable func withdraw(req: Request) async throws -> Response { try await setPublished(req, false) }

    private func setPublished(_ req: Request, _ published: Bool) async throws -> Response {
        let mc = try await meetingContext(req)
        try requireOPCC(mc.c)
        do {
            try await store.setPublished(published, mc.meeting, by: mc.c.user, on: req.db)
        } catch BoardStore.Problem.invalid(let errors) {
            return try await meetingPage(req, mc, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.meeting(mc.c.board.slug, mc.meeting.id))
    }

    // MARK: The meeting pack

    @Sendable func pack(req: Request) async throws -> Response {
        try await packPage(req, try await meetingContext(req))
    }

    @Sendable func packPDF(req: Request) async throws -> Response {
        let mc = try await meetingContext(req)
        return try await pdf.download(filename: "\(mc.c.board.slug)-\(mc.meeting.heldOn)-pack.pdf", req: req) {
            try await packPage(req, mc)
        }
    }

    /// The pack: every agenda item the viewer may see, with the scorecard of its measures
    /// (chart, sentence, icons, the tests, the latest figures) and the questions put on it.
    private func packPage(_ req: Request, _ mc: MeetingContext) async throws -> Response {
        let (c, m) = (mc.c, mc.meeting)
        let scorecard = try await plan.scorecard(on: req.db)
        let readings = Dictionary(
            scorecard.readings.map { ($0.measure.slug, $0) }, uniquingKeysWith: { a, _ in a })
        let questions = try await store.questions(of: m, on: req.db)
        var items: [MeetingPackPage.Item] = []
        for i in mc.items where c.viewer.sees(i) {
            let blocks = i.measures.compactMap { readings[$0] }.enumerated().map { k, r in
                MeetingPackPage.MeasureBlock(
                    name: r.measure.name, chartSVG: SPCChartSVG(reading: r).render(id: "pack-\(i.id)-\(k)"),
                    sentence: r.sentence, variation: SPCStyle.label(r.variation),
                    assurance: SPCStyle.label(r.assurance),
                    latest: r.latest.map {
                        "\(r.format($0.value)) (\(MeasureReading.periodLabel($0.period, r.measure.frequency)))"
                    } ?? "No figures yet",
                    recent: r.values.suffix(6).reversed().map {
                        .init(
                            period: MeasureReading.periodLabel($0.period, r.measure.frequency),
                            value: r.format($0.value))
                    }, tests: [r.yearOnYearSentence, r.onBaselineSentence].compactMap { $0 })
            }
            items.append(
                .init(
                    number: i.position, title: i.title, summary: i.summary, restricted: i.isRestricted,
                    exemption: i.exemption, measures: blocks, hasMeasures: !blocks.isEmpty,
                    questions: questions.filter { $0.itemId == i.id }.map { "\($0.askedBy.label): \($0.question)" }))
        }
        let page = MeetingPackPage(
            title: "Meeting pack: \(c.board.name), \(Format.day(m.heldOn))", boardName: c.board.name,
            date: Format.day(m.heldOn) + (m.startsAt.isEmpty ? "" : ", \(m.startsAt)"),
            kind: m.kind.label(c.board.kind),
            location: m.location, generated: Format.dateTime(Date().stored), items: items,
            restrictedNote: mc.items.contains { $0.isRestricted } && c.viewer.isOPCC)
        return try await req.render("boards/pack", page)
    }
}
