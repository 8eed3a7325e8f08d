import Analytics
import CrimeData
import Foundation
import Vapor

/// Editing the plan in the browser: a new version of the plan (objectives and themes; the
/// one before is kept), a measure's definition (new or changed; computed ones recomputed at
/// once), a rebase, and which campaigns serve a theme. Every change is audited by its store.
extension PlanController {
    // MARK: The plan

    struct PlanEditPage: Encodable {
        struct ObjectiveRow: Encodable { var number: Int; var title: String; var description: String }
        struct ThemeRow: Encodable {
            struct Serves: Encodable { var number: Int; var checked: Bool }
            var number: Int
            var slug: String
            var title: String
            var lead: String
            var description: String
            var serves: [Serves]
        }
        var title = "Edit the Police and Crime Plan"
        var planTitle: String
        var startsOn: String
        var endsOn: String
        var introduction: String
        var objectives: [ObjectiveRow]
        var themes: [ThemeRow]
        var version: String
        var csrf: String
        var errors: [FieldError]
        var hasErrors: Bool
    }

    @Sendable func editPlan(req: Request) async throws -> Response {
        var draft = PlanStore.Draft(title: "", startsOn: "", endsOn: "", objectives: [], themes: [])
        var version = "No plan yet: this will be version 1."
        if let plan = try await service.plans.current(on: req.db) {
            let objectives = try await service.plans.objectives(of: plan, on: req.db)
            let themes = try await service.plans.themes(of: plan, on: req.db)
            let serves = try await service.plans.themeObjectives(of: plan, on: req.db)
            draft = PlanStore.Draft(
                title: plan.title, startsOn: plan.startsOn, endsOn: plan.endsOn, introduction: plan.introduction,
                objectives: objectives.map { .init(title: $0.title, description: $0.description) },
                themes: themes.map {
                    .init(
                        slug: $0.slug, title: $0.title, description: $0.description, leadName: $0.leadName,
                        objectives: serves[$0.id] ?? [])
                })
            version = "Saving makes version \(plan.version + 1); version \(plan.version) is kept."
        }
        return try await planEditPage(req, draft, version: version, errors: [], status: .ok)
    }

    private func planEditPage(
        _ req: Request, _ d: PlanStore.Draft, version: String, errors: [FieldError], status: HTTPStatus
    ) async throws -> Response {
        // Room for two more objectives and two more themes.
        let objectiveCount = d.objectives.count + 2
        let objectives = (0..<objectiveCount).map { k in
            PlanEditPage.ObjectiveRow(
                number: k + 1, title: k < d.objectives.count ? d.objectives[k].title : "",
                description: k < d.objectives.count ? d.objectives[k].description : "")
        }
        let themes = (0..<(d.themes.count + 2)).map { k in
            let t = k < d.themes.count ? d.themes[k] : nil
            return PlanEditPage.ThemeRow(
                number: k + 1, slug: t?.slug ?? "", title: t?.title ?? "", lead: t?.leadName ?? "",
                description: t?.description ?? "",
                serves: (1...objectiveCount).map { .init(number: $0, checked: t?.objectives.contains($0) ?? false) })
        }
        let page = PlanEditPage(
            planTitle: d.title, startsOn: d.startsOn, endsOn: d.endsOn, introduction: d.introduction,
            objectives: objectives, themes: themes, version: version, csrf: req.csrfToken, errors: errors,
            hasErrors: !errors.isEmpty)
        return try await req.render("plan/edit", page, status: status)
    }

    /// The form as a draft: blank objective and theme rows are left out; a theme's short name
    /// is made from its title when none is given.
    static func draft(from form: [String: String]) -> PlanStore.Draft {
        func value(_ key: String) -> String { (form[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        var objectives: [PlanStore.Draft.ObjectiveDraft] = []
        var renumber: [Int: Int] = [:]
        for k in 1...22 where !value("objective-\(k)-title").isEmpty {
            objectives.append(
                .init(title: value("objective-\(k)-title"), description: value("objective-\(k)-description")))
            renumber[k] = objectives.count
        }
        var themes: [PlanStore.Draft.ThemeDraft] = []
        for k in 1...32 where !value("theme-\(k)-title").isEmpty {
            let title = value("theme-\(k)-title")
            let slug = value("theme-\(k)-slug")
            themes.append(
                .init(
                    slug: slug.isEmpty ? Slug.make(title) : slug, title: title,
                    description: value("theme-\(k)-description"), leadName: value("theme-\(k)-lead"),
                    objectives: (1...22).filter { form["theme-\(k)-objective-\($0)"] != nil }.compactMap {
                        renumber[$0]
                    }))
        }
        return PlanStore.Draft(
            title: value("title"), startsOn: value("startsOn"), endsOn: value("endsOn"),
            introduction: value("introduction"), objectives: objectives, themes: themes)
    }

    /// The form's fields for a draft: what the edit page submits unchanged (the inverse of
    /// `draft(from:)`).
    static func formFields(_ d: PlanStore.Draft) -> [String: String] {
        var out = ["title": d.title, "startsOn": d.startsOn, "endsOn": d.endsOn, "introduction": d.introduction]
        for (k, o) in d.objectives.enumerated() {
            out["objective-\(k + 1)-title"] = o.title
            out["objective-\(k + 1)-description"] = o.description
        }
        for (k, t) in d.themes.enumerated() {
            out["theme-\(k + 1)-title"] = t.title
            out["theme-\(k + 1)-slug"] = t.slug
            out["theme-\(k + 1)-lead"] = t.leadName
            out["theme-\(k + 1)-description"] = t.description
            for o in t.objectives { out["theme-\(k + 1)-objective-\(o)"] = "on" }
        }
        return out
    }

    @Sendable func savePlan(req: Request) async throws -> Response {
        let draft = Self.draft(from: try req.content.decode([String: String].self))
        do {
            try await service.plans.publish(draft, by: req.currentUser, on: req.db)
        } catch let e as FieldErrors {
            return try await planEditPage(
                req, draft, version: "Nothing was saved.", errors: e.errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.plan())
    }

    // MARK: A measure's definition

    struct MeasureFormPage: Encodable {
        var title: String
        var isNew: Bool
        var form: [String: String]
        var sources: [SelectOption]
        var frequencies: [SelectOption]
        var directions: [SelectOption]
        var geographies: [SelectOption]
        var targetKinds: [SelectOption]
        var categories: [SelectOption]
        var activityTypes: [SelectOption]
        var themes: [SelectOption]
        var csrf: String
        var errors: [FieldError]
        var hasErrors: Bool
    }

    struct MeasureForm: Decodable {
        var slug: String?
        var name: String?
        var definition: String?
        var unit: String?
        var frequency: String?
        var direction: String?
        var owner: String?
        var source: String?
        var categories: [String]?
        var geography: String?
        var geographyID: String?
        var perThousand: String?
        var activityType: String?
        var baselineFirst: String?
        var baselineLast: String?
        var baselineValue: String?
        var targetKind: String?
        var targetValue: String?
        var targetBy: String?
        var fixLimitsAfter: String?
        var themes: [String]?
    }

    @Sendable func newMeasure(req: Request) async throws -> Response {
        try await measureFormPage(req, draft: MeasureDraft(slug: "", name: ""), isNew: true, errors: [], status: .ok)
    }

    @Sendable func editMeasure(req: Request) async throws -> Response {
        let slug = req.parameters.get("slug") ?? ""
        guard let m = try await service.measures.find(slug: slug, on: req.db) else {
            throw Abort(.notFound, reason: "There is no measure “\(slug.prefix(80))”.")
        }
        let themes = try await service.measures.themes(on: req.db)[m.id] ?? []
        let draft = MeasureDraft(
            slug: m.slug, name: m.name, definition: m.definition, unit: m.unit, frequency: m.frequency,
            direction: m.direction, owner: m.owner, source: m.sourceKind, categories: m.categoryList,
            geography: m.geography ?? .force, geographyID: m.geographyId, perThousand: m.isRate,
            activityType: m.activityType, baselineFirst: m.baselineFirst, baselineLast: m.baselineLast,
            baselineValue: m.baselineValue, targetKind: m.targetKind, targetValue: m.targetValue, targetBy: m.targetBy,
            fixLimitsAfter: m.fixLimitsAfter, themes: themes)
        return try await measureFormPage(req, draft: draft, isNew: false, errors: [], status: .ok)
    }

    private func measureFormPage(
        _ req: Request, draft d: MeasureDraft, isNew: Bool, errors: [FieldError], status: HTTPStatus,
        raw: [String: String] = [:]
    ) async throws -> Response {
        func month(_ v: Int?) -> String { v.map(ByteParsing.monthString) ?? "" }
        func number(_ v: Double?) -> String { v.map { HotspotExport.number($0) } ?? "" }
        var form: [String: String] = [
            "slug": d.slug, "name": d.name, "definition": d.definition, "unit": d.unit, "owner": d.owner,
            "geographyID": d.geographyID, "baselineFirst": month(d.baselineFirst),
            "baselineLast": month(d.baselineLast),
            "baselineValue": number(d.baselineValue), "targetValue": number(d.targetValue),
            "targetBy": month(d.targetBy), "fixLimitsAfter": d.fixLimitsAfter.map(String.init) ?? "",
            "perThousand": d.perThousand ? "on" : "",
        ]
        form.merge(raw) { _, typed in typed }
        var themes: [PlanStore.Theme] = []
        if let plan = try await service.plans.current(on: req.db) {
            themes = try await service.plans.themes(of: plan, on: req.db)
        }
        func options<T: RawRepresentable>(_ all: [T], _ chosen: T, _ label: (T) -> String) -> [SelectOption]
        where T.RawValue == String {
            all.map { SelectOption(value: $0.rawValue, label: label($0), selected: $0 == chosen) }
        }
        let page = MeasureFormPage(
            title: isNew ? "A new measure" : "Edit: \(d.name)", isNew: isNew, form: form,
            sources: options(MeasureSource.allCases, d.source) { Self.sourceLabel($0) },
            frequencies: options(MeasureFrequency.allCases, d.frequency) { $0.label },
            directions: options(SPC.Direction.allCases, d.direction) {
                $0 == .up ? "Higher is better" : $0 == .down ? "Lower is better" : "Neither"
            },
            geographies: options(MeasureGeography.allCases, d.geography) {
                switch $0 {
                case .force: "Police force (e.g. norfolk)"
                case .localAuthority: "Local authority (ONS code, e.g. E07000148)"
                case .area: "Stored area (its short name)"
                }
            },
            targetKinds: [
                SelectOption(value: "", label: "No target", selected: d.targetKind == .none),
                SelectOption(value: "value", label: "A value", selected: d.targetKind == .value),
                SelectOption(value: "percent", label: "% change on the baseline", selected: d.targetKind == .percent),
            ],
            categories: CrimeCategory.known.map {
                SelectOption(value: $0.slug, label: $0.name, selected: d.categories.contains($0.slug))
            } + [
                SelectOption(
                    value: "all-crime", label: "All crime (not ASB)", selected: d.categories.contains("all-crime"))
            ],
            activityTypes: [SelectOption(value: "", label: "—")]
                + ActivityType.all.map {
                    SelectOption(value: $0.slug, label: $0.label, selected: $0.slug == d.activityType)
                },
            themes: themes.map { SelectOption(value: $0.slug, label: $0.title, selected: d.themes.contains($0.slug)) },
            csrf: req.csrfToken, errors: errors, hasErrors: !errors.isEmpty)
        return try await req.render("plan/measure-form", page, status: status)
    }

    static func sourceLabel(_ s: MeasureSource) -> String {
        switch s {
        case .crimes: "Crimes or ASB counted from police.uk"
        case .stopSearchFindRate: "Stop and search find rate (police.uk)"
        case .chargeSummonsShare: "Share of crimes charged or summonsed (police.uk outcomes)"
        case .activity: "Delivered activity from the ledger"
        case .entered: "Entered figures (form, CSV or API)"
        }
    }

    /// The form as a draft, and the problems with what could not be read as typed.
    static func draft(from f: MeasureForm) -> (MeasureDraft, [FieldError]) {
        var problems: [FieldError] = []
        func month(_ key: String, _ text: String?) -> Int? {
            let t = (text ?? "").trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty else { return nil }
            guard let m = ByteParsing.month(t) else {
                problems.append(FieldError(field: key, message: "Give the month as YYYY-MM, e.g. 2025-03"))
                return nil
            }
            return m
        }
        func number(_ key: String, _ text: String?) -> Double? {
            let t = (text ?? "").replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty else { return nil }
            guard let v = Double(t), v.isFinite else {
                problems.append(FieldError(field: key, message: "Enter a number"))
                return nil
            }
            return v
        }
        var d = MeasureDraft(
            slug: (f.slug ?? "").trimmingCharacters(in: .whitespaces),
            name: (f.name ?? "").trimmingCharacters(in: .whitespaces))
        if d.slug.isEmpty { d.slug = Slug.make(d.name) }
        d.definition = f.definition ?? ""
        d.unit = f.unit ?? ""
        d.owner = f.owner ?? ""
        d.frequency = MeasureFrequency(rawValue: f.frequency ?? "") ?? .monthly
        d.direction = SPC.Direction(rawValue: f.direction ?? "") ?? .down
        d.source = MeasureSource(rawValue: f.source ?? "") ?? .entered
        d.categories = f.categories ?? []
        d.geography = MeasureGeography(rawValue: f.geography ?? "") ?? .force
        d.geographyID = (f.geographyID ?? "").trimmingCharacters(in: .whitespaces)
        d.perThousand = f.perThousand == "on"
        d.activityType = f.activityType ?? ""
        d.baselineFirst = month("baselineFirst", f.baselineFirst)
        d.baselineLast = month("baselineLast", f.baselineLast)
        d.baselineValue = number("baselineValue", f.baselineValue)
        d.targetKind = MeasureTargetKind(rawValue: f.targetKind ?? "") ?? .none
        d.targetValue = number("targetValue", f.targetValue)
        d.targetBy = month("targetBy", f.targetBy)
        if let n = f.fixLimitsAfter?.trimmingCharacters(in: .whitespaces), !n.isEmpty {
            if let k = Int(n) {
                d.fixLimitsAfter = k
            } else {
                problems.append(FieldError(field: "fixLimitsAfter", message: "Enter a whole number of points"))
            }
        }
        d.themes = f.themes ?? []
        return (d, problems)
    }

    @Sendable func saveMeasure(req: Request) async throws -> Response {
        let f = try req.content.decode(MeasureForm.self)
        let (draft, unread) = Self.draft(from: f)
        let isNew = try await service.measures.find(slug: draft.slug, on: req.db) == nil
        let raw = [
            "baselineFirst": f.baselineFirst, "baselineLast": f.baselineLast, "baselineValue": f.baselineValue,
            "targetValue": f.targetValue, "targetBy": f.targetBy, "fixLimitsAfter": f.fixLimitsAfter,
        ].compactMapValues { $0 }
        let known = Set(CrimeCategory.known.map(\.slug))
        var themes: Set<String> = []
        if let plan = try await service.plans.current(on: req.db) {
            themes = Set(try await service.plans.themes(of: plan, on: req.db).map(\.slug))
        }
        var problems = unread + draft.problems(knownCategories: known)
        if draft.slug == "new" {
            problems.append(FieldError(field: "slug", message: "“new” is not a measure's short name"))
        }
        if let t = draft.themes.first(where: { !themes.contains($0) }) {
            problems.append(FieldError(field: "themes", message: "The plan has no theme “\(t.prefix(80))”"))
        }
        guard problems.isEmpty else {
            return try await measureFormPage(
                req, draft: draft, isNew: isNew, errors: problems, status: .unprocessableEntity, raw: raw)
        }
        try await service.measures.save(draft, knownCategories: known, by: req.currentUser, on: req.db)
        if draft.source.isComputed { try await service.refresh(on: req.db) }
        return req.redirect(to: SiteURL.planMeasure(draft.slug))
    }

    @Sendable func addRebase(req: Request) async throws -> Response {
        let slug = req.parameters.get("slug") ?? ""
        guard let m = try await service.measures.find(slug: slug, on: req.db) else {
            throw Abort(.notFound, reason: "There is no measure “\(slug.prefix(80))”.")
        }
        struct Form: Decodable { var period: String?; var reason: String? }
        let f = try req.content.decode(Form.self)
        var errors: [FieldError] = []
        let period = ByteParsing.month(f.period ?? "")
        if period == nil {
            errors.append(FieldError(field: "rebase-period", message: "Give the month of the change as YYYY-MM"))
        }
        let reason = (f.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty || reason.count > 500 {
            errors.append(
                FieldError(field: "rebase-reason", message: "Say why the limits start again (up to 500 characters)"))
        }
        guard let period, errors.isEmpty else {
            throw Abort(.unprocessableEntity, reason: errors.map(\.message).joined(separator: "; "))
        }
        try await service.measures.addRebase(m, period: period, reason: reason, by: req.currentUser, on: req.db)
        return req.redirect(to: SiteURL.planMeasure(m.slug))
    }

    // MARK: What serves a theme

    @Sendable func linkCampaign(req: Request) async throws -> Response {
        let slug = req.parameters.get("slug") ?? ""
        guard let plan = try await service.plans.current(on: req.db),
            try await service.plans.themes(of: plan, on: req.db).contains(where: { $0.slug == slug })
        else { throw Abort(.notFound, reason: "The plan has no theme “\(slug.prefix(80))”.") }
        struct Form: Decodable { var campaign: String? }
        guard let c = try await campaigns.lookup(slug: try req.content.decode(Form.self).campaign ?? "", on: req.db)
        else { throw Abort(.unprocessableEntity, reason: "Choose a campaign from the list.") }
        try await service.plans.link(campaignID: c.id, theme: slug, by: req.currentUser, on: req.db)
        return req.redirect(to: SiteURL.planTheme(slug))
    }
}
