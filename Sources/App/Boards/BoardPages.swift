import Foundation

/// The boards' pages as the templates see them.
struct BoardsPage: Encodable {
    struct BoardRow: Encodable {
        var name: String
        var href: String
        var kind: String
        var theme: String
        var next: String
        var openActions: Int
        var overdue: Int
    }
    var title = "Boards and accountability"
    var boards: [BoardRow]
    var hasBoards: Bool
    var questions: [QuestionRow]
    var hasQuestions: Bool
    var actions: [ActionRow]
    var hasActions: Bool
    var isOPCC: Bool
    var canCreate: Bool
    var csrf: String
    var kindOptions: [SelectOption]
    var themeOptions: [SelectOption]
    var organisationOptions: [SelectOption]
    var errors: [FieldError]
    var hasErrors: Bool
}

struct QuestionRow: Encodable {
    var id: Int
    var asker: String
    var question: String
    var addressedTo: String
    var item: String
    var answer: String
    var answered: String
    var hasAnswer: Bool
    var canAnswer: Bool
    var answerHref: String
    var meetingHref: String
    var meeting: String
}

struct BoardPage: Encodable {
    struct MeetingRow: Encodable {
        var date: String
        var href: String
        var kind: String
        var upcoming: Bool
        var published: Bool
    }
    var title: String
    var name: String
    var slug: String
    var kind: String
    var purpose: String
    var chair: String
    var theme: String
    var themeHref: String
    var members: [String]
    var answering: String
    var meetings: [MeetingRow]
    var hasMeetings: Bool
    var actions: [ActionRow]
    var hasActions: Bool
    var isOPCC: Bool
    var csrf: String
    var statusOptions: [SelectOption]
    var meetingKindOptions: [SelectOption]
    var memberOptions: [SelectOption]
    var organisationOptions: [SelectOption]
    var errors: [FieldError]
    var hasErrors: Bool
}

struct MeetingPage: Encodable {
    struct PaperRow: Encodable { var name: String; var href: String; var size: String }
    struct ItemRow: Encodable {
        var id: Int
        var number: Int
        var title: String
        var summary: String
        var restricted: Bool
        var exemption: String
        var measures: [LinkRow]
        var papers: [PaperRow]
        var uploadHref: String
    }
    struct LinkRow: Encodable { var label: String; var href: String }
    struct DecisionRow: Encodable { var item: String; var decision: String }
    var title: String
    var boardName: String
    var boardHref: String
    var boardSlug: String
    var meetingID: Int
    var date: String
    var kind: String
    var location: String
    var attendees: String
    var items: [ItemRow]
    var hasItems: Bool
    var questions: [QuestionRow]
    var hasQuestions: Bool
    var decisions: [DecisionRow]
    var hasDecisions: Bool
    var actions: [ActionRow]
    var hasActions: Bool
    var minutes: String
    var published: String
    var isPublished: Bool
    var isOPCC: Bool
    var csrf: String
    var packHref: String
    var packPDFHref: String
    var openHref: String
    var askerOptions: [SelectOption]
    var memberOptions: [SelectOption]
    var itemOptions: [SelectOption]
    var measureOptions: [SelectOption]
    var themeOptions: [SelectOption]
    var statusOptions: [SelectOption]
    var errors: [FieldError]
    var hasErrors: Bool
}

/// The meeting pack: each agenda item with the scorecard of the measures it covers.
struct MeetingPackPage: Encodable {
    struct Figure: Encodable { var period: String; var value: String }
    struct MeasureBlock: Encodable {
        var name: String
        var chartSVG: String
        var sentence: String
        var variation: String
        var assurance: String
        var latest: String
        var recent: [Figure]
        var tests: [String]
    }
    struct Item: Encodable {
        var number: Int
        var title: String
        var summary: String
        var restricted: Bool
        var exemption: String
        var measures: [MeasureBlock]
        var hasMeasures: Bool
        var questions: [String]
    }
    var title: String
    var boardName: String
    var date: String
    var kind: String
    var location: String
    var generated: String
    var items: [Item]
    var restrictedNote: Bool
}

/// A published meeting on `/open`: public items, answers, decisions and minutes only.
struct OpenMeetingPage: Encodable {
    var title: String
    var boardName: String
    var date: String
    var kind: String
    var items: [MeetingPage.ItemRow]
    var questions: [QuestionRow]
    var hasQuestions: Bool
    var decisions: [MeetingPage.DecisionRow]
    var hasDecisions: Bool
    var minutes: String
    var published: String
    var withheld: Int
}

struct OpenMeetingsPage: Encodable {
    struct Row: Encodable { var board: String; var date: String; var kind: String; var href: String }
    var title = "Meetings: minutes and answers"
    var meetings: [Row]
    var hasMeetings: Bool
}
