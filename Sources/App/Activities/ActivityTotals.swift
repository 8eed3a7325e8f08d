import Fluent
import Foundation
import SQLKit

/// The maintained sums of the activity ledger, by campaign, organisation, area, type,
/// visibility and week: written in the same transaction as the records (and taken away
/// again when a record is changed or deleted), so the dashboards and totals never re-read
/// every record. The key holds every column the read boundary needs (organisation,
/// visibility, campaign), so a partner's totals are bounded exactly as their records are.
enum ActivityTotals {
    struct Key: Hashable, Sendable {
        /// 0 when the record is not part of a campaign / has no named area.
        var campaignID: Int
        var organisationID: Int
        var areaID: Int
        var type: String
        var visibility: String
        /// The Monday of the record's week, YYYY-MM-DD.
        var week: String
    }

    struct Sums: Equatable, Sendable {
        var records = 0
        var quantity = 0.0
        var highVisibilityHours = 0.0
        var visits = 0

        mutating func add(_ other: Sums, sign: Int) {
            records += sign * other.records
            quantity += Double(sign) * other.quantity
            highVisibilityHours += Double(sign) * other.highVisibilityHours
            visits += sign * other.visits
        }
    }

    /// What one record adds to its key.
    static func contribution(
        organisationID: Int, campaignID: Int?, areaID: Int?, type: String, visibility: String, date: CalendarDay,
        quantity: Double,
        details: [String: String]
    ) -> (Key, Sums) {
        var sums = Sums(records: 1, quantity: quantity)
        if type == "patrol" {
            if details["style"] == "high-visibility" { sums.highVisibilityHours = quantity }
            sums.visits = Int(details["visits"] ?? "") ?? 0
        }
        return (
            Key(
                campaignID: campaignID ?? 0, organisationID: organisationID, areaID: areaID ?? 0, type: type,
                visibility: visibility, week: date.weekCommencing.description), sums
        )
    }

    /// The change to the totals when `added` records are stored and `removed` ones taken away.
    static func deltas(adding added: [(Key, Sums)], removing removed: [(Key, Sums)] = []) -> [Key: Sums] {
        var totals: [Key: Sums] = [:]
        for (key, sums) in added { totals[key, default: Sums()].add(sums, sign: 1) }
        for (key, sums) in removed { totals[key, default: Sums()].add(sums, sign: -1) }
        return totals
    }

    /// Adds the deltas to the stored totals (inside the caller's transaction) and drops
    /// keys left with no records.
    static func apply(_ deltas: [Key: Sums], on db: any SQLDatabase) async throws {
        let changed = deltas.filter { $0.value != Sums() }
        guard !changed.isEmpty else { return }
        for chunk in Array(changed).chunks(of: 300) {
            var insert = db.insert(into: "activity_totals").columns(
                "campaign_id", "organisation_id", "area_id", "type", "visibility", "week", "records", "quantity",
                "high_visibility_hours", "visits")
            for (k, s) in chunk {
                insert = insert.values(
                    SQLBind(k.campaignID), SQLBind(k.organisationID), SQLBind(k.areaID), SQLBind(k.type),
                    SQLBind(k.visibility),
                    SQLBind(k.week), SQLBind(s.records), SQLBind(s.quantity), SQLBind(s.highVisibilityHours),
                    SQLBind(s.visits))
            }
            try await insert.onConflict(with: [
                "campaign_id", "organisation_id", "area_id", "type", "visibility", "week",
            ]) {
                $0.set(SQLIdentifier("records"), to: SQLRaw("activity_totals.records + excluded.records"))
                    .set(SQLIdentifier("quantity"), to: SQLRaw("activity_totals.quantity + excluded.quantity"))
                    .set(
                        SQLIdentifier("high_visibility_hours"),
                        to: SQLRaw("activity_totals.high_visibility_hours + excluded.high_visibility_hours")
                    )
                    .set(SQLIdentifier("visits"), to: SQLRaw("activity_totals.visits + excluded.visits"))
            }.run()
        }
        if changed.values.contains(where: { $0.records < 0 }) {
            try await db.raw("DELETE FROM activity_totals WHERE records <= 0").run()
        }
    }

    /// Rebuilds every total from the records (after records were changed outside the app).
    /// Returns the number of records counted.
    @discardableResult
    static func rebuild(on db: any Database) async throws -> Int {
        struct Row: Decodable {
            var organisationId: Int
            var campaignId: Int?
            var areaId: Int?
            var type: String
            var visibility: String
            var occurredOn: String
            var quantity: Double
            var details: String
        }
        return try await db.transaction { tx in
            let rows = try await tx.sql.raw(
                """
                SELECT organisation_id, campaign_id, area_id, type, visibility, occurred_on, quantity, details FROM activities
                """
            ).rows(Row.self)
            let decoder = JSONDecoder()
            let totals = deltas(
                adding: rows.compactMap { r in
                    CalendarDay(r.occurredOn).map { day in
                        let details = (try? decoder.decode([String: String].self, from: Data(r.details.utf8))) ?? [:]
                        return contribution(
                            organisationID: r.organisationId, campaignID: r.campaignId, areaID: r.areaId,
                            type: r.type,
                            visibility: r.visibility, date: day, quantity: r.quantity, details: details)
                    }
                })
            try await tx.sql.raw("DELETE FROM activity_totals").run()
            try await apply(totals, on: tx.sql)
            return rows.count
        }
    }
}

extension ActivityDraft.Checked {
    /// What this record adds to the totals when stored for `organisationID`.
    func contribution(organisationID: Int) -> (ActivityTotals.Key, ActivityTotals.Sums) {
        ActivityTotals.contribution(
            organisationID: organisationID, campaignID: campaignID, areaID: areaID, type: type.slug,
            visibility: visibility.rawValue, date: date, quantity: quantity, details: details)
    }

    /// The type's own fields as stored: JSON with sorted keys.
    var detailsJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(details)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
