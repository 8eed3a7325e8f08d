import CrimeData
import Fluent
import Vapor

/// The activity ledger: record one activity on a form, upload many as CSV (all or
/// nothing), and list what the user may see. Records always belong to the user's own
/// organisation.
struct ActivityController: Sendable {
    let store: ActivityStore
    let areas: AreaStore
    let campaigns: CampaignStore
    var today: @Sendable () -> CalendarDay = { CalendarDay(Date()) }

    typealias Option = SelectOption

    struct FieldView: Encodable {
        var name: String
        var label: String
        var hint: String
        var value: String
        var isChoice: Bool
        var isLongText: Bool
        var options: [Option]
        var inputMode: String
    }

    // MARK: List

    struct ListPage: Encodable {
        struct Row: Encodable {
            var href: String
            var date: String
            var type: String
            var organisation: String
            var place: String
            var amount: String
            var visibility: String
        }
        struct TotalRow: Encodable { var type: String; var records: String; var amount: String }
        var title = "Activity"
        var rows: [Row]
        var totals: [TotalRow]
        var hasRows: Bool
        var saved: String?
    }

    @Sendable func list(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let records = try await store.latest(for: user, on: req.db)
        let totals = try await store.totals(by: .type, for: user, on: req.db)
        let rows = records.map { r in
            let t = ActivityType.named(r.type)
            return ListPage.Row(
                href: SiteURL.activity(r.id), date: CalendarDay(r.occurredOn)?.long ?? r.occurredOn,
                type: t?.label ?? r.type, organisation: r.organisationName,
                place: [r.areaName, r.location.isEmpty ? nil : r.location].compactMap { $0 }.joined(separator: ", "),
                amount:
                    "\(Format.number(r.quantity, decimals: r.quantity == r.quantity.rounded() ? 0 : 2)) \(t?.quantityUnit ?? "")",
                visibility: ActivityVisibility(rawValue: r.visibility)?.rawValue.capitalizedFirst ?? r.visibility)
        }
        let totalRows = totals.map { t in
            let type = ActivityType.named(t.label)
            return ListPage.TotalRow(
                type: type?.label ?? t.label, records: Format.count(t.records),
                amount: "\(Format.number(t.quantity, decimals: 0)) \(type?.quantityUnit ?? "")")
        }
        let saved =
            (try? req.query.get(Int.self, at: "saved")).map { "\(Format.counted($0, "record", "records")) saved." }
            ?? (try? req.query.get(Int.self, at: "changed")).map { "Record \($0) changed." }
            ?? (try? req.query.get(Int.self, at: "deleted")).map { "Record \($0) deleted." }
        return try await req.render(
            "activities/index", ListPage(rows: rows, totals: totalRows, hasRows: !rows.isEmpty, saved: saved))
    }

    // MARK: One record on a form

    struct FormPage: Encodable {
        var title: String
        var type: String
        var typeLabel: String
        var hasTime: Bool
        var csrf: String
        var date: String
        var time: String
        var location: String
        var areas: [Option]
        var campaigns: [Option]
        var fields: [FieldView]
        var visibilities: [Option]
        var errors: [FieldError]
        var hasErrors: Bool
        var typeChoices: [Option]
        var choosing: Bool
        /// Where the form posts: a new record, or the record being changed.
        var action = SiteURL.activities()
        var recordID: Int?
        var saveLabel = "Save record"
    }

    private func formPage(_ req: Request, draft: ActivityDraft, errors: [FieldError], recordID: Int? = nil) async throws
        -> Response
    {
        let user = try req.signedInUser()
        let type = ActivityType.named(draft.type)
        let areas = try await self.areas.list(on: req.db)
        let campaigns = try await self.campaigns.list(for: user, on: req.db)
        let page = FormPage(
            title: recordID != nil
                ? "Change record \(recordID!)"
                : type.map { "Record: \($0.label.lowercased())" } ?? "Record an activity", type: draft.type,
            typeLabel: type?.label ?? "",
            hasTime: type?.hasTime ?? false, csrf: req.csrfToken, date: draft.date, time: draft.time,
            location: draft.location,
            areas: [Option(value: "", label: "No named area", selected: draft.area.isEmpty)]
                + areas.map { Option(value: $0.slug, label: $0.name, selected: $0.slug == draft.area) },
            campaigns: [Option(value: "", label: "Not part of a campaign", selected: draft.campaign.isEmpty)]
                + campaigns.map { Option(value: $0.slug, label: $0.name, selected: $0.slug == draft.campaign) },
            fields: (type?.fields ?? []).map { f in
                var options: [Option] = []
                if case .choice(let values) = f.kind {
                    options = values.map { Option(value: $0, label: $0, selected: draft.fields[f.name] == $0) }
                }
                var isLong = false
                if case .text(let max) = f.kind, max > 200 { isLong = true }
                var mode = "text"
                if case .integer = f.kind { mode = "numeric" }
                if case .number = f.kind { mode = "decimal" }
                return FieldView(
                    name: f.name, label: f.label + (f.required ? "" : " (optional)"), hint: f.hint,
                    value: draft.fields[f.name] ?? "",
                    isChoice: !options.isEmpty, isLongText: isLong, options: options, inputMode: mode)
            },
            visibilities: ActivityVisibility.allCases.map {
                Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == draft.visibility)
            },
            errors: errors, hasErrors: !errors.isEmpty,
            typeChoices: ActivityType.all.map { Option(value: $0.slug, label: "\($0.group): \($0.label)") },
            choosing: type == nil,
            action: recordID.map { SiteURL.activity($0) } ?? SiteURL.activities(), recordID: recordID,
            saveLabel: recordID == nil ? "Save record" : "Save changes")
        return try await req.render("activities/new", page, status: errors.isEmpty ? .ok : .badRequest)
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        let type = (try? req.query.get(String.self, at: "type")) ?? ""
        return try await formPage(req, draft: ActivityDraft(type: type, date: today().description), errors: [])
    }

    private func draft(from req: Request, type: String? = nil) throws -> ActivityDraft {
        let form = try req.content.decode([String: String].self)
        var draft = ActivityDraft(
            type: type ?? form["type"] ?? "", date: form["date"] ?? "", time: form["time"] ?? "",
            area: form["area"] ?? "",
            location: form["location"] ?? "", campaign: form["campaign"] ?? "",
            visibility: form["visibility"] ?? "private")
        if let t = ActivityType.named(draft.type) { for f in t.fields { draft.fields[f.name] = form[f.name] } }
        return draft
    }

    @Sendable func create(req: Request) async throws -> Response {
        let draft = try draft(from: req)
        let user = try req.signedInUser()
        let choices = try await store.choices(for: user, on: req.db)
        switch draft.check(areas: choices.areas, campaigns: choices.campaigns, today: today()) {
        case .failure(let e): return try await formPage(req, draft: draft, errors: e.errors)
        case .success(let checked):
            try await store.insert([checked], by: user, source: "form", on: req.db)
            return req.redirect(to: SiteURL.activities.with(query: "saved=1"))
        }
    }

    // MARK: One stored record: see it, change it, delete it

    /// The record, if the user may see it; a 404 otherwise (whether or not it exists).
    private func visibleRecord(_ req: Request) async throws -> ActivityStore.Record {
        guard let id = req.parameters.get("id", as: Int.self),
            let record = try await store.find(id, for: try req.signedInUser(), on: req.db)
        else {
            throw Abort(.notFound, reason: "There is no such activity record among those you can see.")
        }
        return record
    }

    /// The record, if the user may change it; a 404 otherwise, so ids cannot be probed.
    private func changeableRecord(_ req: Request) async throws -> ActivityStore.Record {
        let record = try await visibleRecord(req)
        guard ActivityStore.mayChange(record, try req.signedInUser()) else {
            throw Abort(.notFound, reason: "There is no such activity record among your organisation's records.")
        }
        return record
    }

    struct RecordPage: Encodable {
        struct Field: Encodable { var label: String; var value: String }
        var title: String
        var fields: [Field]
    }

    @Sendable func show(req: Request) async throws -> Response {
        let record = try await visibleRecord(req)
        if ActivityStore.mayChange(record, try req.signedInUser()) {
            return try await formPage(req, draft: record.draft, errors: [], recordID: record.id)
        }
        let type = ActivityType.named(record.type)
        let details = record.detailFields
        var fields: [RecordPage.Field] = [
            .init(label: "Activity", value: type?.label ?? record.type),
            .init(label: "Organisation", value: record.organisationName),
            .init(label: "Date", value: CalendarDay(record.occurredOn)?.long ?? record.occurredOn),
        ]
        if let t = record.startTime { fields.append(.init(label: "Start time", value: t)) }
        fields += [
            .init(label: "Area", value: record.areaName ?? "No named area"),
            .init(label: "Location", value: record.location),
            .init(label: "Campaign", value: record.campaignName ?? "Not part of a campaign"),
        ]
        fields += (type?.fields ?? []).compactMap { f in details[f.name].map { .init(label: f.label, value: $0) } }
        fields.append(
            .init(
                label: "Who may see it",
                value: ActivityVisibility(rawValue: record.visibility)?.label ?? record.visibility))
        return try await req.render(
            "activities/show", RecordPage(title: "Activity record \(record.id)", fields: fields)
        )
    }

    @Sendable func update(req: Request) async throws -> Response {
        let record = try await changeableRecord(req)
        let draft = try draft(from: req, type: record.type)
        let user = try req.signedInUser()
        let choices = try await store.choices(for: user, on: req.db)
        switch draft.check(areas: choices.areas, campaigns: choices.campaigns, today: today()) {
        case .failure(let e): return try await formPage(req, draft: draft, errors: e.errors, recordID: record.id)
        case .success(let checked):
            try await store.update(record, to: checked, by: user, on: req.db)
            return req.redirect(to: SiteURL.activities.with(query: "changed=\(record.id)"))
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let record = try await changeableRecord(req)
        try await store.delete(record, by: try req.signedInUser(), on: req.db)
        return req.redirect(to: SiteURL.activities.with(query: "deleted=\(record.id)"))
    }

    // MARK: CSV upload, all or nothing

    struct UploadPage: Encodable {
        struct RowError: Encodable { var line: Int; var field: String; var message: String }
        var title = "Upload activity records"
        var csrf: String
        var types: [Option]
        var errors: [RowError]
        var hasErrors: Bool
        var problem: String?
        var file: String
        /// Each type's CSV template: its label and its download path.
        var templates: [Option] = ActivityType.all.map {
            Option(value: SiteURL.activityTemplate("\($0.slug).csv"), label: $0.label)
        }
    }

    @Sendable func uploadForm(req: Request) async throws -> Response {
        try await req.render(
            "activities/upload",
            UploadPage(
                csrf: req.csrfToken, types: ActivityType.all.map { Option(value: $0.slug, label: $0.label) },
                errors: [], hasErrors: false,
                problem: nil, file: ""))
    }

    struct UploadForm: Content {
        var type: String?
        var file: File?
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let form = try req.content.decode(UploadForm.self)
        let typeOptions = ActivityType.all.map {
            Option(value: $0.slug, label: $0.label, selected: $0.slug == form.type)
        }
        func page(_ errors: [UploadPage.RowError], problem: String?, file: String) async throws -> Response {
            let p = UploadPage(
                csrf: req.csrfToken, types: typeOptions, errors: Array(errors.prefix(200)), hasErrors: !errors.isEmpty,
                problem: problem, file: file)
            return try await req.render("activities/upload", p, status: .badRequest)
        }
        guard let type = form.type.flatMap(ActivityType.named) else {
            return try await page([], problem: "Choose the type of activity in the file", file: "")
        }
        guard let file = form.file, file.data.readableBytes > 0 else {
            return try await page([], problem: "Choose a CSV file to upload", file: "")
        }
        let name = file.filename
        let user = try req.signedInUser()
        let choices = try await store.choices(for: user, on: req.db)
        let parsed: Result<[ActivityDraft.Checked], ActivityCSV.Failure>
        let bytes = Array(file.data.readableBytesView), day = today()
        // Up to 100,000 rows checked: on the heavy-work thread, never a request thread.
        parsed = try await req.application.heavyWork.run {
            ActivityCSV.read(bytes, type: type, areas: choices.areas, campaigns: choices.campaigns, today: day)
        }
        switch parsed {
        case .failure(.refused(let message)):
            return try await page([], problem: "\(name): \(message). Nothing was saved.", file: name)
        case .failure(.rows(let errors)):
            return try await page(
                errors.map { .init(line: $0.line, field: $0.field, message: $0.message) },
                problem:
                    "\(name): \(Format.counted(errors.count, "problem", "problems")) in the file. Nothing was saved; correct the rows and upload the whole file again.",
                file: name)
        case .success(let records):
            try await store.insert(records, by: user, source: name, on: req.db)
            return req.redirect(to: SiteURL.activities.with(query: "saved=\(records.count)"))
        }
    }

    @Sendable func template(req: Request) async throws -> Response {
        guard let slug = req.parameters.get("type")?.replacingOccurrences(of: ".csv", with: ""),
            let type = ActivityType.named(slug)
        else {
            throw Abort(.notFound, reason: "There is no such activity type.")
        }
        return download(
            ActivityCSV.template(type, today: today()), type: "text/csv; charset=utf-8",
            name: "\(type.slug)-template.csv")
    }
}
