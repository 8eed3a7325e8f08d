/// The victim service's pages: what each template shows, already in words.
struct VictimsPage: Encodable {
    struct Count: Encodable {
        var label: String
        var count: String
        var href: String
        var current: Bool
    }
    struct CaseRow: Encodable {
        var number: String
        var href: String
        var crimeReference: String
        var crimeType: String
        var source: String
        var received: String
        var enhanced: String
        var firstContact: String
        var status: String
        var caseWorker: String
        var duplicateOf: String
        var isDuplicate: Bool
    }
    var title = "Victims' cases"
    var organisation: String
    var isAdmin: Bool
    var counts: [Count]
    var cases: [CaseRow]
    var hasCases: Bool
    struct QueueRow: Encodable {
        var number: String
        var href: String
        var what: String
        var right: String
        var due: String
        var state: String
        var stateClass: String
    }
    var queue: [QueueRow] = []
    var hasQueue = false
    var queueNote = ""
    var workers: [SelectOption] = []
    var status = "open"
    var pageNote = ""
    var previousHref = ""
    var nextHref = ""
    var hasPrevious = false
    var hasNext = false
    var newHref = SiteURL.victimReferralNew()
    var readLogHref = SiteURL.victimReadsCSV()
}

/// Asked before a case is opened: why (logged with the read).
struct PurposePage: Encodable {
    var title = "Why are you opening this case?"
    var number: String
    var action: String
    var purposes: [SelectOption]
    var justification: String
    var errors: [FieldError]
    var hasErrors: Bool
}

struct CasePage: Encodable {
    struct ContactRow: Encodable {
        var at: String
        var channel: String
        var outcome: String
        var note: String
        var by: String
    }
    var title: String
    var number: String
    var facts: [RankingPage.Pair]
    var person: [RankingPage.Pair]
    var contacts: [ContactRow]
    var hasContacts: Bool
    var channels: [SelectOption]
    var outcomes: [SelectOption]
    var contactAction: String
    var csrf: String
    /// The read log, for the organisation's admin; empty for others.
    var readsHref: String
    var canReadLog: Bool
    var listHref = SiteURL.victims()
    var caseWorker = ""
    var caseWorkers: [SelectOption] = []
    var assignAction = ""
    struct ClockRow: Encodable {
        var what: String
        var right: String
        var citation: String
        var started: String
        var due: String
        var state: String
        var stateClass: String
    }
    struct EventRow: Encodable {
        var what: String
        var at: String
        var informed: String
        var informAction: String
        var canInform: Bool
    }
    struct CorrectionRow: Encodable {
        var field: String
        var before: String
        var after: String
        var reason: String
        var at: String
        var by: String
    }
    var corrections: [CorrectionRow] = []
    var hasCorrections = false
    var correctAction = ""
    var correctFields: [SelectOption] = []
    var clocks: [ClockRow] = []
    var hasClocks = false
    var runningClocks: [SelectOption] = []
    var hasRunningClocks = false
    var notApplicableReasons: [SelectOption] = []
    var notApplicableAction = ""
    var events: [EventRow] = []
    var hasEvents = false
    var eventKinds: [SelectOption] = []
    var eventAction = ""
    struct AssessmentView: Encodable {
        var heading: String
        var needs: [RankingPage.Pair]
        var risk: String
        var plan: String
        var earlier: [String]
        var hasEarlier: Bool { !earlier.isEmpty }

        enum CodingKeys: String, CodingKey { case heading, needs, risk, plan, earlier, hasEarlier }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(heading, forKey: .heading)
            try c.encode(needs, forKey: .needs)
            try c.encode(risk, forKey: .risk)
            try c.encode(plan, forKey: .plan)
            try c.encode(earlier, forKey: .earlier)
            try c.encode(hasEarlier, forKey: .hasEarlier)
        }
    }
    struct NeedRow: Encodable {
        var name: String
        var label: String
        var levels: [SelectOption]
    }
    var isOpen = true
    var assessment: AssessmentView?
    var hasAssessment = false
    var needRows: [NeedRow] = []
    var risks: [SelectOption] = []
    var assessAction = ""
    var closeAction = ""
    var closures: [SelectOption] = []
    var outcomeOptions: [SelectOption] = []
    var closed: [RankingPage.Pair] = []
    var onward: [RankingPage.Pair] = []
    var hasOnward = false
    var onwardServices: [SelectOption] = []
    var specialists: [SelectOption] = []
    var onwardAction = ""
}

struct ReadsPage: Encodable {
    struct Row: Encodable {
        var at: String
        var who: String
        var organisation: String
        var what: String
        var purpose: String
        var justification: String
        var recipient: String
    }
    var title: String
    var number: String
    var caseHref: String
    var reads: [Row]
    var hasReads: Bool
    var csvHref: String
}

struct ReferralPage: Encodable {
    var title = "Record a referral"
    var form: VictimController.ReferralForm
    var action: String
    var csrf: String
    var sources: [SelectOption]
    var crimeTypes: [SelectOption]
    var ageBands: [SelectOption]
    var enhanced: [SelectOption]
    var consents: [SelectOption]
    var consentHows: [SelectOption]
    var errors: [FieldError]
    var hasErrors: Bool
}
