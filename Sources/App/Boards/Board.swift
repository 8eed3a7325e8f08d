import Foundation

/// The PCC's accountability board (the Chief Constable's office answers its questions and
/// owns its actions) or a theme's partnership board (member organisations share an action
/// plan).
enum BoardKind: String, Codable, Sendable, CaseIterable {
    case accountability, partnership

    var label: String {
        switch self {
        case .accountability: "Accountability board"
        case .partnership: "Partnership board"
        }
    }
}

/// Whether a meeting is held in public (its minutes are published on `/open`) or is a
/// private performance meeting (its minutes are published too, without restricted items).
enum MeetingKind: String, Codable, Sendable, CaseIterable {
    case publicMeeting = "public", privateMeeting = "private"

    func label(_ board: BoardKind) -> String {
        switch (self, board) {
        case (.publicMeeting, .accountability): "Public accountability board"
        case (.privateMeeting, .accountability): "Private performance meeting"
        case (.publicMeeting, .partnership): "Board meeting"
        case (.privateMeeting, .partnership): "Private board meeting"
        }
    }
}

/// Who put a question.
enum QuestionAsker: String, Codable, Sendable, CaseIterable {
    case pcc, member = "public"

    var label: String {
        switch self {
        case .pcc: "The Police and Crime Commissioner"
        case .member: "A member of the public"
        }
    }
}

/// What a person may see of the boards: OPCC staff see every board and every item;
/// anyone else sees only the boards their organisation sits on (or answers to), never a
/// restricted agenda item or its papers, and only the questions put to their organisation
/// besides those on public items.
struct BoardViewer: Sendable {
    let isOPCC: Bool
    let organisationID: Int

    init(_ user: CurrentUser) {
        isOPCC = user.role.isOPCC
        organisationID = user.organisationID
    }

    init(isOPCC: Bool, organisationID: Int) {
        self.isOPCC = isOPCC
        self.organisationID = organisationID
    }

    func sees(_ board: BoardStore.Board, members: [BoardStore.Member]) -> Bool {
        isOPCC || board.answeringOrganisationId == organisationID || members.contains { $0.id == organisationID }
    }

    func sees(_ item: BoardStore.AgendaItem) -> Bool { isOPCC || !item.isRestricted }

    /// A question is seen by OPCC staff, the organisation it is put to, and members when
    /// its item is public.
    func sees(_ q: BoardStore.Question, items: [Int: BoardStore.AgendaItem]) -> Bool {
        if isOPCC || q.addressedTo == organisationID { return true }
        guard let itemID = q.itemId else { return true }
        return items[itemID].map { !$0.isRestricted } ?? false
    }

    func sees(_ a: BoardStore.Action, items: [Int: BoardStore.AgendaItem]) -> Bool {
        if isOPCC || a.ownerOrganisationId == organisationID { return true }
        guard let itemID = a.itemId else { return true }
        return items[itemID].map { !$0.isRestricted } ?? false
    }

    func mayAnswer(_ q: BoardStore.Question) -> Bool { !isOPCC && q.addressedTo == organisationID }
    func mayUpdate(_ a: BoardStore.Action) -> Bool { isOPCC || a.ownerOrganisationId == organisationID }
}
