import Fluent
import Foundation
import Vapor

/// The Victims' Code rules and bank holidays (`/victims/rules`): every version of every rule
/// with its citation and when it was in force, for OPCC staff; a new version of a rule and an
/// added bank holiday for OPCC admins, after which every running clock is dated again.
extension VictimController {
    /// Text for a query string's value.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    @Sendable func rules(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        return try await req.render("victims/rules", try await rulesPage(req, user: user, errors: []))
    }

    func rulesPage(_ req: Request, user: CurrentUser, errors: [FieldError]) async throws -> RulesPage {
        let rules = try await store.rules(on: req.db)
        let extra = try await store.extraHolidays(on: req.db)
        let bundled = try WorkingDays.bundled()
        let saved = req.query[String.self, at: "saved"].map { String($0.prefix(200)) } ?? ""
        let current = Dictionary(grouping: rules, by: \.key).compactMap { $0.value.max { $0.version < $1.version } }
            .sorted { $0.right < $1.right }
        return RulesPage(
            rules: rules.sorted { ($0.right, $0.key, $0.version) < ($1.right, $1.key, $1.version) }.map {
                .init(
                    right: $0.right, title: $0.title, version: String($0.version), citation: $0.citation,
                    enhanced: Format.counted($0.enhancedDays, "working day", "working days"),
                    standard: Format.counted($0.standardDays, "working day", "working days"),
                    from: Format.day($0.inForceFrom), to: $0.inForceTo.map(Format.day) ?? "now")
            },
            canEdit: user.role == .opccAdmin, csrf: req.csrfToken,
            ruleOptions: current.map { SelectOption(value: $0.key, label: "\($0.right): \($0.title)") },
            extra: extra.map { .init(label: Format.day($0.day), value: $0.name) }, hasExtra: !extra.isEmpty,
            bundledNote:
                "\(Format.count(bundled.holidays.count)) England and Wales bank holidays from 2018 to 2030 are bundled (GOV.UK's list; scripts/bank_holidays.py).",
            saved: saved, hasSaved: !saved.isEmpty, errors: errors, hasErrors: !errors.isEmpty)
    }

    func rulesRefusal(_ req: Request, _ errors: [FieldError]) async throws -> Response {
        let user = try req.signedInUser()
        return try await req.render(
            "victims/rules", try await rulesPage(req, user: user, errors: errors), status: .unprocessableEntity)
    }

    @Sendable func addRuleVersion(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        struct Form: Decodable {
            var rule: String?; var enhancedDays: String?; var standardDays: String?; var citation: String?
            var note: String?; var inForceFrom: String?
        }
        let f = try req.content.decode(Form.self)
        func int(_ s: String?) -> Int? { Int((s ?? "").trimmingCharacters(in: .whitespaces)) }
        var errors: [FieldError] = []
        let enhanced = int(f.enhancedDays), standard = int(f.standardDays)
        if enhanced == nil {
            errors.append(.init(field: "enhanced_days", message: "Give a whole number of working days"))
        }
        if standard == nil {
            errors.append(.init(field: "standard_days", message: "Give a whole number of working days"))
        }
        let from = CalendarDay((f.inForceFrom ?? "").trimmingCharacters(in: .whitespaces))
        if from == nil { errors.append(.init(field: "in_force_from", message: "Give the date as YYYY-MM-DD")) }
        let note = (f.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if note.count > 1_000 { errors.append(.init(field: "note", message: "Keep the note under 1,000 characters")) }
        guard errors.isEmpty, let enhanced, let standard, let from else { return try await rulesRefusal(req, errors) }
        switch try await store.addRuleVersion(
            key: f.rule ?? "", enhancedDays: enhanced, standardDays: standard,
            citation: (f.citation ?? "").trimmingCharacters(in: .whitespacesAndNewlines), note: note, from: from,
            by: user, on: req.db)
        {
        case .refused(let field, let message):
            return try await rulesRefusal(req, [.init(field: field, message: message)])
        case .added(let version):
            let dated = try await store.recomputeClocks(on: req.db)
            return req.redirect(
                to: SiteURL.victimRules.with(
                    query: "saved="
                        + Self.queryValue(
                            "Version \(version) saved; \(Format.counted(dated, "running clock", "running clocks")) dated again."
                        )), redirectType: .normal)
        }
    }

    @Sendable func addBankHoliday(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        struct Form: Decodable { var day: String?; var name: String? }
        let f = try req.content.decode(Form.self)
        let day = CalendarDay((f.day ?? "").trimmingCharacters(in: .whitespaces))
        let name = (f.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if day == nil { errors.append(.init(field: "day", message: "Give the date as YYYY-MM-DD")) }
        if name.isEmpty || name.count > 100 {
            errors.append(.init(field: "holiday_name", message: "Name the bank holiday (up to 100 characters)"))
        }
        guard errors.isEmpty, let day else { return try await rulesRefusal(req, errors) }
        guard try await store.addBankHoliday(day, name: name, by: user, on: req.db) else {
            return try await rulesRefusal(
                req, [.init(field: "day", message: "\(Format.day(day.description)) is not a working day already")])
        }
        let dated = try await store.recomputeClocks(on: req.db)
        return req.redirect(
            to: SiteURL.victimRules.with(
                query: "saved="
                    + Self.queryValue(
                        "\(name) added; \(Format.counted(dated, "running clock", "running clocks")) dated again.")),
            redirectType: .normal)
    }
}

struct RulesPage: Encodable {
    struct Rule: Encodable {
        var right: String
        var title: String
        var version: String
        var citation: String
        var enhanced: String
        var standard: String
        var from: String
        var to: String
    }
    var title = "Victims' Code rules and bank holidays"
    var rules: [Rule]
    var canEdit: Bool
    var csrf: String
    var ruleOptions: [SelectOption]
    var extra: [ProvisionPage.Pair]
    var hasExtra: Bool
    var bundledNote: String
    var saved: String
    var hasSaved: Bool
    var errors: [FieldError]
    var hasErrors: Bool
}
