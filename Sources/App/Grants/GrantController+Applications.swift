import Foundation
import Vapor

/// An application: started in an open round, saved as a draft by anyone of the applicant
/// organisation, submitted once; its private files; read by the panel and the officer.
extension GrantController {
    struct ApplicationContext {
        var application: Grants.Application
        var round: Grants.Round
        var viewer: GrantViewer
        var user: CurrentUser
        var panel: Set<Int>
        var conflicted: Set<Int>
    }

    /// The application if the viewer may read it; otherwise not found (a guessed id learns nothing).
    func context(_ req: Request) async throws -> ApplicationContext {
        let user = try req.signedInUser()
        let viewer = GrantViewer(user)
        guard let id = req.parameters.get("id", as: Int.self), let a = try await store.application(id: id, on: req.db),
            let r = try await store.round(id: a.roundId, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such application, or it is not yours to see.") }
        let panel = Set(try await store.panel(of: r, on: req.db).map(\.id))
        let conflicted = Set(try await store.conflicts(of: a, on: req.db).map(\.userID))
        guard viewer.reads(a, panel: panel, conflicted: conflicted) else {
            throw Abort(.notFound, reason: "There is no such application, or it is not yours to see.")
        }
        return ApplicationContext(
            application: a, round: r, viewer: viewer, user: user, panel: panel, conflicted: conflicted)
    }

    @Sendable func start(req: Request) async throws -> Response {
        let user = try req.signedInUser()
        let r = try await requestedRound(req)
        struct Form: Decodable { var title: String? }
        do {
            let id = try await store.start(
                in: r, title: try req.content.decode(Form.self).title ?? "", by: user, now: now(), on: req.db)
            return req.redirect(to: SiteURL.grantApplication(id))
        } catch GrantStore.Problem.invalid(let errors) {
            return try await roundPage(req, r, errors: errors, status: .unprocessableEntity)
        }
    }

    @Sendable func application(req: Request) async throws -> Response {
        try await applicationPage(req, try await context(req), errors: [], form: nil, status: .ok)
    }

    func applicationPage(
        _ req: Request, _ c: ApplicationContext, errors: [FieldError], form typed: [String: String]?,
        status: HTTPStatus
    ) async throws -> Response {
        let a = c.application
        let questions = try await store.questions(of: c.round, on: req.db)
        let answers = try await store.answers(of: a, on: req.db)
        let areas = try await self.areas.list(on: req.db)
        let areaNames = Dictionary(areas.map { ($0.slug, $0.name) }, uniquingKeysWith: { x, _ in x })
        let form = typed ?? GrantForms.fields(answers, questions: questions)
        let criteria = try await store.criteria(of: c.round, on: req.db)
        let submitted = try await store.submissions(of: a, on: req.db)
        let assessor = c.viewer.assesses(a, panel: c.panel, conflicted: c.conflicted)
        let myScores = try await store.scores(of: a, on: req.db).filter { $0.userId == c.user.id }
        let showScores = (assessor || c.viewer.isOPCC) && c.viewer.seesAllScores(submitted: submitted)
        let members = showScores ? try await store.memberScores(of: a, criteria: criteria, on: req.db) : []
        let allScores = showScores ? try await store.scores(of: a, on: req.db) : []
        let summary = Scoring.summary(members.map(\.score), moderated: a.moderatedScore, minimum: c.round.minimumScore)
        func n(_ v: Double?) -> String { v.map { Format.number($0, decimals: 1) } ?? "–" }
        let identifier = try await store.identifier(of: a.organisationId, on: req.db)
        let page = ApplicationPage(
            title: a.title, id: a.id, roundName: c.round.name, roundHref: SiteURL.grantRound(c.round.id),
            organisation: a.organisationName, identifier: identifier, projectTitle: form["title"] ?? a.title,
            status: a.status.label, requested: Grants.pounds(a.amountRequestedPence),
            submitted: a.submittedAt.map { "Submitted \(Format.dateTime($0))" } ?? "Not submitted",
            closes: Format.dateTime(c.round.closesAt),
            questions: questions.map { q in
                .init(
                    id: q.id, key: "q\(q.id)", kind: q.kind.rawValue, prompt: q.prompt,
                    limit: q.wordLimit.map { "Up to \($0) words" } ?? "", required: q.required != 0,
                    answer: GrantForms.readable(answers[q.id], q, areaNames: areaNames), value: form["q\(q.id)"] ?? "",
                    budgetRows: q.kind != .budget
                        ? []
                        : (1...GrantForms.budgetLines).map { k in
                            let p = "q\(q.id)-line\(k)"
                            return .init(
                                k: k, item: form["\(p)-item"] ?? "", y1: form["\(p)-y1"] ?? "",
                                y2: form["\(p)-y2"] ?? "",
                                y3: form["\(p)-y3"] ?? "")
                        },
                    outputRows: q.kind != .outputs
                        ? []
                        : (1...GrantForms.commitments).map { k in
                            .init(
                                k: k, name: form["q\(q.id)-out\(k)-name"] ?? "",
                                target: form["q\(q.id)-out\(k)-target"] ?? "")
                        },
                    areas: q.kind == .places
                        ? areas.map {
                            SelectOption(
                                value: $0.slug, label: $0.name, selected: form["q\(q.id)-area-\($0.slug)"] != nil)
                        }
                        : [], lads: form["q\(q.id)-lads"] ?? "")
            }, form: form,
            files: try await store.files(of: a, on: req.db).map { f in
                .init(
                    name: f.filename, kind: Grants.fileKinds.first { $0.0 == f.kind }?.1 ?? f.kind,
                    href: SiteURL.grantApplicationFile(a.id, f.id), size: "\(Format.count((f.size + 1023) / 1024)) KB")
            },
            fileKinds: Grants.fileKinds.map { SelectOption(value: $0.0, label: $0.1) },
            registers: OrgIdentifier.Register.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            isDraft: a.status == .draft, isApplicant: c.viewer.isApplicant(a),
            canEdit: c.viewer.isApplicant(a) && a.status == .draft,
            canSetIdentifier: c.viewer.isApplicant(a) && c.user.role == .partnerAdmin, isAssessor: assessor,
            isOPCC: c.viewer.isOPCC,
            ineligible: a.status == .ineligible ? a.decisionReason.split(separator: "\n").map(String.init) : [],
            decision: a.decidedAt != nil ? a.status.label : "",
            decisionReason: a.decidedAt != nil ? a.decisionReason : "",
            // The grant's page is the officer's and the grantee's (not the panel's).
            awardHref: c.viewer.isOPCC || c.viewer.isApplicant(a)
                ? try await store.award(of: a, on: req.db).map { SiteURL.grantAward($0.id) } ?? "" : "",
            criteria: criteria.map { cr in
                let mine = myScores.first { $0.criterionId == cr.id }
                return .init(
                    id: cr.id, name: cr.name, guidance: cr.guidance, weight: HotspotExport.number(cr.weight),
                    maxScore: cr.maxScore,
                    options: [SelectOption(value: "", label: "Not scored yet")]
                        + (0...cr.maxScore).map {
                            SelectOption(value: String($0), label: String($0), selected: mine?.score == $0)
                        }, comment: mine?.comment ?? "")
            }, scoresSubmitted: submitted[c.user.id] != nil,
            memberScores: members.map { m in
                .init(
                    name: m.name, score: Format.number(m.score, decimals: 1),
                    detail: allScores.filter { $0.userId == m.userID }.map { s in
                        "\(criteria.first { $0.id == s.criterionId }?.name ?? ""): \(s.score)"
                            + (s.comment.isEmpty ? "" : " (\(s.comment))")
                    })
            }, showScores: showScores,
            conflicts: c.viewer.isOPCC
                ? try await store.conflicts(of: a, on: req.db).map { "\($0.name): \($0.reason)" } : [],
            summary: [
                .init(label: "Panel members who submitted", value: String(summary.members)),
                .init(label: "Mean", value: n(summary.mean)),
                .init(label: "Spread", value: summary.members > 0 ? "\(n(summary.lowest))–\(n(summary.highest))" : "–"),
                .init(
                    label: "Moderated",
                    value: a.moderatedScore.map { "\(n($0)): \(a.moderationReason)" } ?? "Not moderated"),
                .init(
                    label: "Standing score",
                    value:
                        "\(n(summary.standing)) (minimum \(n(c.round.minimumScore)): \(summary.meetsMinimum ? "met" : "not met"))"
                ),
            ], moderatedScore: a.moderatedScore.map { n($0) } ?? "", moderationReason: a.moderationReason,
            decisionOptions: GrantStore.Decision.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            canDecide: c.viewer.isOPCC && a.status == .submitted, csrf: req.csrfToken, errors: errors,
            hasErrors: !errors.isEmpty)
        return try await req.render("grants/application", page, status: status)
    }

    func requireApplicant(_ c: ApplicationContext) throws {
        guard c.viewer.isApplicant(c.application) else {
            throw Abort(.forbidden, reason: "Only the applicant organisation can change its application.")
        }
    }

    @Sendable func save(req: Request) async throws -> Response {
        let c = try await context(req)
        try requireApplicant(c)
        let form = try req.content.decode([String: String].self)
        let questions = try await store.questions(of: c.round, on: req.db)
        let (answers, unread) = GrantForms.answers(from: form, questions: questions)
        guard unread.isEmpty else {
            return try await applicationPage(req, c, errors: unread, form: form, status: .unprocessableEntity)
        }
        do {
            try await store.saveDraft(
                c.application, title: form["title"] ?? c.application.title, answers: answers, questions: questions,
                by: c.user, on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await applicationPage(req, c, errors: errors, form: form, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantApplication(c.application.id))
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let c = try await context(req)
        try requireApplicant(c)
        let questions = try await store.questions(of: c.round, on: req.db)
        do {
            _ = try await store.submit(
                c.application, round: c.round, questions: questions, by: c.user, now: now(), on: req.db)
        } catch GrantStore.Problem.invalid(let errors) {
            return try await applicationPage(req, c, errors: errors, form: nil, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.grantApplication(c.application.id))
    }

    /// A private file (constitution, accounts, safeguarding policy): PDF, Word, OpenDocument
    /// or an image of a page, up to 8 MB, while the application is a draft.
    @Sendable func upload(req: Request) async throws -> Response {
        let c = try await context(req)
        try requireApplicant(c)
        guard c.application.status == .draft else {
            return try await applicationPage(
                req, c, errors: [FieldError(field: "file", message: "A submitted application cannot change")],
                form: nil, status: .unprocessableEntity)
        }
        struct Form: Decodable { var kind: String?; var file: File? }
        let f = try req.content.decode(Form.self)
        guard let kind = f.kind, Grants.fileKinds.contains(where: { $0.0 == kind }) else {
            return try await applicationPage(
                req, c, errors: [FieldError(field: "kind", message: "Say which document this is")], form: nil,
                status: .unprocessableEntity)
        }
        switch BoardDrafts.paper(filename: f.file?.filename ?? "", size: f.file?.data.readableBytes ?? 0) {
        case .failure(let problem):
            return try await applicationPage(req, c, errors: [problem], form: nil, status: .unprocessableEntity)
        case .success(let (name, type)):
            try await store.addFile(
                to: c.application, kind: kind, filename: name, contentType: type,
                content: Data(f.file?.data.readableBytesView ?? .init()), by: c.user, on: req.db)
        }
        return req.redirect(to: SiteURL.grantApplication(c.application.id))
    }

    @Sendable func file(req: Request) async throws -> Response {
        let c = try await context(req)
        guard let fileID = req.parameters.get("file", as: Int.self),
            let (info, data) = try await store.file(id: fileID, of: c.application, on: req.db)
        else { throw Abort(.notFound, reason: "There is no such file.") }
        return BoardController.fileResponse(
            .init(id: info.id, itemId: 0, filename: info.filename, contentType: info.contentType, size: info.size), data
        )
    }

    /// The applicant organisation's register number, as its org-id identifier (partner admins).
    @Sendable func setIdentifier(req: Request) async throws -> Response {
        let c = try await context(req)
        try requireApplicant(c)
        struct Form: Decodable { var register: String?; var registerNumber: String? }
        let f = try req.content.decode(Form.self)
        guard let register = OrgIdentifier.Register(rawValue: f.register ?? "") else {
            return try await applicationPage(
                req, c, errors: [FieldError(field: "register", message: "Choose the register")], form: nil,
                status: .unprocessableEntity)
        }
        switch OrgIdentifier.make(register, f.registerNumber ?? "") {
        case .failure(let problem):
            return try await applicationPage(req, c, errors: [problem], form: nil, status: .unprocessableEntity)
        case .success(let identifier):
            try await store.setIdentifier(identifier, organisation: c.user.organisationID, by: c.user, on: req.db)
        }
        return req.redirect(to: SiteURL.grantApplication(c.application.id))
    }
}
