import Foundation

/// The figures of a campaign dashboard, from the maintained totals of the records a user
/// may see and the PSPOs among them. Pure, so the arithmetic is tested without a database.
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

    init(
        types: [ActivityStore.Total], areas: [ActivityStore.Total], organisations: [ActivityStore.Total],
        weeks: [ActivityStore.Total],
        pspos: [ActivityStore.Record], today: CalendarDay
    ) {
        total = types.reduce(0) { $0 + $1.records }
        highVisibilityPatrolHours = types.reduce(0) { $0 + $1.highVisibilityHours }
        hotSpotVisits = types.reduce(0) { $0 + $1.visits }
        byType = types.map { t in
            let type = ActivityType.named(t.label)
            return Line(
                label: type?.label ?? t.label, records: t.records, amount: t.quantity, unit: type?.quantityUnit ?? "")
        }.sorted { ($0.records, $1.label) > ($1.records, $0.label) }
        func lines(_ totals: [ActivityStore.Total]) -> [Line] {
            totals.map { Line(label: $0.label, records: $0.records, amount: Double($0.records), unit: "records") }
                .sorted { ($0.records, $1.label) > ($1.records, $0.label) }
        }
        byArea = lines(areas)
        byOrganisation = lines(organisations)
        byWeek = weeks.compactMap { w in CalendarDay(w.label).map { ($0, w.records) } }.sorted { $0.week < $1.week }
        for r in pspos {
            guard let expires = r.detailFields["expires_on"].flatMap(CalendarDay.init) else { continue }
            let days = today.days(until: expires)
            if days <= Self.expiryWarningDays && days >= -7 {
                let location = r.location.isEmpty || r.location == r.areaName ? nil : r.location
                pspoExpiring.append(([r.areaName, location].compactMap { $0 }.joined(separator: ", "), expires))
            }
        }
        pspoExpiring.sort { $0.expires < $1.expires }
    }
}

/// Delivered against planned, by activity type: the plans' targets beside the amounts in the
/// records a user may see.
struct PlanDelivery: Sendable, Encodable {
    var type: String
    var label: String
    var unit: String
    var planned: Double
    var delivered: Double

    /// Delivered as a share of planned, 0…∞.
    var share: Double { planned > 0 ? delivered / planned : 0 }

    /// The row as shown: amounts with their unit, the share as a whole percentage.
    struct Shown: Encodable {
        var label: String
        var planned: String
        var delivered: String
        var percent: String
        var met: Bool
    }

    var shown: Shown {
        func amount(_ v: Double) -> String { "\(Format.number(v, decimals: v == v.rounded() ? 0 : 1)) \(unit)" }
        return Shown(
            label: label, planned: amount(planned), delivered: amount(delivered),
            percent: "\(Format.number(share * 100, decimals: 0))%", met: delivered >= planned)
    }

    static func rows(targets: [(type: String, amount: Double)], delivered: [ActivityStore.Total]) -> [PlanDelivery] {
        var planned: [String: Double] = [:]
        for t in targets { planned[t.type, default: 0] += t.amount }
        let done = Dictionary(delivered.map { ($0.label, $0.quantity) }, uniquingKeysWith: +)
        return planned.keys.sorted().map { slug in
            let type = ActivityType.named(slug)
            return PlanDelivery(
                type: slug, label: type?.label ?? slug, unit: type?.quantityUnit ?? "", planned: planned[slug]!,
                delivered: done[slug] ?? 0)
        }
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
