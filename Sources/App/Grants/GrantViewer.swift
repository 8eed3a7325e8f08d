/// Who may see and do what with an application. OPCC staff (the commissioning officer) see
/// everything. An applicant organisation's users see and edit only their organisation's
/// applications. A panel member sees the round's submitted applications except those on
/// which they declared a conflict, and the other members' scores only after submitting
/// their own. Anything else is answered as not found.
struct GrantViewer: Sendable {
    let userID: Int
    let organisationID: Int
    let isOPCC: Bool

    init(_ user: CurrentUser) {
        userID = user.id
        organisationID = user.organisationID
        isOPCC = user.role.isOPCC
    }

    init(userID: Int, organisationID: Int, isOPCC: Bool) {
        self.userID = userID
        self.organisationID = organisationID
        self.isOPCC = isOPCC
    }

    func isApplicant(_ a: Grants.Application) -> Bool { !isOPCC && a.organisationId == organisationID }

    /// A panel member who may assess the application: on the round's panel, no conflict
    /// declared, and the application submitted and eligible (or decided).
    func assesses(_ a: Grants.Application, panel: Set<Int>, conflicted: Set<Int>) -> Bool {
        panel.contains(userID) && !conflicted.contains(userID) && !isApplicant(a)
            && ![.draft, .ineligible].contains(a.status)
    }

    func reads(_ a: Grants.Application, panel: Set<Int>, conflicted: Set<Int>) -> Bool {
        isOPCC || isApplicant(a) || assesses(a, panel: panel, conflicted: conflicted)
    }

    /// Whether the other members' scores may be shown: the officer always; a member once
    /// their own are submitted.
    func seesAllScores(submitted: [Int: String]) -> Bool { isOPCC || submitted[userID] != nil }
}
