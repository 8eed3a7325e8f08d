import Analytics
import Foundation
import Vapor

/// The quarterly statement of the national crime and policing measures: the draft for a
/// quarter (generated from the data for the latest complete quarter, then edited and
/// saved), published as it stands, and read by anyone on `/open/plan/national/:quarter`.
extension PlanController {
    struct NationalPage: Encodable {
        struct Row: Encodable {
            var key: String
            var title: String
            var guidance: String
            var figure: String
            var comment: String
        }
        var title: String
        var quarter: Int
        var label: String
        var introduction: String
        var rows: [Row]
        var saved: String
        var csrf: String
        var quarters: [SelectOption]
        var errors: [FieldError]
        var hasErrors: Bool
        var isOpen: Bool
        var published: String
    }

    private func statement(quarter: Int, _ req: Request) async throws -> (NationalStatement, String) {
        if let (fields, at) = try await publications.draft(quarter: quarter, on: req.db),
            let s = try? JSONDecoder().decode(NationalStatement.self, from: Data(fields.utf8))
        {
            return (s, "Draft saved \(Format.dateTime(at)).")
        }
        let scorecard = try await service.scorecard(sources: true, on: req.db)
        let force =
            scorecard.readings.first { $0.measure.sourceKind == .crimes && $0.measure.geography == .force }?.measure
            .geographyId ?? "norfolk"
        let s = try await NationalStatementDraft().generate(
            quarter: quarter, force: force, readings: scorecard.readings, on: req.db)
        return (s, "Not saved yet: generated from the data held.")
    }

    private func nationalPage(
        _ req: Request, _ s: NationalStatement, saved: String, errors: [FieldError], status: HTTPStatus
    ) async throws -> Response {
        let latest = try await NationalStatementDraft().latestQuarter(on: req.db) ?? s.quarter
        var quarters: [Int] = []
        var q = latest
        for _ in 0..<8 {
            quarters.append(q)
            q = MonthPeriod.add(-3, to: q)
        }
        let page = NationalPage(
            title: "National crime and policing measures", quarter: s.quarter, label: s.label,
            introduction: s.introduction,
            rows: s.entries.map {
                .init(
                    key: $0.priority.rawValue, title: $0.priority.title, guidance: $0.priority.guidance,
                    figure: $0.figure,
                    comment: $0.comment)
            }, saved: saved, csrf: req.csrfToken,
            quarters: quarters.map {
                SelectOption(value: String($0), label: NationalStatement.label($0), selected: $0 == s.quarter)
            }, errors: errors, hasErrors: !errors.isEmpty, isOpen: false, published: "")
        return try await req.render("plan/national", page, status: status)
    }

    @Sendable func national(req: Request) async throws -> Response {
        let asked = (try? req.query.get(String.self, at: "quarter")).flatMap(NationalStatement.quarter)
        let latest = try await NationalStatementDraft().latestQuarter(on: req.db)
        guard let quarter = asked ?? latest else {
            throw Abort(.conflict, reason: "No complete quarter of police.uk data has been imported yet.")
        }
        let (s, saved) = try await statement(quarter: quarter, req)
        return try await nationalPage(req, s, saved: saved, errors: [], status: .ok)
    }

    @Sendable func saveNational(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        guard let quarter = form["quarter"].flatMap(NationalStatement.quarter) else {
            throw Abort(.badRequest, reason: "Choose the quarter as YYYY-MM, its first month (e.g. 2025-07).")
        }
        let s = NationalStatement(
            quarter: quarter, introduction: form["introduction"] ?? "",
            entries: NationalPriority.allCases.map {
                .init(
                    priority: $0, figure: form["figure-\($0.rawValue)"] ?? "",
                    comment: form["comment-\($0.rawValue)"] ?? "")
            })
        let tooLong = s.problems().filter { $0.field.hasPrefix("comment") || $0.field == "introduction" }
        guard tooLong.isEmpty else {
            return try await nationalPage(req, s, saved: "Not saved.", errors: tooLong, status: .unprocessableEntity)
        }
        try await publications.saveDraft(
            quarter: quarter, fields: String(decoding: try JSONEncoder().encode(s), as: UTF8.self), by: req.currentUser,
            on: req.db)
        return req.redirect(to: SiteURL.planNational.with(query: "quarter=\(quarter)"))
    }

    @Sendable func publishNational(req: Request) async throws -> Response {
        guard let quarter = req.parameters.get("quarter").flatMap(NationalStatement.quarter) else {
            throw Abort(.notFound, reason: "That is not a quarter (its first month, YYYYMM).")
        }
        guard try await publications.draft(quarter: quarter, on: req.db) != nil else {
            throw Abort(
                .conflict, reason: "Save the statement for \(NationalStatement.label(quarter)) before publishing it.")
        }
        let (s, saved) = try await statement(quarter: quarter, req)
        let problems = s.problems()
        guard problems.isEmpty else {
            return try await nationalPage(req, s, saved: saved, errors: problems, status: .unprocessableEntity)
        }
        try await publications.publish(
            .national, period: String(quarter), title: "National crime and policing measures, \(s.label)",
            content: String(decoding: try JSONEncoder().encode(s), as: UTF8.self), by: req.currentUser, on: req.db)
        return req.redirect(to: SiteURL.openNational(quarter))
    }

    @Sendable func openNational(req: Request) async throws -> Response {
        guard let quarter = req.parameters.get("quarter").flatMap(NationalStatement.quarter),
            let (p, content) = try await publications.latest(kind: .national, period: String(quarter), on: req.db),
            let s = try? JSONDecoder().decode(NationalStatement.self, from: Data(content.utf8))
        else { throw Abort(.notFound, reason: "No statement has been published for that quarter.") }
        let page = NationalPage(
            title: "National crime and policing measures, \(s.label)", quarter: s.quarter, label: s.label,
            introduction: s.introduction,
            rows: s.entries.map {
                .init(
                    key: $0.priority.rawValue, title: $0.priority.title, guidance: "", figure: $0.figure,
                    comment: $0.comment)
            }, saved: "", csrf: "", quarters: [], errors: [], hasErrors: false, isOpen: true,
            published: "Published \(Format.dateTime(p.publishedAt)).")
        return try await req.render("plan/national", page)
    }
}
