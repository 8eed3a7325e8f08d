import Foundation

/// The status of an action in a plan.
enum ActionStatus: String, Codable, Sendable, CaseIterable {
    case notStarted = "not-started", inProgress = "in-progress", done, blocked

    var label: String {
        switch self {
        case .notStarted: "Not started"
        case .inProgress: "In progress"
        case .done: "Done"
        case .blocked: "Blocked"
        }
    }
}

/// A campaign as entered: checked by one pure function for the web form, CSV and API alike.
struct CampaignDraft: Sendable, Codable {
    var name: String
    var description: String
    var startsOn: String
    var endsOn: String

    func problems() -> [FieldError] {
        var e: [FieldError] = []
        let name = name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty || name.count > 160 {
            e.append(FieldError(field: "name", message: "Enter the campaign's name (up to 160 characters)"))
        }
        let start = CalendarDay(startsOn), end = CalendarDay(endsOn)
        if start == nil {
            e.append(
                FieldError(field: "startsOn", message: "Enter the start date as YYYY-MM-DD, for example 2025-07-01"))
        }
        if end == nil {
            e.append(FieldError(field: "endsOn", message: "Enter the end date as YYYY-MM-DD, for example 2025-09-30"))
        }
        if let start, let end, end < start {
            e.append(FieldError(field: "endsOn", message: "The end date must be on or after the start date"))
        }
        if description.count > 5_000 {
            e.append(FieldError(field: "description", message: "Keep the description under 5,000 characters"))
        }
        return e
    }
}

/// An action in an area's plan.
struct ActionDraft: Sendable, Codable {
    var title: String
    var ownerOrganisationID: Int?
    var leadName: String
    var dueOn: String
    var status: String

    func problems(organisations: Set<Int>) -> [FieldError] {
        var e: [FieldError] = []
        if title.trimmingCharacters(in: .whitespaces).isEmpty || title.count > 300 {
            e.append(FieldError(field: "title", message: "Say what will be done (up to 300 characters)"))
        }
        if ownerOrganisationID.map({ !organisations.contains($0) }) ?? true {
            e.append(
                FieldError(
                    field: "ownerOrganisationID",
                    message: "Choose the organisation that owns this action (one taking part in the campaign)"))
        }
        if leadName.trimmingCharacters(in: .whitespaces).isEmpty || leadName.count > 120 {
            e.append(FieldError(field: "leadName", message: "Enter the named lead"))
        }
        if CalendarDay(dueOn) == nil {
            e.append(FieldError(field: "dueOn", message: "Enter the due date as YYYY-MM-DD"))
        }
        if ActionStatus(rawValue: status) == nil { e.append(FieldError(field: "status", message: "Choose a status")) }
        return e
    }
}

/// Whether an action needs attention today.
enum ActionUrgency: String, Sendable {
    case overdue, dueSoon = "due-soon", onTrack = "on-track", done

    /// Overdue: past its due date and not done. Due soon: due within 14 days.
    static func of(due: CalendarDay, status: ActionStatus, today: CalendarDay) -> ActionUrgency {
        if status == .done { return .done }
        if due < today { return .overdue }
        return today.days(until: due) <= 14 ? .dueSoon : .onTrack
    }

    var label: String {
        switch self {
        case .overdue: "Overdue"
        case .dueSoon: "Due soon"
        case .onTrack: "On track"
        case .done: "Done"
        }
    }
}
