import Fluent
import Foundation
import SQLKit

/// The plan's measures, their values and rebases.
struct MeasureStore: Sendable {
    let audit: AuditLog

    private static let columns = """
        id, slug, name, definition, unit, frequency, direction, owner, source_kind, categories, geography_kind,
        geography_id, per_thousand, activity_type, baseline_first, baseline_last, baseline_value, target_kind,
        target_value, target_by, fix_limits_after, position, created_at
        """

    func all(on db: any Database) async throws -> [Measure] {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM measures ORDER BY position, id").rows(Measure.self)
    }

    func find(slug: String, on db: any Database) async throws -> Measure? {
        try await db.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM measures WHERE slug = \(bind: slug)").row(
            Measure.self)
    }

    /// Measure id → the theme slugs it serves.
    func themes(on db: any Database) async throws -> [Int: [String]] {
        struct Row: Decodable { var measureId: Int; var themeSlug: String }
        let rows = try await db.sql.raw("SELECT measure_id, theme_slug FROM measure_themes ORDER BY theme_slug").rows(
            Row.self)
        return Dictionary(grouping: rows, by: \.measureId).mapValues { $0.map(\.themeSlug) }
    }

    /// Every value of every measure, by measure id, in period order: the figures alone. The
    /// scorecard reads thousands of them on every view, so they are read column by column
    /// rather than through a `Decodable` row (a third of the page's time, BENCHMARKS.md).
    func values(on db: any Database) async throws -> [Int: [MeasureValue]] {
        let rows = try await db.sql.raw(
            "SELECT measure_id, period, value, numerator FROM measure_values ORDER BY measure_id, period"
        ).all()
        var out: [Int: [MeasureValue]] = [:]
        for r in rows {
            let id = try r.decode(column: "measure_id", as: Int.self)
            out[id, default: []].append(
                MeasureValue(
                    measureId: id, period: try r.decode(column: "period", as: Int.self),
                    value: try r.decode(column: "value", as: Double.self),
                    numerator: try r.decode(column: "numerator", as: Double?.self), denominator: nil, computed: 0,
                    source: "", enteredBy: nil, enteredAt: ""))
        }
        return out
    }

    /// Every value of every measure with its source and who entered it (the CSV of figures).
    func fullValues(on db: any Database) async throws -> [Int: [MeasureValue]] {
        let rows = try await db.sql.raw(
            """
            SELECT measure_id, period, value, numerator, denominator, computed, source, entered_by, entered_at
            FROM measure_values ORDER BY measure_id, period
            """
        ).rows(MeasureValue.self)
        return Dictionary(grouping: rows, by: \.measureId)
    }

    func values(of m: Measure, on db: any Database) async throws -> [MeasureValue] {
        try await db.sql.raw(
            """
            SELECT measure_id, period, value, numerator, denominator, computed, source, entered_by, entered_at
            FROM measure_values WHERE measure_id = \(bind: m.id) ORDER BY period
            """
        ).rows(MeasureValue.self)
    }

    func rebases(on db: any Database) async throws -> [Int: [MeasureRebase]] {
        let rows = try await db.sql.raw("SELECT measure_id, period, reason FROM measure_rebases ORDER BY period").rows(
            MeasureRebase.self)
        return Dictionary(grouping: rows, by: \.measureId)
    }

    /// Creates the measure, or replaces the definition of the one with its slug (its values
    /// stay). Audited.
    @discardableResult
    func save(_ d: MeasureDraft, knownCategories: Set<String>, by user: CurrentUser?, on db: any Database)
        async throws -> Measure
    {
        let problems = d.problems(knownCategories: knownCategories)
        guard problems.isEmpty else { throw FieldErrors(errors: problems) }
        let before = try await find(slug: d.slug, on: db)
        try await db.transaction { tx in
            let id: Int
            if let before {
                id = before.id
                try await tx.sql.raw(
                    """
                    UPDATE measures SET name = \(bind: d.name), definition = \(bind: d.definition), unit = \(bind: d.unit),
                      frequency = \(bind: d.frequency.rawValue), direction = \(bind: d.direction.rawValue),
                      owner = \(bind: d.owner), source_kind = \(bind: d.source.rawValue),
                      categories = \(bind: d.categories.joined(separator: ",")), geography_kind = \(bind: d.geography.rawValue),
                      geography_id = \(bind: d.geographyID), per_thousand = \(bind: d.perThousand ? 1 : 0),
                      activity_type = \(bind: d.activityType), baseline_first = \(bind: d.baselineFirst),
                      baseline_last = \(bind: d.baselineLast), baseline_value = \(bind: d.baselineValue),
                      target_kind = \(bind: d.targetKind.rawValue), target_value = \(bind: d.targetValue),
                      target_by = \(bind: d.targetBy), fix_limits_after = \(bind: d.fixLimitsAfter)
                    WHERE id = \(bind: id)
                    """
                ).run()
                try await tx.sql.raw("DELETE FROM measure_themes WHERE measure_id = \(bind: id)").run()
            } else {
                let position =
                    try await tx.sql.raw("SELECT COALESCE(MAX(position), 0) + 1 AS p FROM measures").first(
                        decodingColumn: "p", as: Int.self) ?? 1
                id = try await tx.sql.raw(
                    """
                    INSERT INTO measures (slug, name, definition, unit, frequency, direction, owner, source_kind, categories,
                      geography_kind, geography_id, per_thousand, activity_type, baseline_first, baseline_last,
                      baseline_value, target_kind, target_value, target_by, fix_limits_after, position, created_at)
                    VALUES (\(bind: d.slug), \(bind: d.name), \(bind: d.definition), \(bind: d.unit),
                      \(bind: d.frequency.rawValue), \(bind: d.direction.rawValue), \(bind: d.owner),
                      \(bind: d.source.rawValue), \(bind: d.categories.joined(separator: ",")),
                      \(bind: d.geography.rawValue), \(bind: d.geographyID), \(bind: d.perThousand ? 1 : 0),
                      \(bind: d.activityType), \(bind: d.baselineFirst), \(bind: d.baselineLast),
                      \(bind: d.baselineValue), \(bind: d.targetKind.rawValue), \(bind: d.targetValue),
                      \(bind: d.targetBy), \(bind: d.fixLimitsAfter), \(bind: position), \(bind: Date().stored))
                    RETURNING id
                    """
                ).insertedID()
            }
            for theme in Set(d.themes).sorted() {
                try await tx.sql.raw(
                    "INSERT INTO measure_themes (measure_id, theme_slug) VALUES (\(bind: id), \(bind: theme))"
                ).run()
            }
            try await audit.record(
                before == nil ? "create" : "update", entity: "measure", id: d.slug, before: before, after: d,
                by: user, on: tx)
        }
        guard let saved = try await find(slug: d.slug, on: db) else { throw InsertError.noRowReturned }
        return saved
    }

    func addRebase(_ m: Measure, period: Int, reason: String, by user: CurrentUser?, on db: any Database) async throws {
        try await db.transaction { tx in
            try await tx.sql.raw(
                "DELETE FROM measure_rebases WHERE measure_id = \(bind: m.id) AND period = \(bind: period)"
            )
            .run()
            try await tx.sql.raw(
                "INSERT INTO measure_rebases (measure_id, period, reason) VALUES (\(bind: m.id), \(bind: period), \(bind: reason))"
            ).run()
            try await audit.record(
                "rebase", entity: "measure", id: m.slug, before: String?.none,
                after: ["period": String(period), "reason": reason], by: user, on: tx)
        }
    }

    /// Replaces every computed value of the measures given (one transaction).
    func replaceComputed(_ series: [Int: [ComputedValue]], on db: any Database) async throws {
        let now = Date().stored
        try await db.transaction { tx in
            for (id, values) in series {
                try await tx.sql.raw("DELETE FROM measure_values WHERE measure_id = \(bind: id) AND computed = 1").run()
                for chunk in values.chunks(of: 200) {
                    var q = SQLQueryString(
                        "INSERT INTO measure_values (measure_id, period, value, numerator, denominator, computed, source, entered_at) VALUES "
                    )
                    for (k, v) in chunk.enumerated() {
                        if k > 0 { q.appendInterpolation(unsafeRaw: ", ") }
                        q.appendInterpolation(
                            unsafeRaw:
                                "(\(id), \(v.period), \(v.value), \(v.numerator.map { "\($0)" } ?? "NULL"), \(v.denominator.map { "\($0)" } ?? "NULL"), 1, "
                        )
                        q.appendInterpolation(bind: v.source)
                        q.appendInterpolation(unsafeRaw: ", ")
                        q.appendInterpolation(bind: now)
                        q.appendInterpolation(unsafeRaw: ")")
                    }
                    try await tx.sql.raw(q).run()
                }
            }
        }
    }

    /// Stores entered figures, all or none: each replaces the figure of its period. Audited
    /// as one change.
    func enter(
        _ rows: [EnteredValue], by user: CurrentUser?, origin: String, on db: any Database
    ) async throws {
        let now = Date().stored
        try await db.transaction { tx in
            for r in rows {
                try await tx.sql.raw(
                    "DELETE FROM measure_values WHERE measure_id = \(bind: r.measure.id) AND period = \(bind: r.period)"
                ).run()
                try await tx.sql.raw(
                    """
                    INSERT INTO measure_values (measure_id, period, value, computed, source, entered_by, entered_at)
                    VALUES (\(bind: r.measure.id), \(bind: r.period), \(bind: r.value), 0, \(bind: r.source),
                      \(bind: user?.id), \(bind: now))
                    """
                ).run()
            }
            try await audit.record(
                "enter", entity: "measure-values", id: origin, before: String?.none,
                after: rows.map {
                    ["measure": $0.measure.slug, "period": String($0.period), "value": String($0.value)]
                },
                by: user, on: tx)
        }
    }
}

/// A computed figure before it is stored.
struct ComputedValue: Sendable, Equatable {
    var period: Int
    var value: Double
    var numerator: Double?
    var denominator: Double?
    var source: String
}

/// An entered figure, checked.
struct EnteredValue: Sendable {
    var measure: Measure
    var period: Int
    var value: Double
    var source: String
}
