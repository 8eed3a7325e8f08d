/// An action as the pages show it (a campaign plan's or a board's): its urgency worked out
/// from today, its updates, and whether the viewer may add one.
struct ActionRow: Encodable {
    struct UpdateRow: Encodable { var at: String; var who: String; var status: String; var note: String }
    var id: Int
    var title: String
    var owner: String
    var lead: String
    var due: String
    var status: String
    var urgency: String
    var urgencyLabel: String
    var canUpdate: Bool
    var updates: [UpdateRow]
    /// Where an update is posted, and the board it belongs to (board actions).
    var updateHref = ""
    var board = ""
    var boardHref = ""

    init(
        id: Int, title: String, owner: String, lead: String, dueOn: String, status: ActionStatus, today: CalendarDay,
        canUpdate: Bool, updates: [UpdateRow]
    ) {
        let urgency = CalendarDay(dueOn).map { ActionUrgency.of(due: $0, status: status, today: today) } ?? .onTrack
        self.id = id
        self.title = title
        self.owner = owner
        self.lead = lead
        due = CalendarDay(dueOn)?.long ?? dueOn
        self.status = status.label
        self.urgency = urgency.rawValue
        urgencyLabel = urgency.label
        self.canUpdate = canUpdate
        self.updates = updates
    }
}
