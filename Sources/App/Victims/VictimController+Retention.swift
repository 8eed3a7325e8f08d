import CrimeData
import Foundation
import Vapor

/// The retention schedule and the erasure log, for the victim service's admins: how long
/// closed cases are kept, how many are due now, erase them now (the daily job does the same),
/// and every erasure so far.
extension VictimController {
    @Sendable func retention(req: Request) async throws -> Response {
        let (_, org) = try await admin(req, for: "Retention")
        return try await req.render("victims/retention", try await retentionPage(org, errors: [], req: req))
    }

    func retentionPage(_ org: VictimStore.Service, errors: [FieldError], req: Request) async throws -> RetentionPage {
        let rules = try await store.retentionRules(on: req.db)
        let due = try await store.countDueForErasure(now: now(), holder: org.id, on: req.db)
        let erasures = try await store.erasures(holder: org.id, limit: 200, on: req.db)
        let erased = try await store.erasedCases(holder: org.id, on: req.db)
        let erasedNow = req.query[Int.self, at: "erased"].map {
            "\(Format.counted($0, "case", "cases")) erased now."
        }
        return RetentionPage(
            organisation: org.name, erasedNow: erasedNow ?? "", hasErasedNow: erasedNow != nil,
            action: SiteURL.victimRetention(), eraseAction: SiteURL.victimRetentionErase(),
            csrf: req.csrfToken,
            rules: rules.map {
                .init(
                    recordType: $0.recordType, label: Self.retentionLabel($0.recordType), months: String($0.months),
                    basis: $0.basis, updated: Format.dateTime($0.updatedAt))
            },
            due: Format.count(due), hasDue: due > 0,
            erased: Format.count(erased),
            erasures: erasures.map {
                .init(
                    number: $0.caseId == 0 ? "—" : "V\($0.caseId)", at: Format.dateTime($0.erasedAt), reason: $0.reason,
                    rule: $0.rule.isEmpty ? "" : Self.retentionLabel($0.rule), records: Format.count($0.records),
                    by: $0.userName)
            }, hasErasures: !erasures.isEmpty, errors: errors, hasErrors: !errors.isEmpty)
    }

    static func retentionLabel(_ type: String) -> String {
        switch type {
        case "closed-case": "Closed cases"
        case "closed-without-support": "Cases closed without support (declined or no contact)"
        case "closed-rj-journey": "Offender-side restorative justice journeys, after closing"
        default: type
        }
    }

    @Sendable func setRetention(req: Request) async throws -> Response {
        let (user, org) = try await admin(req, for: "Retention")
        struct Form: Content { var recordType: String?; var months: String? }
        let form = try req.content.decode(Form.self)
        let months = Int((form.months ?? "").trimmingCharacters(in: .whitespaces))
        guard let months, VictimStore.retentionMonths.contains(months) else {
            let page = try await retentionPage(
                org, errors: [.init(field: "months", message: "Give a whole number of months from 1 to 1,200")],
                req: req)
            return try await req.render("victims/retention", page, status: .unprocessableEntity)
        }
        guard try await store.setRetention(form.recordType ?? "", months: months, by: user, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such line in the retention schedule.")
        }
        return req.redirect(to: SiteURL.victimRetention(), redirectType: .normal)
    }

    /// Erases this organisation's cases that are due now, 500 at a time (the daily job does
    /// the same for every organisation).
    @Sendable func eraseDue(req: Request) async throws -> Response {
        let (user, org) = try await admin(req, for: "Retention")
        var total = 0
        // Bounded: at most 20 batches (10,000 cases) per request; the daily job does the rest.
        for _ in 0..<20 {
            let due = try await store.dueForErasure(now: now(), holder: org.id, limit: 500, on: req.db)
            if due.isEmpty { break }
            total += try await store.erase(due, reason: "retention", by: user, on: req.db)
        }
        return req.redirect(to: SiteURL.victimRetention.with(query: "erased=\(total)"), redirectType: .normal)
    }
}

struct RetentionPage: Encodable {
    struct Rule: Encodable {
        var recordType: String
        var label: String
        var months: String
        var basis: String
        var updated: String
    }
    struct Erasure: Encodable {
        var number: String
        var at: String
        var reason: String
        var rule: String
        var records: String
        var by: String
    }
    var title = "Retention and erasure"
    var organisation: String
    var erasedNow: String
    var hasErasedNow: Bool
    var action: String
    var eraseAction: String
    var csrf: String
    var rules: [Rule]
    var due: String
    var hasDue: Bool
    var erased: String
    var erasures: [Erasure]
    var hasErasures: Bool
    var errors: [FieldError]
    var hasErrors: Bool
}

/// Erases, once a day, every victim's case past its retention date (VictimStore.eraseDue):
/// the first run a minute after the server starts, then every 24 hours. Not in tests or
/// commands other than `serve`.
struct VictimRetentionJob: LifecycleHandler {
    let store: VictimStore

    func didBoot(_ application: Application) throws {
        let db = application.db, logger = application.logger, store = store
        application.eventLoopGroup.next().scheduleRepeatedAsyncTask(
            initialDelay: .minutes(1), delay: .hours(24)
        ) { _ in
            application.eventLoopGroup.next().makeFutureWithTask {
                do {
                    let n = try await store.eraseDue(on: db)
                    if n > 0 { logger.notice("retention: erased \(n) victims' cases past their date") }
                } catch {
                    logger.error("retention: the daily erasure failed: \(String(describing: error))")
                }
            }
        }
    }
}
