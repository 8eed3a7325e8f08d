import Fluent
import Foundation
import SQLKit

/// Every change to boards, meetings and action plans: checked first (nothing is written
/// when anything is wrong), written in one transaction with its audit line.
extension BoardStore {
    @discardableResult
    func create(_ d: BoardDrafts.BoardDraft, members: [Int], by user: CurrentUser?, on db: any Database) async throws
        -> Board
    {
        let organisations = try await organisationIDs(on: db)
        var problems = d.problems(organisations: organisations)
        if try await board(slug: d.slug, on: db) != nil {
            problems.append(FieldError(field: "slug", message: "Another board has the short name “\(d.slug)”"))
        }
        if members.contains(where: { !organisations.contains($0) }) {
            problems.append(FieldError(field: "members", message: "Choose member organisations from the list"))
        }
        guard problems.isEmpty, let kind = BoardKind(rawValue: d.kind) else { throw Problem.invalid(problems) }
        let answering = kind == .accountability ? d.answeringOrganisationID : nil
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO boards (slug, name, kind, theme_slug, purpose, chair, answering_organisation_id, created_at)
                VALUES (\(bind: d.slug), \(bind: d.name.trimmingCharacters(in: .whitespaces)), \(bind: kind.rawValue),
                  \(bind: d.themeSlug), \(bind: d.purpose), \(bind: d.chair), \(bind: answering), \(bind: Date().stored))
                RETURNING id
                """
            ).insertedID()
            for m in Set(members) {
                try await tx.sql.raw(
                    "INSERT INTO board_members (board_id, organisation_id) VALUES (\(bind: id), \(bind: m))"
                ).run()
            }
            try await audit.record(
                "create", entity: "board", id: String(id), before: String?.none, after: d, by: user, on: tx)
        }
        guard let b = try await board(slug: d.slug, on: db) else { throw InsertError.noRowReturned }
        return b
    }

    func addMember(_ organisation: Int, to b: Board, by user: CurrentUser?, on db: any Database) async throws {
        guard try await organisationIDs(on: db).contains(organisation) else {
            throw Problem.invalid([FieldError(field: "organisation", message: "Choose an organisation from the list")])
        }
        try await db.transaction { tx in
            let exists =
                try await tx.sql.raw(
                    """
                    SELECT board_id FROM board_members WHERE board_id = \(bind: b.id) AND organisation_id = \(bind: organisation)
                    """
                ).first() != nil
            guard !exists else { return }
            try await tx.sql.raw(
                "INSERT INTO board_members (board_id, organisation_id) VALUES (\(bind: b.id), \(bind: organisation))"
            ).run()
            try await audit.record(
                "add-member", entity: "board", id: String(b.id), before: String?.none,
                after: ["organisation_id": organisation], by: user, on: tx)
        }
    }

    @discardableResult
    func schedule(_ d: BoardDrafts.MeetingDraft, of b: Board, by user: CurrentUser?, on db: any Database) async throws
        -> Int
    {
        let problems = d.problems()
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        return try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO meetings (board_id, held_on, starts_at, kind, location, attendees, created_at)
                VALUES (\(bind: b.id), \(bind: d.heldOn), \(bind: d.startsAt), \(bind: d.kind), \(bind: d.location),
                  \(bind: d.attendees), \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "meeting", id: String(id), before: String?.none, after: d, by: user, on: tx)
            return id
        }
    }

    @discardableResult
    func addItem(
        _ d: BoardDrafts.ItemDraft, to m: Meeting, measures: Set<String>, themes: Set<String>, by user: CurrentUser?,
        on db: any Database
    ) async throws -> Int {
        let problems = d.problems(measures: measures, themes: themes)
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        return try await db.transaction { tx in
            struct Next: Decodable { var n: Int }
            let next =
                try await tx.sql.raw(
                    "SELECT COALESCE(MAX(position), 0) + 1 AS n FROM agenda_items WHERE meeting_id = \(bind: m.id)"
                ).row(Next.self)?.n ?? 1
            let id = try await tx.sql.raw(
                """
                INSERT INTO agenda_items (meeting_id, position, title, summary, restricted, exemption, measure_slugs, theme_slugs)
                VALUES (\(bind: m.id), \(bind: next), \(bind: d.title), \(bind: d.summary), \(bind: d.restricted ? 1 : 0),
                  \(bind: d.restricted ? d.exemption : ""), \(bind: d.measures.joined(separator: ",")),
                  \(bind: d.themes.joined(separator: ","))) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "agenda-item", id: String(id), before: String?.none, after: d, by: user, on: tx)
            return id
        }
    }

    func addPaper(
        to item: AgendaItem, filename: String, contentType: String, content: Data, by user: CurrentUser?,
        on db: any Database
    ) async throws {
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO agenda_papers (item_id, filename, content_type, size, content, uploaded_by, uploaded_at)
                VALUES (\(bind: item.id), \(bind: filename), \(bind: contentType), \(bind: content.count), \(bind: content),
                  \(bind: user?.id), \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "upload", entity: "agenda-paper", id: String(id), before: String?.none,
                after: ["item_id": String(item.id), "filename": filename, "size": String(content.count)], by: user,
                on: tx)
        }
    }

    @discardableResult
    func ask(
        _ d: BoardDrafts.QuestionDraft, in m: Meeting, members: Set<Int>, items: Set<Int>, by user: CurrentUser?,
        on db: any Database
    ) async throws -> Int {
        let problems = d.problems(members: members, items: items)
        guard problems.isEmpty, let addressed = d.addressedTo else { throw Problem.invalid(problems) }
        return try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO meeting_questions (meeting_id, item_id, asked_by, asker, question, addressed_to, asked_at)
                VALUES (\(bind: m.id), \(bind: d.itemID), \(bind: d.askedBy), \(bind: d.asker), \(bind: d.question),
                  \(bind: addressed), \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "question", id: String(id), before: String?.none, after: d, by: user, on: tx)
            return id
        }
    }

    /// The written answer, by a user of the organisation the question was put to (a second
    /// answer replaces the first; both are in the audit log).
    func answer(_ q: Question, with text: String, by user: CurrentUser, on db: any Database) async throws {
        guard !BoardDrafts.BoardDraft.blank(text), text.count <= 10_000 else {
            throw Problem.invalid([FieldError(field: "answer", message: "Enter the answer (up to 10,000 characters)")])
        }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                UPDATE meeting_questions SET answer = \(bind: text), answered_by = \(bind: user.id),
                  answered_at = \(bind: Date().stored) WHERE id = \(bind: q.id)
                """
            ).run()
            try await audit.record(
                "answer", entity: "question", id: String(q.id), before: q.answer.map { ["answer": $0] },
                after: ["answer": text], by: user, on: tx)
        }
    }

    func decide(
        _ text: String, itemID: Int?, in m: Meeting, items: Set<Int>, by user: CurrentUser?, on db: any Database
    )
        async throws
    {
        var problems: [FieldError] = []
        if BoardDrafts.BoardDraft.blank(text) || text.count > 5_000 {
            problems.append(FieldError(field: "decision", message: "Enter the decision (up to 5,000 characters)"))
        }
        if let itemID, !items.contains(itemID) {
            problems.append(FieldError(field: "itemID", message: "Choose an item of this meeting's agenda"))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO meeting_decisions (meeting_id, item_id, decision, recorded_at)
                VALUES (\(bind: m.id), \(bind: itemID), \(bind: text), \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "decision", id: String(id), before: String?.none, after: ["decision": text], by: user,
                on: tx)
        }
    }

    func saveMinutes(_ text: String, of m: Meeting, by user: CurrentUser?, on db: any Database) async throws {
        guard text.count <= 50_000 else {
            throw Problem.invalid([FieldError(field: "minutes", message: "Keep the minutes under 50,000 characters")])
        }
        try await db.transaction { tx in
            try await tx.sql.raw("UPDATE meetings SET minutes = \(bind: text) WHERE id = \(bind: m.id)").run()
            try await audit.record(
                "minutes", entity: "meeting", id: String(m.id), before: ["minutes": m.minutes],
                after: ["minutes": text],
                by: user, on: tx)
        }
    }

    /// Publishes the meeting's minutes, public items, answers and decisions on `/open`
    /// (restricted items never), or withdraws them.
    func setPublished(_ published: Bool, _ m: Meeting, by user: CurrentUser?, on db: any Database) async throws {
        if published && BoardDrafts.BoardDraft.blank(m.minutes) {
            throw Problem.invalid([FieldError(field: "minutes", message: "Write the minutes before publishing them")])
        }
        try await db.transaction { tx in
            if published {
                try await tx.sql.raw(
                    """
                    UPDATE meetings SET published_at = \(bind: Date().stored), published_by = \(bind: user?.id)
                    WHERE id = \(bind: m.id)
                    """
                ).run()
            } else {
                try await tx.sql.raw(
                    "UPDATE meetings SET published_at = NULL, published_by = NULL WHERE id = \(bind: m.id)"
                ).run()
            }
            try await audit.record(
                published ? "publish" : "withdraw", entity: "meeting", id: String(m.id),
                before: ["published_at": m.publishedAt], after: String?.none, by: user, on: tx)
        }
    }

    @discardableResult
    func addAction(
        _ d: BoardDrafts.ActionDraft, to b: Board, members: Set<Int>, by user: CurrentUser?, on db: any Database
    ) async throws -> Int {
        let problems = d.problems(members: members)
        guard problems.isEmpty, let owner = d.ownerOrganisationID else { throw Problem.invalid(problems) }
        return try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO board_actions (board_id, meeting_id, item_id, title, owner_organisation_id, lead_name, due_on,
                  status, created_at)
                VALUES (\(bind: b.id), \(bind: d.meetingID), \(bind: d.itemID), \(bind: d.title), \(bind: owner),
                  \(bind: d.leadName), \(bind: d.dueOn), \(bind: ActionStatus.notStarted.rawValue), \(bind: Date().stored))
                RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "board-action", id: String(id), before: String?.none, after: d, by: user, on: tx)
            return id
        }
    }

    func addUpdate(
        to a: Action, status: String, note: String, by user: CurrentUser, at: Date = Date(), on db: any Database
    ) async throws {
        var problems: [FieldError] = []
        if ActionStatus(rawValue: status) == nil {
            problems.append(FieldError(field: "status", message: "Choose a status"))
        }
        if BoardDrafts.BoardDraft.blank(note) || note.count > 2_000 {
            problems.append(FieldError(field: "note", message: "Say what has happened (up to 2,000 characters)"))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                INSERT INTO board_action_updates (action_id, at, user_id, status, note)
                VALUES (\(bind: a.id), \(bind: at.stored), \(bind: user.id), \(bind: status), \(bind: note))
                """
            ).run()
            try await tx.sql.raw("UPDATE board_actions SET status = \(bind: status) WHERE id = \(bind: a.id)").run()
            try await audit.record(
                "update", entity: "board-action", id: String(a.id), before: ["status": a.status.rawValue],
                after: ["status": status, "note": note], by: user, on: tx)
        }
    }

    func organisationIDs(on db: any Database) async throws -> Set<Int> {
        struct Row: Decodable { var id: Int }
        return Set(try await db.sql.raw("SELECT id FROM organisations").rows(Row.self).map(\.id))
    }
}
