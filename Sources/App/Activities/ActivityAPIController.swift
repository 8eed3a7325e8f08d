import CrimeData
import Fluent
import Vapor

/// The activity ledger as JSON, for partners' own systems (with an organisation's API
/// token) and for scripts of signed-in users. The same checks as the form and the CSV
/// upload; a batch is stored whole or not at all.
///
///     POST /api/v1/activities   {"records": [{"type": "patrol", "date": "2025-07-12", "time": "19:30",
///                                "area": "norwich-town-centre", "campaign": "…", "visibility": "shared",
///                                "fields": {"hours": 1.5, "officers": 2, "visits": 3, "style": "high-visibility"}}]}
///     GET  /api/v1/activities?campaign=slug&limit=200
///     GET  /api/v1/activity-types
struct ActivityAPIController: Sendable {
    let store: ActivityStore
    var today: @Sendable () -> CalendarDay = { CalendarDay(Date()) }
    static let maxRecords = 10_000

    /// A JSON scalar read as the text a form would have sent.
    struct Scalar: Decodable, Sendable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                text = s
            } else if let i = try? c.decode(Int.self) {
                text = String(i)
            } else if let d = try? c.decode(Double.self) {
                text = HotspotExport.number(d)
            } else if let b = try? c.decode(Bool.self) {
                text = b ? "true" : "false"
            } else if c.decodeNil() {
                text = ""
            } else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected text, a number or true/false")
            }
        }
    }

    struct RecordIn: Decodable, Sendable {
        var type: String?
        var date: String?
        var time: String?
        var area: String?
        var location: String?
        var campaign: String?
        var visibility: String?
        var fields: [String: Scalar]?

        var draft: ActivityDraft {
            ActivityDraft(
                type: type ?? "", date: date ?? "", time: time ?? "", area: area ?? "", location: location ?? "",
                campaign: campaign ?? "", visibility: visibility ?? "private",
                fields: (fields ?? [:]).mapValues(\.text))
        }
    }

    struct Batch: Decodable, Sendable { var records: [RecordIn] }

    typealias RecordError = APIRecordError
    typealias Refusal = APIRefusal
    struct Saved: Content { var saved: Int; var organisation: String }

    @Sendable func create(req: Request) async throws -> Response {
        let batch = try APIJSON.batch(Batch.self, from: req, example: "{\"records\": [ … ]}")
        guard !batch.records.isEmpty else {
            throw Abort(.badRequest, reason: "The records list is empty. Nothing was saved.")
        }
        guard batch.records.count <= Self.maxRecords else {
            throw Abort(
                .payloadTooLarge, reason: "Send at most \(Self.maxRecords) records at a time. Nothing was saved.")
        }
        let user = try req.signedInUser()
        let choices = try await store.choices(for: user, on: req.db)
        let today = today()
        var checked: [ActivityDraft.Checked] = []
        var errors: [RecordError] = []
        for (k, record) in batch.records.enumerated() {
            switch record.draft.check(areas: choices.areas, campaigns: choices.campaigns, today: today) {
            case .success(let c): checked.append(c)
            case .failure(let e):
                errors += e.errors.map { RecordError(record: k + 1, field: $0.field, message: $0.message) }
            }
        }
        guard errors.isEmpty else {
            return try APIJSON.response(
                APIRefusal(problems: errors), status: .unprocessableEntity, problem: true)
        }
        try await store.insert(
            checked, by: user, source: user.apiTokenID.map { "api-token:\($0)" } ?? "api", on: req.db)
        return try APIJSON.response(Saved(saved: checked.count, organisation: user.organisationName), status: .created)
    }

    struct RecordOut: Content {
        var id: Int
        var organisation: String
        var campaign: String?
        var area: String?
        var type: String
        var date: String
        var time: String?
        var location: String
        var quantity: Double
        var unit: String
        var fields: [String: String]
        var visibility: String
    }

    @Sendable func list(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let limit = (try? req.query.get(Int.self, at: "limit")) ?? 200
        guard (1...5000).contains(limit) else {
            throw Abort(.badRequest, reason: "limit: give a number from 1 to 5000")
        }
        var campaignID: Int?
        if let slug = try? req.query.get(String.self, at: "campaign") {
            guard let id = try await store.choices(for: user, on: req.db).campaigns[slug] else {
                throw Abort(.notFound, reason: "There is no campaign “\(slug)” that your organisation is part of.")
            }
            campaignID = id
        }
        let records = try await store.latest(for: user, campaignID: campaignID, limit: limit, on: req.db).map { r in
            RecordOut(
                id: r.id, organisation: r.organisationName, campaign: r.campaignSlug, area: r.areaSlug, type: r.type,
                date: r.occurredOn, time: r.startTime, location: r.location, quantity: r.quantity,
                unit: ActivityType.named(r.type)?.quantityUnit ?? "", fields: r.detailFields, visibility: r.visibility)
        }
        return try APIJSON.response(["records": records], status: .ok)
    }

    struct TypeOut: Content {
        struct FieldOut: Content { var name: String; var label: String; var required: Bool; var hint: String }
        var type: String
        var label: String
        var group: String
        var quantity_field: String
        var unit: String
        var has_time: Bool
        var fields: [FieldOut]
    }

    @Sendable func types(req: Request) async throws -> Response {
        try APIJSON.response(
            [
                "types": ActivityType.all.map { t in
                    TypeOut(
                        type: t.slug, label: t.label, group: t.group, quantity_field: t.quantityField,
                        unit: t.quantityUnit, has_time: t.hasTime,
                        fields: t.fields.map {
                            .init(name: $0.name, label: $0.label, required: $0.required, hint: $0.hint)
                        })
                }
            ], status: .ok)
    }
}
