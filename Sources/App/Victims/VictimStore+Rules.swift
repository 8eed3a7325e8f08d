import Fluent
import Foundation
import SQLKit

/// Editing the Victims' Code rules and the bank holidays (OPCC admins): a rule changes by a
/// new version in force from a date (the version before ends that day, so a case is judged
/// by the rules in force when its clock started), and an admin may add a bank holiday the
/// bundled list does not have. Both date every running clock again.
extension VictimStore {
    enum RuleChange: Equatable, Sendable {
        case added(version: Int)
        case refused(field: String, message: String)
    }

    /// Adds a version of the rule `key` in force from `from` with the limits and citation
    /// given; refused if there is no such rule, the date is not after the current version's
    /// start, or a limit is outside 0–60 working days.
    func addRuleVersion(
        key: String, enhancedDays: Int, standardDays: Int, citation: String, note: String, from: CalendarDay,
        by user: CurrentUser, on db: any Database
    ) async throws -> RuleChange {
        guard (0...60).contains(enhancedDays) else {
            return .refused(field: "enhanced_days", message: "Give the limit as 0 to 60 working days")
        }
        guard (0...60).contains(standardDays) else {
            return .refused(field: "standard_days", message: "Give the limit as 0 to 60 working days")
        }
        guard !citation.isEmpty, citation.count <= 500 else {
            return .refused(field: "citation", message: "Cite where the limit comes from (up to 500 characters)")
        }
        let rules = try await rules(on: db).filter { $0.key == key }
        guard let current = rules.max(by: { $0.version < $1.version }) else {
            return .refused(field: "rule", message: "There is no such rule")
        }
        guard from.description > current.inForceFrom else {
            return .refused(
                field: "in_force_from",
                message: "The new version must start after the current one (\(Format.day(current.inForceFrom)))")
        }
        let version = current.version + 1
        try await db.transaction { tx in
            try await tx.sql.raw(
                "UPDATE victim_code_rules SET in_force_to = \(bind: from.description) WHERE id = \(bind: current.id)"
            ).run()
            try await tx.sql.raw(
                """
                INSERT INTO victim_code_rules (rule_key, version, right_name, title, citation, note, clock_start,
                  clock_stop, enhanced_days, standard_days, in_force_from, created_at, created_by)
                SELECT rule_key, \(bind: version), right_name, title, \(bind: citation), \(bind: note), clock_start,
                  clock_stop, \(bind: enhancedDays), \(bind: standardDays), \(bind: from.description),
                  \(bind: now().stored), \(bind: user.id)
                FROM victim_code_rules WHERE id = \(bind: current.id)
                """
            ).run()
            try await audit.record(
                "new version", entity: "victim_code_rules", id: key,
                before: [
                    "version": String(current.version), "enhanced": String(current.enhancedDays),
                    "standard": String(current.standardDays),
                ],
                after: [
                    "version": String(version), "enhanced": String(enhancedDays), "standard": String(standardDays),
                    "from": from.description,
                ], by: user, on: tx)
        }
        return .added(version: version)
    }

    struct ExtraHoliday: Decodable, Sendable {
        var day: String
        var name: String
        var addedAt: String
    }

    func extraHolidays(on db: any Database) async throws -> [ExtraHoliday] {
        try await db.sql.raw("SELECT day, name, added_at FROM extra_bank_holidays ORDER BY day").rows(
            ExtraHoliday.self)
    }

    /// Adds a bank holiday; false if the day is one already (bundled or added) or a weekend.
    func addBankHoliday(_ day: CalendarDay, name: String, by user: CurrentUser, on db: any Database) async throws
        -> Bool
    {
        let days = try await workingDays(on: db)
        guard days.isWorkingDay(day) else { return false }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                INSERT INTO extra_bank_holidays (day, name, added_at, added_by)
                VALUES (\(bind: day.description), \(bind: name), \(bind: now().stored), \(bind: user.id))
                """
            ).run()
            try await audit.record(
                "add", entity: "extra_bank_holidays", id: day.description, before: nil as String?,
                after: ["name": name], by: user, on: tx)
        }
        return true
    }
}
