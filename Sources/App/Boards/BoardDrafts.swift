import Foundation

/// What is entered about boards, each checked by one pure function (the forms and the
/// demo alike), every message naming the field.
enum BoardDrafts {
    struct BoardDraft: Codable, Sendable {
        var name: String
        var slug: String
        var kind: String
        var themeSlug: String = ""
        var purpose: String = ""
        var chair: String = ""
        var answeringOrganisationID: Int?

        func problems(organisations: Set<Int>) -> [FieldError] {
            var e: [FieldError] = []
            if Self.blank(name) || name.count > 160 {
                e.append(FieldError(field: "name", message: "Enter the board's name (up to 160 characters)"))
            }
            if !Slug.isValid(slug) {
                e.append(
                    FieldError(field: "slug", message: "Enter a short name of lower-case letters, digits and hyphens"))
            }
            guard let kind = BoardKind(rawValue: kind) else {
                e.append(FieldError(field: "kind", message: "Choose an accountability or a partnership board"))
                return e
            }
            if kind == .accountability && answeringOrganisationID.map({ !organisations.contains($0) }) ?? true {
                e.append(
                    FieldError(
                        field: "answeringOrganisationID",
                        message: "Choose the organisation that answers to the board (the Chief Constable's office)"))
            }
            if purpose.count > 5_000 {
                e.append(FieldError(field: "purpose", message: "Keep the purpose under 5,000 characters"))
            }
            if chair.count > 160 {
                e.append(FieldError(field: "chair", message: "Keep the chair under 160 characters"))
            }
            return e
        }

        static func blank(_ s: String) -> Bool { s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }

    struct MeetingDraft: Codable, Sendable {
        var heldOn: String
        var startsAt: String = ""
        var kind: String
        var location: String = ""
        var attendees: String = ""

        func problems() -> [FieldError] {
            var e: [FieldError] = []
            if CalendarDay(heldOn) == nil {
                e.append(FieldError(field: "heldOn", message: "Enter the meeting's date as YYYY-MM-DD"))
            }
            if !startsAt.isEmpty && !Self.isTime(startsAt) {
                e.append(FieldError(field: "startsAt", message: "Enter the start time as HH:MM, for example 10:00"))
            }
            if MeetingKind(rawValue: kind) == nil {
                e.append(FieldError(field: "kind", message: "Choose a public or a private meeting"))
            }
            if location.count > 300 {
                e.append(FieldError(field: "location", message: "Keep the place under 300 characters"))
            }
            if attendees.count > 5_000 {
                e.append(FieldError(field: "attendees", message: "Keep the attendees under 5,000 characters"))
            }
            return e
        }

        static func isTime(_ s: String) -> Bool {
            let p = s.split(separator: ":")
            guard p.count == 2, p[0].count == 2, p[1].count == 2, let h = Int(p[0]), let m = Int(p[1]) else {
                return false
            }
            return (0..<24).contains(h) && (0..<60).contains(m)
        }
    }

    struct ItemDraft: Codable, Sendable {
        var title: String
        var summary: String = ""
        var restricted: Bool = false
        var exemption: String = ""
        var measures: [String] = []
        var themes: [String] = []

        func problems(measures known: Set<String>, themes knownThemes: Set<String>) -> [FieldError] {
            var e: [FieldError] = []
            if BoardDraft.blank(title) || title.count > 300 {
                e.append(FieldError(field: "title", message: "Enter the item's title (up to 300 characters)"))
            }
            if summary.count > 10_000 {
                e.append(FieldError(field: "summary", message: "Keep the summary under 10,000 characters"))
            }
            if restricted && BoardDraft.blank(exemption) {
                e.append(
                    FieldError(
                        field: "exemption",
                        message: "Say why the item is restricted (the exemption, e.g. information about an individual)")
                )
            }
            if let unknown = measures.first(where: { !known.contains($0) }) {
                e.append(FieldError(field: "measures", message: "There is no measure “\(unknown.prefix(80))”"))
            }
            if let unknown = themes.first(where: { !knownThemes.contains($0) }) {
                e.append(FieldError(field: "themes", message: "There is no theme “\(unknown.prefix(80))”"))
            }
            if measures.count > 50 { e.append(FieldError(field: "measures", message: "Choose up to 50 measures")) }
            return e
        }
    }

    struct QuestionDraft: Codable, Sendable {
        var askedBy: String
        var asker: String = ""
        var question: String
        var addressedTo: Int?
        var itemID: Int?

        func problems(members: Set<Int>, items: Set<Int>) -> [FieldError] {
            var e: [FieldError] = []
            if QuestionAsker(rawValue: askedBy) == nil {
                e.append(
                    FieldError(field: "askedBy", message: "Say who asks: the Commissioner or a member of the public"))
            }
            if asker.count > 160 {
                e.append(FieldError(field: "asker", message: "Keep the name under 160 characters"))
            }
            if BoardDraft.blank(question) || question.count > 5_000 {
                e.append(FieldError(field: "question", message: "Enter the question (up to 5,000 characters)"))
            }
            if addressedTo.map({ !members.contains($0) }) ?? true {
                e.append(
                    FieldError(field: "addressedTo", message: "Choose the organisation on the board that will answer"))
            }
            if let itemID, !items.contains(itemID) {
                e.append(FieldError(field: "itemID", message: "Choose an item of this meeting's agenda"))
            }
            return e
        }
    }

    struct ActionDraft: Codable, Sendable {
        var title: String
        var ownerOrganisationID: Int?
        var leadName: String = ""
        var dueOn: String
        var meetingID: Int?
        var itemID: Int?

        func problems(members: Set<Int>) -> [FieldError] {
            var e: [FieldError] = []
            if BoardDraft.blank(title) || title.count > 300 {
                e.append(FieldError(field: "title", message: "Say what will be done (up to 300 characters)"))
            }
            if ownerOrganisationID.map({ !members.contains($0) }) ?? true {
                e.append(
                    FieldError(
                        field: "ownerOrganisationID", message: "Choose the organisation on the board that owns it"))
            }
            if leadName.count > 120 {
                e.append(FieldError(field: "leadName", message: "Keep the lead's name under 120 characters"))
            }
            if CalendarDay(dueOn) == nil {
                e.append(FieldError(field: "dueOn", message: "Enter the due date as YYYY-MM-DD"))
            }
            return e
        }
    }

    /// A paper's file: any of the usual office formats, up to `maxBytes`.
    static let maxPaperBytes = 8 * 1024 * 1024
    static let paperTypes: [String: String] = [
        "pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text", "csv": "text/csv", "txt": "text/plain",
    ]

    /// The paper's stored name and type, or the problem with it.
    static func paper(filename: String, size: Int) -> Result<(name: String, type: String), FieldError> {
        let base =
            filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init)?
            .filter { !$0.isNewline && $0 != "\"" } ?? ""
        let ext = base.split(separator: ".").last.map { $0.lowercased() } ?? ""
        guard !base.isEmpty, base.count <= 160, base.contains("."), let type = paperTypes[ext] else {
            return .failure(
                FieldError(
                    field: "file",
                    message:
                        "Upload a PDF, Word, Excel, PowerPoint, OpenDocument, CSV or text file (named up to 160 characters)"
                ))
        }
        guard size > 0, size <= maxPaperBytes else {
            return .failure(FieldError(field: "file", message: "The file must be between 1 byte and 8 MB"))
        }
        return .success((base, type))
    }
}
