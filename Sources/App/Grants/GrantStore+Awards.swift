import Fluent
import Foundation
import SQLKit

/// Awards: the agreed indicators, the payment schedule and payments, and the monitoring
/// returns (scheduled quarterly, submitted by the grantee, accepted or queried by the officer).
extension GrantStore {
    struct Award: Codable, Sendable {
        var id: Int
        var applicationId: Int
        var amountPence: Int
        var awardDate: String
        var startsOn: String
        var endsOn: String
        var conditions: String
        var lastModified: String
    }

    struct Indicator: Codable, Sendable {
        var id: Int
        var kind: String
        var name: String
        var unit: String
        var target: Double
    }

    struct Instalment: Codable, Sendable {
        var id: Int
        var dueOn: String
        var amountPence: Int
        var needsAcceptedReturn: Int
    }

    struct Payment: Codable, Sendable {
        var id: Int
        var instalmentId: Int?
        var paidOn: String
        var amountPence: Int
    }

    struct MonitoringReturn: Codable, Sendable {
        var id: Int
        var awardId: Int
        var periodLabel: String
        var dueOn: String
        var status: AwardRules.ReturnStatus
        var submittedAt: String?
        var spendPence: Int?
        var narrative: String
        var caseStudy: String
        var risks: String
        var officerNote: String
    }

    func award(id: Int, on db: any Database) async throws -> Award? {
        try await db.sql.raw(
            """
            SELECT id, application_id, amount_pence, award_date, starts_on, ends_on, conditions, last_modified FROM awards
            WHERE id = \(bind: id)
            """
        ).row(Award.self)
    }

    func award(of application: Grants.Application, on db: any Database) async throws -> Award? {
        try await db.sql.raw(
            """
            SELECT id, application_id, amount_pence, award_date, starts_on, ends_on, conditions, last_modified FROM awards
            WHERE application_id = \(bind: application.id)
            """
        ).row(Award.self)
    }

    func indicators(of award: Award, on db: any Database) async throws -> [Indicator] {
        try await db.sql.raw(
            "SELECT id, kind, name, unit, target FROM award_indicators WHERE award_id = \(bind: award.id) ORDER BY id"
        ).rows(Indicator.self)
    }

    func instalments(of award: Award, on db: any Database) async throws -> [Instalment] {
        try await db.sql.raw(
            """
            SELECT id, due_on, amount_pence, needs_accepted_return FROM award_instalments WHERE award_id = \(bind: award.id)
            ORDER BY due_on, id
            """
        ).rows(Instalment.self)
    }

    func payments(of award: Award, on db: any Database) async throws -> [Payment] {
        try await db.sql.raw(
            """
            SELECT id, instalment_id, paid_on, amount_pence FROM award_payments WHERE award_id = \(bind: award.id)
            ORDER BY paid_on, id
            """
        ).rows(Payment.self)
    }

    private static let returnColumns = """
        id, award_id, period_label, due_on, status, submitted_at, spend_pence, narrative, case_study, risks, officer_note
        """

    func returns(of award: Award, on db: any Database) async throws -> [MonitoringReturn] {
        try await db.sql.raw(
            """
            SELECT \(unsafeRaw: Self.returnColumns) FROM monitoring_returns WHERE award_id = \(bind: award.id)
            ORDER BY due_on, id
            """
        ).rows(MonitoringReturn.self)
    }

    func monitoringReturn(id: Int, of award: Award, on db: any Database) async throws -> MonitoringReturn? {
        try await db.sql.raw(
            """
            SELECT \(unsafeRaw: Self.returnColumns) FROM monitoring_returns WHERE id = \(bind: id) AND award_id = \(bind: award.id)
            """
        ).row(MonitoringReturn.self)
    }

    /// Return id → indicator id → the value reported.
    func returnValues(of award: Award, on db: any Database) async throws -> [Int: [Int: Double]] {
        struct Row: Decodable { var returnId: Int; var indicatorId: Int; var value: Double }
        let rows = try await db.sql.raw(
            """
            SELECT v.return_id, v.indicator_id, v.value FROM return_values v JOIN monitoring_returns r ON r.id = v.return_id
            WHERE r.award_id = \(bind: award.id)
            """
        ).rows(Row.self)
        var out: [Int: [Int: Double]] = [:]
        for r in rows { out[r.returnId, default: [:]][r.indicatorId] = r.value }
        return out
    }

    // MARK: Changes

    /// The award's indicators from what the application committed to, and its quarterly
    /// returns; run when the award is made (and safe to run again: nothing is duplicated).
    func setUp(_ award: Award, commitments: [Grants.Commitment], on db: any Database) async throws {
        guard let start = CalendarDay(award.startsOn), let end = CalendarDay(award.endsOn) else { return }
        try await db.transaction { tx in
            let hasIndicators =
                try await tx.sql.raw(
                    "SELECT id FROM award_indicators WHERE award_id = \(bind: award.id) LIMIT 1"
                ).first() != nil
            if !hasIndicators {
                for c in commitments {
                    try await tx.sql.raw(
                        """
                        INSERT INTO award_indicators (award_id, kind, name, target)
                        VALUES (\(bind: award.id), 'output', \(bind: c.name), \(bind: c.target))
                        """
                    ).run()
                }
            }
            let hasReturns =
                try await tx.sql.raw(
                    "SELECT id FROM monitoring_returns WHERE award_id = \(bind: award.id) LIMIT 1"
                ).first() != nil
            if !hasReturns {
                for (label, due) in AwardRules.quarterlyReturns(startsOn: start, endsOn: end) {
                    try await tx.sql.raw(
                        """
                        INSERT INTO monitoring_returns (award_id, period_label, due_on, status)
                        VALUES (\(bind: award.id), \(bind: label), \(bind: due.description), 'due')
                        """
                    ).run()
                }
            }
        }
    }

    func addInstalment(
        to award: Award, dueOn: String, amountPence: Int?, needsAcceptedReturn: Bool, by user: CurrentUser,
        on db: any Database
    ) async throws {
        var problems: [FieldError] = []
        if CalendarDay(dueOn) == nil {
            problems.append(FieldError(field: "dueOn", message: "Give the due date as YYYY-MM-DD"))
        }
        let scheduled = try await instalments(of: award, on: db).map(\.amountPence).reduce(0, +)
        if let a = amountPence, a > 0 {
            if scheduled + a > award.amountPence {
                problems.append(
                    FieldError(
                        field: "amount",
                        message: "The schedule would come to \(Grants.pounds(scheduled + a)), more than the award"))
            }
        } else {
            problems.append(FieldError(field: "amount", message: "Give the instalment in pounds"))
        }
        guard problems.isEmpty, let amount = amountPence else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                INSERT INTO award_instalments (award_id, due_on, amount_pence, needs_accepted_return)
                VALUES (\(bind: award.id), \(bind: dueOn), \(bind: amount), \(bind: needsAcceptedReturn ? 1 : 0))
                """
            ).run()
            try await audit.record(
                "instalment", entity: "award", id: String(award.id), before: String?.none,
                after: ["due_on": dueOn, "amount_pence": String(amount)], by: user, on: tx)
        }
    }

    /// Records a payment of an instalment (the amount disbursed follows).
    func pay(
        _ award: Award, instalment: Instalment, paidOn: String, amountPence: Int?, by user: CurrentUser,
        on db: any Database
    ) async throws {
        let paid = try await payments(of: award, on: db).map(\.amountPence).reduce(0, +)
        let accepted = try await returns(of: award, on: db).filter { $0.status == .accepted }.compactMap {
            CalendarDay($0.dueOn)
        }
        var problems: [FieldError] = []
        if CalendarDay(paidOn) == nil {
            problems.append(FieldError(field: "paidOn", message: "Give the date paid as YYYY-MM-DD"))
        }
        if try await payments(of: award, on: db).contains(where: { $0.instalmentId == instalment.id }) {
            problems.append(FieldError(field: "instalment", message: "That instalment is paid already"))
        }
        if let why = AwardRules.paymentProblem(
            amountPence: amountPence ?? 0, paidSoFarPence: paid, awardPence: award.amountPence,
            needsAcceptedReturn: instalment.needsAcceptedReturn != 0, instalmentDue: CalendarDay(instalment.dueOn),
            acceptedReturnDues: accepted)
        {
            problems.append(FieldError(field: "amount", message: why))
        }
        guard problems.isEmpty, let amount = amountPence else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                INSERT INTO award_payments (award_id, instalment_id, paid_on, amount_pence, recorded_by, recorded_at)
                VALUES (\(bind: award.id), \(bind: instalment.id), \(bind: paidOn), \(bind: amount), \(bind: user.id),
                  \(bind: Date().stored))
                """
            ).run()
            try await tx.sql.raw(
                "UPDATE awards SET last_modified = \(bind: Date().stored) WHERE id = \(bind: award.id)"
            ).run()
            try await audit.record(
                "payment", entity: "award", id: String(award.id), before: String?.none,
                after: ["paid_on": paidOn, "amount_pence": String(amount)], by: user, on: tx)
        }
    }

    struct ReturnDraft: Sendable {
        var values: [Int: Double]
        var spendPence: Int?
        var narrative: String
        var caseStudy: String
        var risks: String
    }

    /// The grantee's return: every indicator reported, the spend, a narrative.
    func submitReturn(
        _ r: MonitoringReturn, of award: Award, _ d: ReturnDraft, indicators: [Indicator], by user: CurrentUser,
        on db: any Database
    ) async throws {
        var problems: [FieldError] = []
        if r.status == .accepted || r.status == .submitted {
            problems.append(FieldError(field: "status", message: "The return is with the officer already"))
        }
        for i in indicators where d.values[i.id] == nil {
            problems.append(FieldError(field: "value-\(i.id)", message: "Report “\(i.name)” (0 if none yet)"))
        }
        if d.spendPence == nil {
            problems.append(FieldError(field: "spend", message: "Give the spend to date in pounds"))
        }
        if d.narrative.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || d.narrative.count > 10_000 {
            problems.append(FieldError(field: "narrative", message: "Say how the work went (up to 10,000 characters)"))
        }
        if d.caseStudy.count > 10_000 || d.risks.count > 5_000 {
            problems.append(FieldError(field: "caseStudy", message: "Keep the case study and risks shorter"))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        try await db.transaction { tx in
            try await tx.sql.raw("DELETE FROM return_values WHERE return_id = \(bind: r.id)").run()
            for i in indicators {
                try await tx.sql.raw(
                    """
                    INSERT INTO return_values (return_id, indicator_id, value)
                    VALUES (\(bind: r.id), \(bind: i.id), \(bind: d.values[i.id] ?? 0))
                    """
                ).run()
            }
            try await tx.sql.raw(
                """
                UPDATE monitoring_returns SET status = 'submitted', submitted_at = \(bind: Date().stored),
                  spend_pence = \(bind: d.spendPence), narrative = \(bind: d.narrative), case_study = \(bind: d.caseStudy),
                  risks = \(bind: d.risks) WHERE id = \(bind: r.id)
                """
            ).run()
            try await audit.record(
                "submit-return", entity: "award", id: String(award.id), before: ["status": r.status.rawValue],
                after: ["return": String(r.id)], by: user, on: tx)
        }
    }

    /// The officer accepts a submitted return, or queries it with a note (the grantee resubmits).
    func review(
        _ r: MonitoringReturn, of award: Award, accept: Bool, note: String, by user: CurrentUser, on db: any Database
    )
        async throws
    {
        guard r.status == .submitted else {
            throw Problem.invalid([FieldError(field: "status", message: "Only a submitted return is reviewed")])
        }
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if !accept && note.isEmpty {
            throw Problem.invalid([FieldError(field: "note", message: "Say what the grantee should add or correct")])
        }
        try await db.transaction { tx in
            try await tx.sql.raw(
                """
                UPDATE monitoring_returns SET status = \(bind: accept ? "accepted" : "queried"), officer_note = \(bind: note),
                  reviewed_at = \(bind: Date().stored) WHERE id = \(bind: r.id)
                """
            ).run()
            // What the award's indicators have achieved: the sum over its accepted returns.
            try await tx.sql.raw(
                """
                UPDATE award_indicators SET achieved = COALESCE((SELECT SUM(v.value) FROM return_values v
                  JOIN monitoring_returns m ON m.id = v.return_id
                  WHERE v.indicator_id = award_indicators.id AND m.status = 'accepted'), 0)
                WHERE award_id = \(bind: award.id)
                """
            ).run()
            try await tx.sql.raw(
                "UPDATE awards SET last_modified = \(bind: Date().stored) WHERE id = \(bind: award.id)"
            ).run()
            try await audit.record(
                accept ? "accept-return" : "query-return", entity: "award", id: String(award.id),
                before: ["status": r.status.rawValue], after: ["note": note], by: user, on: tx)
        }
    }
}
