import Fluent
import Foundation
import SQLKit

/// Boards, their meetings and action plans in the database. Reads return everything;
/// what a person may see of it is `BoardViewer`'s to decide (the controller filters every
/// list through it, and answers a board or meeting the viewer may not see as not found).
struct BoardStore: Sendable {
    let audit: AuditLog

    enum Problem: Error {
        case invalid([FieldError])
        case notFound
    }

    struct Board: Codable, Sendable {
        var id: Int
        var slug: String
        var name: String
        var kind: BoardKind
        var themeSlug: String
        var purpose: String
        var chair: String
        var answeringOrganisationId: Int?
    }

    struct Member: Codable, Sendable {
        var id: Int
        var name: String
    }

    struct Meeting: Codable, Sendable {
        var id: Int
        var boardId: Int
        var heldOn: String
        var startsAt: String
        var kind: MeetingKind
        var location: String
        var attendees: String
        var minutes: String
        var publishedAt: String?
    }

    struct AgendaItem: Codable, Sendable {
        var id: Int
        var meetingId: Int
        var position: Int
        var title: String
        var summary: String
        /// 1 for a restricted item (stored as an integer on both databases).
        var restricted: Int
        var exemption: String
        var measureSlugs: String
        var themeSlugs: String

        var isRestricted: Bool { restricted != 0 }
        var measures: [String] { measureSlugs.split(separator: ",").map(String.init) }
        var themes: [String] { themeSlugs.split(separator: ",").map(String.init) }
    }

    struct Paper: Codable, Sendable {
        var id: Int
        var itemId: Int
        var filename: String
        var contentType: String
        var size: Int
    }

    struct Question: Codable, Sendable {
        var id: Int
        var meetingId: Int
        var itemId: Int?
        var askedBy: QuestionAsker
        var asker: String
        var question: String
        var addressedTo: Int
        var addressedName: String
        var askedAt: String
        var answer: String?
        var answeredByName: String?
        var answeredAt: String?
    }

    struct Decision: Codable, Sendable {
        var id: Int
        var meetingId: Int
        var itemId: Int?
        var decision: String
    }

    struct Action: Codable, Sendable {
        var id: Int
        var boardId: Int
        var meetingId: Int?
        var itemId: Int?
        var title: String
        var ownerOrganisationId: Int
        var ownerName: String
        var leadName: String
        var dueOn: String
        var status: ActionStatus
    }

    struct Update: Codable, Sendable {
        var actionId: Int
        var at: String
        var userName: String?
        var status: ActionStatus
        var note: String
    }

    // MARK: Boards

    func boards(on db: any Database) async throws -> [Board] {
        try await db.sql.raw(
            """
            SELECT id, slug, name, kind, theme_slug, purpose, chair, answering_organisation_id FROM boards
            ORDER BY kind, name
            """
        ).rows(Board.self)
    }

    func board(slug: String, on db: any Database) async throws -> Board? {
        try await db.sql.raw(
            """
            SELECT id, slug, name, kind, theme_slug, purpose, chair, answering_organisation_id FROM boards
            WHERE slug = \(bind: slug)
            """
        ).row(Board.self)
    }

    func board(id: Int, on db: any Database) async throws -> Board? {
        try await db.sql.raw(
            """
            SELECT id, slug, name, kind, theme_slug, purpose, chair, answering_organisation_id FROM boards
            WHERE id = \(bind: id)
            """
        ).row(Board.self)
    }

    /// Every organisation, by name (to choose members and owners from).
    func organisations(on db: any Database) async throws -> [Member] {
        try await db.sql.raw("SELECT id, name FROM organisations ORDER BY name").rows(Member.self)
    }

    /// Board id → its member organisations (the answering organisation included).
    func members(on db: any Database) async throws -> [Int: [Member]] {
        struct Row: Decodable { var boardId: Int; var id: Int; var name: String }
        let rows = try await db.sql.raw(
            """
            SELECT m.board_id, o.id, o.name FROM board_members m JOIN organisations o ON o.id = m.organisation_id
            UNION SELECT b.id, o.id, o.name FROM boards b JOIN organisations o ON o.id = b.answering_organisation_id
            ORDER BY 3
            """
        ).rows(Row.self)
        return Dictionary(grouping: rows, by: \.boardId).mapValues { $0.map { Member(id: $0.id, name: $0.name) } }
    }

    // MARK: Meetings

    private static let meetingColumns =
        "id, board_id, held_on, starts_at, kind, location, attendees, minutes, published_at"

    func meetings(of board: Board, on db: any Database) async throws -> [Meeting] {
        try await db.sql.raw(
            """
            SELECT \(unsafeRaw: Self.meetingColumns) FROM meetings WHERE board_id = \(bind: board.id)
            ORDER BY held_on DESC, id DESC
            """
        ).rows(Meeting.self)
    }

    func meeting(id: Int, of board: Board, on db: any Database) async throws -> Meeting? {
        try await db.sql.raw(
            """
            SELECT \(unsafeRaw: Self.meetingColumns) FROM meetings WHERE id = \(bind: id) AND board_id = \(bind: board.id)
            """
        ).row(Meeting.self)
    }

    func meeting(id: Int, on db: any Database) async throws -> Meeting? {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.meetingColumns) FROM meetings WHERE id = \(bind: id)").row(
            Meeting.self)
    }

    /// Meetings whose minutes are published, newest first, with their board.
    func publishedMeetings(on db: any Database) async throws -> [Meeting] {
        try await db.sql.raw(
            """
            SELECT \(unsafeRaw: Self.meetingColumns) FROM meetings WHERE published_at IS NOT NULL
            ORDER BY held_on DESC, id DESC
            """
        ).rows(Meeting.self)
    }

    func items(of meeting: Meeting, on db: any Database) async throws -> [AgendaItem] {
        try await db.sql.raw(
            """
            SELECT id, meeting_id, position, title, summary, restricted, exemption, measure_slugs, theme_slugs
            FROM agenda_items WHERE meeting_id = \(bind: meeting.id) ORDER BY position, id
            """
        ).rows(AgendaItem.self)
    }

    func papers(of meeting: Meeting, on db: any Database) async throws -> [Paper] {
        try await db.sql.raw(
            """
            SELECT p.id, p.item_id, p.filename, p.content_type, p.size FROM agenda_papers p
            JOIN agenda_items i ON i.id = p.item_id WHERE i.meeting_id = \(bind: meeting.id) ORDER BY p.id
            """
        ).rows(Paper.self)
    }

    /// A paper's file, if it belongs to the meeting.
    func paperContent(id: Int, of meeting: Meeting, on db: any Database) async throws -> (Paper, Data)? {
        struct Row: Decodable {
            var id: Int; var itemId: Int; var filename: String; var contentType: String; var size: Int;
            var content: Data
        }
        guard
            let r = try await db.sql.raw(
                """
                SELECT p.id, p.item_id, p.filename, p.content_type, p.size, p.content FROM agenda_papers p
                JOIN agenda_items i ON i.id = p.item_id WHERE p.id = \(bind: id) AND i.meeting_id = \(bind: meeting.id)
                """
            ).row(Row.self)
        else { return nil }
        return (
            Paper(id: r.id, itemId: r.itemId, filename: r.filename, contentType: r.contentType, size: r.size), r.content
        )
    }

    private static let questionSelect = """
        SELECT q.id, q.meeting_id, q.item_id, q.asked_by, q.asker, q.question, q.addressed_to, o.name AS addressed_name,
          q.asked_at, q.answer, u.name AS answered_by_name, q.answered_at
        FROM meeting_questions q JOIN organisations o ON o.id = q.addressed_to LEFT JOIN users u ON u.id = q.answered_by
        """

    func questions(of meeting: Meeting, on db: any Database) async throws -> [Question] {
        try await db.sql.raw(
            "\(unsafeRaw: Self.questionSelect) WHERE q.meeting_id = \(bind: meeting.id) ORDER BY q.id"
        ).rows(Question.self)
    }

    /// Questions put to an organisation and not yet answered, across every board.
    func unanswered(addressedTo organisation: Int, on db: any Database) async throws -> [Question] {
        try await db.sql.raw(
            """
            \(unsafeRaw: Self.questionSelect) WHERE q.addressed_to = \(bind: organisation) AND q.answer IS NULL ORDER BY q.id
            """
        ).rows(Question.self)
    }

    func question(id: Int, on db: any Database) async throws -> Question? {
        try await db.sql.raw("\(unsafeRaw: Self.questionSelect) WHERE q.id = \(bind: id)").row(Question.self)
    }

    func decisions(of meeting: Meeting, on db: any Database) async throws -> [Decision] {
        try await db.sql.raw(
            """
            SELECT id, meeting_id, item_id, decision FROM meeting_decisions WHERE meeting_id = \(bind: meeting.id)
            ORDER BY id
            """
        ).rows(Decision.self)
    }

    // MARK: Action plans

    private static let actionSelect = """
        SELECT a.id, a.board_id, a.meeting_id, a.item_id, a.title, a.owner_organisation_id, o.name AS owner_name,
          a.lead_name, a.due_on, a.status
        FROM board_actions a JOIN organisations o ON o.id = a.owner_organisation_id
        """

    func actions(of board: Board, on db: any Database) async throws -> [Action] {
        try await db.sql.raw(
            "\(unsafeRaw: Self.actionSelect) WHERE a.board_id = \(bind: board.id) ORDER BY a.due_on, a.id"
        ).rows(Action.self)
    }

    /// Open actions an organisation owns, across every board.
    func openActions(ownedBy organisation: Int, on db: any Database) async throws -> [Action] {
        try await db.sql.raw(
            """
            \(unsafeRaw: Self.actionSelect) WHERE a.owner_organisation_id = \(bind: organisation) AND a.status <> 'done'
            ORDER BY a.due_on, a.id
            """
        ).rows(Action.self)
    }

    func action(id: Int, on db: any Database) async throws -> Action? {
        try await db.sql.raw("\(unsafeRaw: Self.actionSelect) WHERE a.id = \(bind: id)").row(Action.self)
    }

    /// Action id → its updates, oldest first.
    func updates(of board: Board, on db: any Database) async throws -> [Int: [Update]] {
        let rows = try await db.sql.raw(
            """
            SELECT x.action_id, x.at, u.name AS user_name, x.status, x.note FROM board_action_updates x
            JOIN board_actions a ON a.id = x.action_id LEFT JOIN users u ON u.id = x.user_id
            WHERE a.board_id = \(bind: board.id) ORDER BY x.at, x.id
            """
        ).rows(Update.self)
        return Dictionary(grouping: rows, by: \.actionId)
    }

    /// Item id → the meeting's items that items in restricted lists point to (for filtering
    /// questions and actions of a whole board).
    func itemsByID(of board: Board, on db: any Database) async throws -> [Int: AgendaItem] {
        let rows = try await db.sql.raw(
            """
            SELECT i.id, i.meeting_id, i.position, i.title, i.summary, i.restricted, i.exemption, i.measure_slugs,
              i.theme_slugs
            FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id WHERE m.board_id = \(bind: board.id)
            """
        ).rows(AgendaItem.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
    }
}
