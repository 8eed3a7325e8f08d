/// The grant pages as the templates see them.
struct GrantsPage: Encodable {
    struct FundRow: Encodable {
        var name: String
        var href: String
        var budget: String
        var themes: String
        var rounds: Int
        var applications: Int
    }
    struct RoundRow: Encodable {
        var fund: String
        var name: String
        var href: String
        var closes: String
        var state: String
    }
    struct ApplicationRow: Encodable {
        var title: String
        var href: String
        var round: String
        var status: String
        var updated: String
    }
    struct RegistrationRow: Encodable {
        var id: Int
        var name: String
        var kind: String
        var identifier: String
        var contact: String
        var about: String
        var received: String
        var action: String
    }
    var title = "Grants and commissioning"
    var isOPCC: Bool
    var funds: [FundRow]
    var openRounds: [RoundRow]
    var panelRounds: [RoundRow]
    var applications: [ApplicationRow]
    var awards: [MeasurePage.Link]
    var themeOptions: [SelectOption]
    var csrf: String
    var errors: [FieldError]
    var hasErrors: Bool
    var registrations: [RegistrationRow] = []
}

struct FundPage: Encodable {
    struct QuestionRow: Encodable { var number: Int }
    var title: String
    var name: String
    var slug: String
    var description: String
    var budget: String
    var themes: String
    var moneySource: String
    var rounds: [GrantsPage.RoundRow]
    var questionRows: [QuestionRow]
    var criterionRows: [QuestionRow]
    var kindOptions: [SelectOption]
    var csrf: String
    var errors: [FieldError]
    var hasErrors: Bool
}

struct RoundPage: Encodable {
    struct ApplicationRow: Encodable {
        var title: String
        var href: String
        var organisation: String
        var requested: String
        var status: String
        var submitted: String
        var members: Int
        var spread: String
        var mean: String
        var moderated: String
        var standing: String
        var meetsMinimum: Bool
        var yourScores: String
    }
    struct Line: Encodable { var label: String; var value: String }
    var title: String
    var fundName: String
    var name: String
    var roundID: Int
    var guidance: String
    var opens: String
    var closes: String
    var state: String
    var minimumScore: String
    var eligibility: [String]
    var criteria: [Line]
    var canApply: Bool
    var isOPCC: Bool
    var isPanel: Bool
    var applications: [ApplicationRow]
    var hasApplications: Bool
    var limitNote: String
    var panel: [String]
    var csrf: String
    var errors: [FieldError]
    var hasErrors: Bool
}

struct ApplicationPage: Encodable {
    struct QuestionView: Encodable {
        var id: Int
        var key: String
        var kind: String
        var prompt: String
        var limit: String
        var required: Bool
        var answer: [String]
        var value: String
        var budgetRows: [BudgetRow]
        var outputRows: [OutputRow]
        var areas: [SelectOption]
        var lads: String
    }
    struct BudgetRow: Encodable { var k: Int; var item: String; var y1: String; var y2: String; var y3: String }
    struct OutputRow: Encodable { var k: Int; var name: String; var target: String }
    struct FileRow: Encodable { var name: String; var kind: String; var href: String; var size: String }
    struct CriterionRow: Encodable {
        var id: Int
        var name: String
        var guidance: String
        var weight: String
        var maxScore: Int
        var options: [SelectOption]
        var comment: String
    }
    struct MemberScore: Encodable { var name: String; var score: String; var detail: [String] }
    var title: String
    var id: Int
    var roundName: String
    var roundHref: String
    var organisation: String
    var identifier: String
    var projectTitle: String
    var status: String
    var requested: String
    var submitted: String
    var closes: String
    var questions: [QuestionView]
    var form: [String: String]
    var files: [FileRow]
    var fileKinds: [SelectOption]
    var registers: [SelectOption]
    var isDraft: Bool
    var isApplicant: Bool
    var canEdit: Bool
    var canSetIdentifier: Bool
    var isAssessor: Bool
    var isOPCC: Bool
    var ineligible: [String]
    var decision: String
    var decisionReason: String
    var awardHref: String
    var criteria: [CriterionRow]
    var scoresSubmitted: Bool
    var memberScores: [MemberScore]
    var showScores: Bool
    var conflicts: [String]
    var summary: [RoundPage.Line]
    var moderatedScore: String
    var moderationReason: String
    var decisionOptions: [SelectOption]
    var canDecide: Bool
    var csrf: String
    var errors: [FieldError]
    var hasErrors: Bool
}
