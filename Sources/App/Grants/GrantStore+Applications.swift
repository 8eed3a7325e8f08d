import Fluent
import Foundation
import SQLKit

/// Applications: started by an organisation's user, saved as drafts by anyone of that
/// organisation, submitted once (final and time-stamped; refused after the round closes),
/// with their private files.
extension GrantStore {
    private static let applicationSelect = """
        SELECT a.id, a.round_id, a.organisation_id, o.name AS organisation_name, a.title, a.amount_requested_pence,
          a.status, a.created_at, a.updated_at, a.submitted_at, a.moderated_score, a.moderation_reason,
          a.recommendation, a.decision, a.decision_reason, a.decided_at
        FROM applications a JOIN organisations o ON o.id = a.organisation_id
        """

    func application(id: Int, on db: any Database) async throws -> Grants.Application? {
        try await db.sql.raw("\(unsafeRaw: Self.applicationSelect) WHERE a.id = \(bind: id)").row(
            Grants.Application.self)
    }

    func applications(of round: Grants.Round, on db: any Database) async throws -> [Grants.Application] {
        try await db.sql.raw(
            "\(unsafeRaw: Self.applicationSelect) WHERE a.round_id = \(bind: round.id) ORDER BY a.submitted_at, a.id"
        ).rows(Grants.Application.self)
    }

    func applications(ofOrganisation organisation: Int, on db: any Database) async throws -> [Grants.Application] {
        try await db.sql.raw(
            "\(unsafeRaw: Self.applicationSelect) WHERE a.organisation_id = \(bind: organisation) ORDER BY a.updated_at DESC"
        ).rows(Grants.Application.self)
    }

    func answers(of application: Grants.Application, on db: any Database) async throws -> [Int: String] {
        struct Row: Decodable { var questionId: Int; var answer: String }
        let rows = try await db.sql.raw(
            "SELECT question_id, answer FROM application_answers WHERE application_id = \(bind: application.id)"
        ).rows(Row.self)
        return Dictionary(rows.map { ($0.questionId, $0.answer) }, uniquingKeysWith: { a, _ in a })
    }

    func files(of application: Grants.Application, on db: any Database) async throws -> [Grants.FileInfo] {
        try await db.sql.raw(
            """
            SELECT id, application_id, kind, filename, content_type, size FROM application_files
            WHERE application_id = \(bind: application.id) ORDER BY id
            """
        ).rows(Grants.FileInfo.self)
    }

    func file(id: Int, of application: Grants.Application, on db: any Database) async throws -> (Grants.FileInfo, Data)?
    {
        struct Row: Decodable {
            var id: Int; var applicationId: Int; var kind: String; var filename: String; var contentType: String
            var size: Int; var content: Data
        }
        guard
            let r = try await db.sql.raw(
                """
                SELECT id, application_id, kind, filename, content_type, size, content FROM application_files
                WHERE id = \(bind: id) AND application_id = \(bind: application.id)
                """
            ).row(Row.self)
        else { return nil }
        return (
            .init(
                id: r.id, applicationId: r.applicationId, kind: r.kind, filename: r.filename,
                contentType: r.contentType, size: r.size), r.content
        )
    }

    /// Starts an application for the user's organisation while the round is open.
    func start(in round: Grants.Round, title: String, by user: CurrentUser, now: Date = Date(), on db: any Database)
        async throws -> Int
    {
        guard round.isOpen(at: now) else {
            throw Problem.invalid([FieldError(field: "round", message: "The round is not open for applications")])
        }
        let title = title.trimmingCharacters(in: .whitespaces)
        guard !title.isEmpty, title.count <= 200 else {
            throw Problem.invalid([
                FieldError(field: "title", message: "Give the project a title (up to 200 characters)")
            ])
        }
        return try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO applications (round_id, organisation_id, title, status, created_by, created_at, updated_at)
                VALUES (\(bind: round.id), \(bind: user.organisationID), \(bind: title),
                  \(bind: Grants.Status.draft.rawValue), \(bind: user.id), \(bind: now.stored), \(bind: now.stored))
                RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "create", entity: "application", id: String(id), before: String?.none, after: ["title": title],
                by: user,
                on: tx)
            return id
        }
    }

    /// Saves a draft's answers (only what is given replaces what was saved). A submitted
    /// application cannot change.
    func saveDraft(
        _ a: Grants.Application, title: String, answers: [Int: String], questions: [Grants.Question],
        by user: CurrentUser, on db: any Database
    ) async throws {
        guard a.status == .draft else {
            throw Problem.invalid([FieldError(field: "status", message: "A submitted application cannot be changed")])
        }
        let title = title.trimmingCharacters(in: .whitespaces)
        var problems: [FieldError] = []
        if title.isEmpty || title.count > 200 {
            problems.append(FieldError(field: "title", message: "Give the project a title (up to 200 characters)"))
        }
        let known = Set(questions.map(\.id))
        if answers.keys.contains(where: { !known.contains($0) })
            || answers.values.contains(where: { $0.count > 100_000 })
        {
            problems.append(FieldError(field: "answers", message: "An answer is for another round or too long"))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        let requested = Self.requestedPence(answers, questions: questions)
        try await db.transaction { tx in
            for (q, answer) in answers {
                try await tx.sql.raw(
                    "DELETE FROM application_answers WHERE application_id = \(bind: a.id) AND question_id = \(bind: q)"
                ).run()
                try await tx.sql.raw(
                    """
                    INSERT INTO application_answers (application_id, question_id, answer)
                    VALUES (\(bind: a.id), \(bind: q), \(bind: answer))
                    """
                ).run()
            }
            try await tx.sql.raw(
                """
                UPDATE applications SET title = \(bind: title), updated_at = \(bind: Date().stored),
                  amount_requested_pence = \(bind: requested ?? a.amountRequestedPence) WHERE id = \(bind: a.id)
                """
            ).run()
            try await audit.record(
                "save", entity: "application", id: String(a.id), before: String?.none,
                after: ["questions": answers.keys.sorted().map(String.init).joined(separator: ",")], by: user, on: tx)
        }
    }

    /// The budget question's total, the amount requested.
    static func requestedPence(_ answers: [Int: String], questions: [Grants.Question]) -> Int? {
        guard let q = questions.first(where: { $0.kind == .budget }), let text = answers[q.id],
            let lines = try? JSONDecoder().decode([Grants.BudgetLine].self, from: Data(text.utf8))
        else { return nil }
        return lines.flatMap(\.years).reduce(0, +)
    }

    enum Submission: Equatable {
        case submitted
        case ineligible([String])
    }

    /// Submits the application: final and time-stamped. Refused after the round closes or
    /// with answers missing or wrong (each named); an eligibility question answered "no"
    /// submits it as not eligible, with the reasons the applicant sees.
    func submit(
        _ a: Grants.Application, round: Grants.Round, questions: [Grants.Question], by user: CurrentUser,
        now: Date = Date(), on db: any Database
    ) async throws -> Submission {
        guard a.status == .draft else {
            throw Problem.invalid([FieldError(field: "status", message: "The application was submitted already")])
        }
        if round.hasClosed(at: now) {
            throw Problem.invalid([
                FieldError(
                    field: "round",
                    message: "The round closed at \(Format.dateTime(round.closesAt)): it is too late to submit")
            ])
        }
        let answers = try await answers(of: a, on: db)
        let (problems, ineligible) = Grants.check(answers, questions: questions)
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        let status: Grants.Status = ineligible.isEmpty ? .submitted : .ineligible
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                UPDATE applications SET status = \(bind: status.rawValue), submitted_at = \(bind: now.stored),
                  submitted_by = \(bind: user.id), updated_at = \(bind: now.stored),
                  decision_reason = \(bind: ineligible.joined(separator: "\n")) WHERE id = \(bind: a.id)
                """
            ).run()
            try await audit.record(
                "submit", entity: "application", id: String(a.id), before: ["status": a.status.rawValue],
                after: ["status": status.rawValue], by: user, on: tx)
        }
        return ineligible.isEmpty ? .submitted : .ineligible(ineligible)
    }

    func addFile(
        to a: Grants.Application, kind: String, filename: String, contentType: String, content: Data,
        by user: CurrentUser, on db: any Database
    ) async throws {
        try await db.transaction { tx in
            let id = try await tx.sql.raw(
                """
                INSERT INTO application_files (application_id, kind, filename, content_type, size, content, uploaded_by, uploaded_at)
                VALUES (\(bind: a.id), \(bind: kind), \(bind: filename), \(bind: contentType), \(bind: content.count),
                  \(bind: content), \(bind: user.id), \(bind: Date().stored)) RETURNING id
                """
            ).insertedID()
            try await audit.record(
                "upload", entity: "application-file", id: String(id), before: String?.none,
                after: ["application_id": String(a.id), "kind": kind, "filename": filename], by: user, on: tx)
        }
    }

    /// Sets the organisation's org-id identifier (its register number).
    func setIdentifier(_ identifier: String, organisation: Int, by user: CurrentUser?, on db: any Database) async throws
    {
        try await db.transaction { tx in
            try await tx.sql.raw(
                "UPDATE organisations SET org_identifier = \(bind: identifier) WHERE id = \(bind: organisation)"
            ).run()
            try await audit.record(
                "identifier", entity: "organisation", id: String(organisation), before: String?.none,
                after: ["org_identifier": identifier], by: user, on: tx)
        }
    }

    func identifier(of organisation: Int, on db: any Database) async throws -> String {
        struct Row: Decodable { var orgIdentifier: String }
        return try await db.sql.raw(
            "SELECT org_identifier FROM organisations WHERE id = \(bind: organisation)"
        ).row(Row.self)?.orgIdentifier ?? ""
    }
}
