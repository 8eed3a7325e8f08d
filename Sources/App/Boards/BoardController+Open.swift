import Foundation
import Vapor

/// Published meetings on `/open`: the minutes, the public agenda items and their papers,
/// the questions on them with the written answers, and the decisions. A restricted item,
/// its papers and anything raised under it never reach these pages.
extension BoardController {
    @Sendable func openMeetings(req: Request) async throws -> Response {
        var rows: [OpenMeetingsPage.Row] = []
        var boards: [Int: BoardStore.Board] = [:]
        for m in try await store.publishedMeetings(on: req.db) {
            if boards[m.boardId] == nil { boards[m.boardId] = try await store.board(id: m.boardId, on: req.db) }
            guard let b = boards[m.boardId] else { continue }
            rows.append(
                .init(
                    board: b.name, date: Format.day(m.heldOn), kind: m.kind.label(b.kind),
                    href: SiteURL.openMeeting(m.id))
            )
        }
        return try await req.render("open/meetings", OpenMeetingsPage(meetings: rows, hasMeetings: !rows.isEmpty))
    }

    private func published(_ req: Request) async throws -> (
        BoardStore.Board, BoardStore.Meeting, [BoardStore.AgendaItem]
    ) {
        let id = req.parameters.get("meeting", as: Int.self) ?? 0
        guard let m = try await store.meeting(id: id, on: req.db), m.publishedAt != nil,
            let b = try await store.board(id: m.boardId, on: req.db)
        else { throw Abort(.notFound, reason: "There are no published minutes for that meeting.") }
        return (b, m, try await store.items(of: m, on: req.db))
    }

    @Sendable func openMeeting(req: Request) async throws -> Response {
        let (b, m, items) = try await published(req)
        let publicItems = items.filter { !$0.isRestricted }
        let open = Dictionary(uniqueKeysWithValues: publicItems.map { ($0.id, $0) })
        let papers = try await store.papers(of: m, on: req.db)
        // The public reads questions on public items (or on none) that have been answered.
        let questions = try await store.questions(of: m, on: req.db).filter { q in
            q.answer != nil && (q.itemId.map { open[$0] != nil } ?? true)
        }
        let decisions = try await store.decisions(of: m, on: req.db).filter { d in
            d.itemId.map { open[$0] != nil } ?? true
        }
        let viewer = BoardViewer(isOPCC: false, organisationID: -1)
        let page = OpenMeetingPage(
            title: "\(b.name), \(Format.day(m.heldOn))", boardName: b.name, date: Format.day(m.heldOn),
            kind: m.kind.label(b.kind),
            items: publicItems.map {
                itemRow($0, papers: papers, names: [:], board: b, meeting: m, viewer: nil, open: true)
            },
            questions: questions.map {
                var row = questionRow($0, board: b, meeting: m, item: $0.itemId.flatMap { open[$0] }, viewer: viewer)
                // No one's name on the open page: the Commissioner, "a member of the public", the force.
                row.asker = $0.askedBy.label
                row.answered = $0.answeredAt.map { "Answered \(Format.dateTime($0))" } ?? ""
                return row
            }, hasQuestions: !questions.isEmpty,
            decisions: decisions.map { d in
                .init(
                    item: d.itemId.flatMap { open[$0] }.map { "\($0.position). \($0.title)" } ?? "",
                    decision: d.decision)
            }, hasDecisions: !decisions.isEmpty, minutes: m.minutes,
            published: m.publishedAt.map(Format.dateTime) ?? "", withheld: items.count - publicItems.count)
        return try await req.render("open/meeting", page)
    }

    @Sendable func openPaper(req: Request) async throws -> Response {
        let (_, m, items) = try await published(req)
        let id = req.parameters.get("paper", as: Int.self) ?? 0
        guard let (p, data) = try await store.paperContent(id: id, of: m, on: req.db),
            items.contains(where: { $0.id == p.itemId && !$0.isRestricted })
        else { throw Abort(.notFound, reason: "There is no such published paper.") }
        return Self.fileResponse(p, data)
    }
}
