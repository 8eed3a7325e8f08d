import Fluent
import Foundation
import SQLKit

/// Reminders by e-mail, each item sent to each person once, in one message a run, and each
/// kind something a person can turn off on their account page:
/// - actions: a campaign plan's action newly given to their organisation, or due within a
///   week and not done;
/// - orders: their organisation's PSPOs expiring within 30 days, dispersal authorisations
///   ending within a day;
/// - returns: their organisation's grant monitoring returns due within 14 days (or queried);
/// - victims: how many Victims' Code clocks are overdue or due today in their service: counts
///   and a link, never a case or a person.
struct Notifications: Sendable {
    let queue: MailQueue
    let victims: VictimStore
    var now: @Sendable () -> Date = { Date() }

    enum Kind: String, Sendable, CaseIterable, Codable {
        case actions, orders, returns, victims

        var label: String {
            switch self {
            case .actions: "Plan actions given to your organisation, and those due within a week"
            case .orders: "PSPOs and dispersal authorisations about to expire"
            case .returns: "Grant monitoring returns due"
            case .victims: "Victims' Code clocks due today (counts only)"
            }
        }
        var heading: String {
            switch self {
            case .actions: "Plan actions"
            case .orders: "Orders about to expire"
            case .returns: "Monitoring returns"
            case .victims: "Victims' Code clocks"
            }
        }
    }

    struct Item: Sendable, Equatable {
        var key: String
        var kind: Kind
        var line: String
        var path: String
    }

    /// Every item due today, by the organisation whose people should hear of it.
    func items(on db: any Database) async throws -> [Int: [Item]] {
        let t = now()
        let today = CalendarDay(t)
        var out: [Int: [Item]] = [:]
        func add(_ org: Int, _ item: Item) { out[org, default: []].append(item) }

        struct Action: Decodable {
            var id: Int; var title: String; var dueOn: String; var createdAt: String; var ownerOrganisationId: Int
            var campaignSlug: String; var campaignName: String; var areaSlug: String; var areaName: String
        }
        let weekAhead = CalendarDay(dayNumber: today.dayNumber + 7).description
        let lastWeek = t.addingTimeInterval(-7 * 86_400).stored
        let actions = try await db.sql.raw(
            """
            SELECT a.id, a.title, a.due_on, a.created_at, a.owner_organisation_id, c.slug AS campaign_slug,
              c.name AS campaign_name, r.slug AS area_slug, r.name AS area_name
            FROM plan_actions a JOIN plans p ON p.id = a.plan_id JOIN campaigns c ON c.id = p.campaign_id
              JOIN areas r ON r.id = p.area_id
            WHERE a.status <> 'done' AND (a.due_on <= \(bind: weekAhead) OR a.created_at >= \(bind: lastWeek))
            ORDER BY a.due_on, a.id LIMIT 5000
            """
        ).rows(Action.self)
        for a in actions {
            let due = CalendarDay(a.dueOn)
            let dueText = due?.long ?? a.dueOn
            let path = SiteURL.campaignPlan(a.campaignSlug, a.areaSlug)
            let place = "\(a.areaName), \(a.campaignName)"
            if a.createdAt >= lastWeek {
                add(
                    a.ownerOrganisationId,
                    Item(
                        key: "action-assigned:\(a.id)", kind: .actions,
                        line: "New for your organisation: \(a.title) (\(place)), due \(dueText)", path: path))
            }
            if a.dueOn <= weekAhead {
                let overdue = due.map { today.days(until: $0) < 0 } ?? false
                add(
                    a.ownerOrganisationId,
                    Item(
                        key: "action-due:\(a.id)", kind: .actions,
                        line: "\(overdue ? "Overdue since" : "Due") \(dueText): \(a.title) (\(place))", path: path))
            }
        }

        struct Order: Decodable {
            var id: Int; var organisationId: Int; var type: String; var occurredOn: String; var startTime: String?
            var location: String; var details: String; var areaName: String?
        }
        let orders = try await db.sql.raw(
            """
            SELECT a.id, a.organisation_id, a.type, a.occurred_on, a.start_time, a.location, a.details, r.name AS area_name
            FROM activities a LEFT JOIN areas r ON r.id = a.area_id
            WHERE a.type = 'pspo' OR (a.type = 'dispersal-authorisation' AND a.occurred_on >= \(bind: CalendarDay(dayNumber: today.dayNumber - 3).description))
            ORDER BY a.id LIMIT 5000
            """
        ).rows(Order.self)
        for o in orders {
            let fields = (try? JSONDecoder().decode([String: String].self, from: Data(o.details.utf8))) ?? [:]
            let place = [o.areaName, o.location.isEmpty ? nil : o.location].compactMap { $0 }.joined(separator: ", ")
            if o.type == "pspo", let expires = fields["expires_on"].flatMap(CalendarDay.init) {
                let days = today.days(until: expires)
                guard days >= 0 && days <= CampaignDashboard.expiryWarningDays else { continue }
                add(
                    o.organisationId,
                    Item(
                        key: "pspo:\(o.id):\(expires)", kind: .orders,
                        line:
                            "Public space protection order at \(place) expires \(expires.long) (in \(days) day\(days == 1 ? "" : "s"))",
                        path: SiteURL.activity(o.id)))
            } else if o.type == "dispersal-authorisation", let day = CalendarDay(o.occurredOn),
                let hours = fields["hours"].flatMap(Double.init)
            {
                let (h, m) = Self.clock(o.startTime)
                let ends = day.date.addingTimeInterval(Double(h * 3600 + m * 60) + hours * 3600)
                guard ends > t && ends.timeIntervalSince(t) <= 86_400 else { continue }
                add(
                    o.organisationId,
                    Item(
                        key: "dispersal:\(o.id)", kind: .orders,
                        line: "Dispersal authorisation at \(place) ends \(Format.dateTime(ends.stored))",
                        path: SiteURL.activity(o.id)))
            }
        }

        struct Return: Decodable {
            var id: Int; var awardId: Int; var periodLabel: String; var dueOn: String; var status: String
            var organisationId: Int; var title: String
        }
        let returns = try await db.sql.raw(
            """
            SELECT m.id, m.award_id, m.period_label, m.due_on, m.status, ap.organisation_id, ap.title
            FROM monitoring_returns m JOIN awards w ON w.id = m.award_id JOIN applications ap ON ap.id = w.application_id
            WHERE (m.status = 'due' AND m.due_on <= \(bind: CalendarDay(dayNumber: today.dayNumber + 14).description))
              OR m.status = 'queried'
            ORDER BY m.due_on, m.id LIMIT 5000
            """
        ).rows(Return.self)
        for r in returns {
            let due = CalendarDay(r.dueOn)?.long ?? r.dueOn
            let line =
                r.status == "queried"
                ? "The OPCC has queried the \(r.periodLabel) return for “\(r.title)”: please answer it"
                : "The \(r.periodLabel) monitoring return for “\(r.title)” is due \(due)"
            add(
                r.organisationId,
                Item(
                    key: "return:\(r.id):\(r.status):\(r.dueOn)", kind: .returns, line: line,
                    path: SiteURL.grantReturn(r.awardId, r.id)))
        }

        let holders = try await db.sql.raw(
            "SELECT DISTINCT organisation_id AS id FROM victim_cases WHERE status = 'open' ORDER BY organisation_id"
        ).all(decodingColumn: "id", as: Int.self)
        for holder in holders {
            let counts = try await victims.queueCounts(holder: holder, today: today, tomorrow: today, on: db)
            guard let line = Self.clocksLine(due: counts.due, overdue: counts.overdue) else { continue }
            add(holder, Item(key: "victims-clocks:\(today)", kind: .victims, line: line, path: SiteURL.victims()))
        }
        return out
    }

    /// The victim service's line: how many clocks fall due today and how many are overdue,
    /// the parts that are not zero; nil when both are.
    static func clocksLine(due: Int, overdue: Int) -> String? {
        func clocks(_ n: Int) -> String { "\(n) Victims' Code clock\(n == 1 ? "" : "s")" }
        let parts = [
            due > 0 ? "\(clocks(due)) \(due == 1 ? "falls" : "fall") due today" : nil,
            overdue > 0
                ? (due > 0
                    ? "\(overdue) \(overdue == 1 ? "is" : "are") overdue"
                    : "\(clocks(overdue)) \(overdue == 1 ? "is" : "are") overdue") : nil,
        ].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " and ") + " in your service"
    }

    /// "HH:MM" as hours and minutes; midnight when missing or malformed.
    static func clock(_ text: String?) -> (Int, Int) {
        let parts = (text ?? "").split(separator: ":").compactMap { Int($0) }
        guard parts.count >= 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else { return (0, 0) }
        return (parts[0], parts[1])
    }

    /// Queues one message for each active person with something new to hear about (their
    /// turned-off kinds left out), recording each item as sent in the same transaction.
    /// Returns how many messages were queued.
    @discardableResult
    func run(settings: MailSettings, on db: any Database) async throws -> Int {
        let byOrganisation = try await items(on: db)
        guard !byOrganisation.isEmpty else { return 0 }
        struct Person: Decodable { var id: Int; var email: String; var name: String; var organisationId: Int }
        let people = try await db.sql.raw(
            "SELECT id, email, name, organisation_id FROM users WHERE disabled_at IS NULL ORDER BY id"
        ).rows(Person.self)
        struct Pair: Decodable { var userId: Int; var kind: String }
        let off = Set(
            try await db.sql.raw("SELECT user_id, kind FROM notification_optouts").rows(Pair.self).map {
                "\($0.userId) \($0.kind)"
            })
        let t = now()
        // Items are kept 120 days: long past anything a run could offer again.
        try await db.sql.raw(
            "DELETE FROM notifications_sent WHERE sent_at < \(bind: t.addingTimeInterval(-120 * 86_400).stored)"
        ).run()
        struct Sent: Decodable { var userId: Int; var item: String }
        let sent = Set(
            try await db.sql.raw("SELECT user_id, item FROM notifications_sent").rows(Sent.self).map {
                "\($0.userId) \($0.item)"
            })
        var queued = 0
        for person in people {
            let fresh = (byOrganisation[person.organisationId] ?? []).filter {
                !off.contains("\(person.id) \($0.kind.rawValue)") && !sent.contains("\(person.id) \($0.key)")
            }
            guard !fresh.isEmpty else { continue }
            // Each item is claimed in the transaction that queues its message: another instance
            // running the same hour may have read `notifications_sent` before this one wrote it,
            // and only the items this transaction records (its inserts that found no row) are
            // sent, so nobody hears of an item twice.
            let claimedAny = try await db.transaction { tx in
                var claimed: Set<String> = []
                for item in fresh {
                    let row = try await tx.sql.raw(
                        """
                        INSERT INTO notifications_sent (user_id, item, sent_at) VALUES (\(bind: person.id), \(bind: item.key), \(bind: t.stored))
                        ON CONFLICT (user_id, item) DO NOTHING RETURNING item
                        """
                    ).first(decodingColumn: "item", as: String.self)
                    if let row { claimed.insert(row) }
                }
                let mine = fresh.filter { claimed.contains($0.key) }
                guard !mine.isEmpty else { return false }
                // An action new to the organisation says when it is due: its due line is not
                // repeated (and is recorded as sent with it).
                let new = Set(mine.compactMap { $0.key.hasPrefix("action-assigned:") ? $0.key.dropFirst(16) : nil })
                let shown = mine.filter { !($0.key.hasPrefix("action-due:") && new.contains($0.key.dropFirst(11))) }
                let text = Self.message(name: person.name, items: shown, base: settings.publicURL)
                try await queue.enqueue(
                    .notifications, to: person.email, subject: text.subject, body: text.body, on: tx)
                return true
            }
            guard claimedAny else { continue }
            queued += 1
        }
        return queued
    }

    /// The message for one person: the items grouped by kind, each with its link, and where
    /// to turn reminders off.
    static func message(name: String, items: [Item], base: String) -> (subject: String, body: String) {
        var sections: [String] = []
        for kind in Kind.allCases {
            let mine = items.filter { $0.kind == kind }
            guard !mine.isEmpty else { continue }
            sections.append(
                kind.heading.uppercased() + "\n\n"
                    + mine.map { "- \($0.line)\n  \(base)\($0.path)" }.joined(separator: "\n"))
        }
        let n = items.count
        return (
            "SaferStreets: \(n) reminder\(n == 1 ? "" : "s")",
            """
            Hello \(name),

            \(sections.joined(separator: "\n\n"))

            You get these reminders because of your organisation's work in SaferStreets. To choose which you get: \(base)\(SiteURL.account())#notifications

            SaferStreets
            """
        )
    }
}
