import Foundation

/// The figures of a campaign dashboard, from the activity records a user may see. Pure, so
/// the sums are tested without a database.
struct CampaignDashboard: Sendable {
    struct Line: Sendable, Encodable {
        var label: String
        var records: Int
        var amount: Double
        var unit: String
    }

    var byType: [Line] = []
    var byArea: [Line] = []
    var byOrganisation: [Line] = []
    /// Week commencing (Monday) → records.
    var byWeek: [(week: CalendarDay, records: Int)] = []
    var highVisibilityPatrolHours = 0.0
    var hotSpotVisits = 0
    /// PSPOs that expire within `expiryWarningDays` (or have expired in the last week).
    var pspoExpiring: [(place: String, expires: CalendarDay)] = []
    var total = 0

    static let expiryWarningDays = 30

    init(records: [ActivityStore.Record], today: CalendarDay) {
        total = records.count
        var types: [String: Line] = [:], areas: [String: Line] = [:], orgs: [String: Line] = [:]
        var weeks: [CalendarDay: Int] = [:]
        for r in records {
            let t = ActivityType.named(r.type)
            let unit = t?.quantityUnit ?? ""
            types[r.type, default: Line(label: t?.label ?? r.type, records: 0, amount: 0, unit: unit)].records += 1
            types[r.type]!.amount += r.quantity
            let place = r.area_name ?? "No named area"
            areas[place, default: Line(label: place, records: 0, amount: 0, unit: "records")].records += 1
            orgs[r.organisation_name, default: Line(label: r.organisation_name, records: 0, amount: 0, unit: "records")].records += 1
            let details = (try? JSONDecoder().decode([String: String].self, from: Data(r.details.utf8))) ?? [:]
            if r.type == "patrol" {
                if details["style"] == "high-visibility" { highVisibilityPatrolHours += r.quantity }
                hotSpotVisits += Int(details["visits"] ?? "") ?? 0
            }
            if r.type == "pspo", let expires = details["expires_on"].flatMap(CalendarDay.init) {
                let days = today.days(until: expires)
                if days <= Self.expiryWarningDays && days >= -7 {
                    pspoExpiring.append(([r.area_name, r.location.isEmpty ? nil : r.location].compactMap { $0 }.joined(separator: ", "), expires))
                }
            }
            if let day = CalendarDay(r.occurred_on) { weeks[day.weekCommencing, default: 0] += 1 }
        }
        for k in areas.keys { areas[k]!.amount = Double(areas[k]!.records) }
        for k in orgs.keys { orgs[k]!.amount = Double(orgs[k]!.records) }
        byType = types.values.sorted { $0.records > $1.records }
        byArea = areas.values.sorted { $0.records > $1.records }
        byOrganisation = orgs.values.sorted { $0.records > $1.records }
        byWeek = weeks.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        pspoExpiring.sort { $0.expires < $1.expires }
    }
}

extension CalendarDay {
    /// The Monday of this day's week.
    var weekCommencing: CalendarDay {
        let weekday = Self.calendar.component(.weekday, from: date)  // 1 = Sunday
        let back = (weekday + 5) % 7
        return CalendarDay(Self.calendar.date(byAdding: .day, value: -back, to: date)!)
    }
}
