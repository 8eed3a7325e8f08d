@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// A round from set-up to decision through HTTP, as each kind of user: the officer sets up
/// the fund, round and panel; two organisations apply (drafts, refused and accepted
/// submissions, an ineligible one, a late one); panel members declare a conflict or score
/// (and see the others' scores only after submitting); the officer moderates and decides.
@Suite("grants: a round from set-up to decision, and who sees what")
struct GrantFlowTests {
    static func day(_ offset: Int) -> String { DemoBoards.day(offset) }

    func id(_ app: Application, _ sql: String) async throws -> Int { try await app.scalar(sql) }

    @Test("apply, assess and decide: each step's rules, and every other organisation's application is not found")
    func round() async throws {
        try await withTestApp { app in
            try await app.makeUser("officer@opcc.example", role: .opccStaff)
            try await app.makeUser(
                "lead@youth.example", role: .partnerAdmin, organisation: "Norwich Youth Project", kind: .voluntary)
            try await app.makeUser(
                "lead@other.example", role: .partnerUser, organisation: "Other Charity", kind: .voluntary)
            try await app.makeUser(
                "panel1@council.example", role: .partnerUser, organisation: "Norfolk County Council",
                kind: .countyCouncil)
            try await app.makeUser(
                "panel2@foundation.example", role: .partnerUser, organisation: "Community Foundation", kind: .voluntary)
            let officer = try await app.signIn("officer@opcc.example")
            let youth = try await app.signIn("lead@youth.example")
            let other = try await app.signIn("lead@other.example")
            let panel1 = try await app.signIn("panel1@council.example")
            let panel2 = try await app.signIn("panel2@foundation.example")

            // The officer: a fund, a round (eligibility, words, budget, outputs, places; two criteria), the panel.
            var res = try await app.post(
                "/grants/funds", ["name": "Drug and alcohol grants", "budget": "250,000", "moneySource": "PCC"],
                as: officer)
            #expect(
                res.status == .seeOther && res.headers.first(name: .location) == "/grants/funds/drug-and-alcohol-grants"
            )
            #expect(
                try await app.post("/grants/funds", ["name": "No budget", "budget": "x"], as: officer).status
                    == .unprocessableEntity)
            res = try await app.post(
                "/grants/funds/drug-and-alcohol-grants/rounds",
                [
                    "name": "Round one", "opensOn": Self.day(-1), "closesOn": Self.day(1), "minimumScore": "60",
                    "question-1-kind": "eligibility", "question-1-prompt": "Do you work in Norfolk?",
                    "question-1-fail": "The fund supports work in Norfolk only",
                    "question-2-kind": "text", "question-2-prompt": "What will you do?", "question-2-words": "5",
                    "question-3-kind": "budget", "question-3-prompt": "Budget",
                    "question-4-kind": "outputs", "question-4-prompt": "What you will achieve",
                    "criterion-1-name": "Need", "criterion-1-weight": "2", "criterion-1-max": "5",
                    "criterion-2-name": "Value", "criterion-2-weight": "1", "criterion-2-max": "10",
                ], as: officer)
            #expect(res.status == .seeOther)
            let round = try await id(app, "SELECT MAX(id) AS n FROM grant_rounds")
            let q = try await id(app, "SELECT MIN(id) AS n FROM round_questions")  // q, q+1, q+2, q+3
            let need = try await id(app, "SELECT MIN(id) AS n FROM round_criteria")
            for email in ["panel1@council.example", "panel2@foundation.example"] {
                #expect(
                    try await app.post("/grants/rounds/\(round)/panel", ["email": email], as: officer).status
                        == .seeOther)
            }

            // Applying: start, a draft with too many words, a refused submission naming each problem.
            res = try await app.post("/grants/rounds/\(round)/applications", ["title": "Night outreach"], as: youth)
            #expect(res.status == .seeOther)
            let mine = try await id(app, "SELECT MAX(id) AS n FROM applications")
            let page = "/grants/applications/\(mine)"
            var draft = [
                "title": "Night outreach", "q\(q)": "yes", "q\(q + 1)": "Outreach on Prince of Wales Road nightly",
                "q\(q + 2)-line1-item": "Outreach worker", "q\(q + 2)-line1-y1": "20,000",
            ]
            #expect(try await app.post(page, draft, as: youth).status == .seeOther)
            res = try await app.post(page + "/submit", [:], as: youth)
            #expect(res.status == .unprocessableEntity)
            #expect(
                res.body.string.contains("has 7 words; the limit is 5")
                    && res.body.string.contains("Answer “What you will achieve”"))
            draft["q\(q + 1)"] = "Outreach on Prince of Wales"
            draft["q\(q + 3)-out1-name"] = "Young people reached"
            draft["q\(q + 3)-out1-target"] = "400"
            #expect(try await app.post(page, draft, as: youth).status == .seeOther)
            // Another organisation's users, and panel members before submission, find nothing.
            #expect(try await app.get(page, as: other).status == .notFound)
            #expect(try await app.get(page, as: panel2).status == .notFound, "a draft is the applicant's alone")
            #expect(try await app.post(page, draft, as: other).status == .notFound)
            #expect(try await app.post(page + "/submit", [:], as: youth).status == .seeOther)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM applications WHERE status = 'submitted' AND submitted_at IS NOT NULL")
                    == 1)
            #expect(
                try await app.scalar("SELECT amount_requested_pence AS n FROM applications WHERE id = \(mine)")
                    == 2_000_000)
            let locked = try await app.post(page, draft, as: youth)
            #expect(locked.status == .unprocessableEntity && locked.body.string.contains("cannot be changed"))
            // The register number, by the organisation's admin.
            res = try await app.post(
                page + "/identifier", ["register": "GB-CHC", "registerNumber": "1164883"], as: youth)
            #expect(res.status == .seeOther)
            #expect(try await app.get(page, as: youth).body.string.contains("GB-CHC-1164883"))

            // The other organisation: one ineligible application, one too late.
            _ = try await app.post("/grants/rounds/\(round)/applications", ["title": "Outside Norfolk"], as: other)
            let ineligible = try await id(app, "SELECT MAX(id) AS n FROM applications")
            var answers = draft
            answers["q\(q)"] = "no"
            _ = try await app.post("/grants/applications/\(ineligible)", answers, as: other)
            #expect(try await app.post("/grants/applications/\(ineligible)/submit", [:], as: other).status == .seeOther)
            let told = try await app.get("/grants/applications/\(ineligible)", as: other).body.string
            #expect(told.contains("Not eligible") && told.contains("The fund supports work in Norfolk only"))
            _ = try await app.post("/grants/rounds/\(round)/applications", ["title": "Late"], as: other)
            let late = try await id(app, "SELECT MAX(id) AS n FROM applications")
            _ = try await app.post("/grants/applications/\(late)", draft, as: other)
            try await app.db.sql.raw(
                "UPDATE grant_rounds SET closes_at = '2020-01-01T00:00:00Z' WHERE id = \(bind: round)"
            ).run()
            let refused = try await app.post("/grants/applications/\(late)/submit", [:], as: other)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("too late to submit"))
            #expect(
                try await app.get("/grants/applications/\(ineligible)", as: panel1).status == .notFound,
                "nothing to assess")

            // The panel: one declares a conflict and loses the application; the other scores.
            #expect(try await app.get(page, as: panel1).status == .ok)
            res = try await app.post(page + "/conflict", ["reason": "I am a trustee of the applicant"], as: panel1)
            #expect(res.status == .seeOther)
            #expect(try await app.get(page, as: panel1).status == .notFound)
            #expect(try await app.post(page + "/scores", ["score-\(need)": "3"], as: panel1).status == .notFound)
            #expect(try await app.post(page + "/scores", ["score-\(need)": "4"], as: panel2).status == .seeOther)
            #expect(!(try await app.get(page, as: panel2).body.string.contains("The panel's scores")))
            let incomplete = try await app.post(page + "/scores", ["score-\(need)": "4", "submit": "yes"], as: panel2)
            #expect(
                incomplete.status == .unprocessableEntity
                    && incomplete.body.string.contains("Score “Value” before submitting"))
            res = try await app.post(
                page + "/scores",
                ["score-\(need)": "4", "score-\(need + 1)": "5", "comment-\(need)": "Clear need", "submit": "yes"],
                as: panel2)
            #expect(res.status == .seeOther)
            let assessed = try await app.get(page, as: panel2).body.string
            #expect(
                assessed.contains("The panel's scores") && assessed.contains("70.0"), "100 × (2 × 4/5 + 5/10) / 3 = 70")
            #expect(
                try await app.post(page + "/scores", ["score-\(need)": "5"], as: panel2).status == .unprocessableEntity)
            #expect(try await app.post(page + "/moderate", ["moderatedScore": "75"], as: panel2).status == .forbidden)

            // The officer: the spread, moderation with its reason, the decision the applicant reads.
            let officerRound = try await app.get("/grants/rounds/\(round)", as: officer).body.string
            #expect(officerRound.contains("Night outreach") && officerRound.contains("70.0"))
            #expect(
                try await app.post(page + "/moderate", ["moderatedScore": "75"], as: officer).status
                    == .unprocessableEntity)
            res = try await app.post(
                page + "/moderate", ["moderatedScore": "75", "moderationReason": "Strong local evidence"], as: officer)
            #expect(res.status == .seeOther)
            let full = try await app.post(
                page + "/decision",
                [
                    "decision": "award", "amount": "15,000", "decisionReason": "Funded", "startsOn": "2026-04-01",
                    "endsOn": "2027-03-31",
                ],
                as: officer)
            #expect(full.status == .unprocessableEntity && full.body.string.contains("otherwise award in part"))
            res = try await app.post(
                page + "/decision",
                [
                    "decision": "award-in-part", "amount": "15,000", "decisionReason": "Funded for one worker at 75%",
                    "startsOn": "2026-04-01", "endsOn": "2027-03-31",
                ], as: officer)
            #expect(res.status == .seeOther)
            #expect(try await app.scalar("SELECT amount_pence AS n FROM awards") == 1_500_000)
            let decided = try await app.get(page, as: youth).body.string
            #expect(decided.contains("Awarded in part") && decided.contains("Funded for one worker at 75%"))
            #expect(!decided.contains("Strong local evidence"), "the moderation is the OPCC's")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'application'") >= 8)

            // The grant: indicators from the application, four quarterly returns, the schedule.
            let award = try await id(app, "SELECT MAX(id) AS n FROM awards")
            let grant = "/grants/awards/\(award)"
            #expect(try await app.get(grant, as: other).status == .notFound)
            #expect(try await app.get(grant, as: panel2).status == .notFound, "the panel's part ends at the decision")
            let view = try await app.get(grant, as: youth).body.string
            #expect(
                view.contains("Young people reached") && view.contains("April to June 2026")
                    && view.contains("January to March 2027"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM monitoring_returns WHERE award_id = \(award)") == 4)
            #expect(try await app.get("/grants", as: youth).body.string.contains("Night outreach: £15,000"))
            res = try await app.post(grant + "/instalments", ["dueOn": "2026-04-01", "amount": "7,500"], as: officer)
            #expect(res.status == .seeOther)
            res = try await app.post(
                grant + "/instalments", ["dueOn": "2026-10-01", "amount": "7,500", "needsReturn": "on"], as: officer)
            #expect(res.status == .seeOther)
            #expect(
                try await app.post(grant + "/instalments", ["dueOn": "2026-11-01", "amount": "1"], as: officer).status
                    == .unprocessableEntity)
            let first = try await id(app, "SELECT MIN(id) AS n FROM award_instalments")
            #expect(
                try await app.post(
                    grant + "/payments", ["instalment": String(first), "paidOn": "2026-04-02", "amount": "7,500"],
                    as: officer
                ).status == .seeOther)
            let waits = try await app.post(
                grant + "/payments", ["instalment": String(first + 1), "paidOn": "2026-10-02", "amount": "7,500"],
                as: officer)
            #expect(waits.status == .unprocessableEntity && waits.body.string.contains("waits for a monitoring return"))
            // The first return: queried, resubmitted, accepted; then the second instalment is paid.
            let firstReturn = try await id(app, "SELECT MIN(id) AS n FROM monitoring_returns WHERE award_id = \(award)")
            let indicator = try await id(app, "SELECT MIN(id) AS n FROM award_indicators WHERE award_id = \(award)")
            let report = ["value-\(indicator)": "120", "spend": "3,000", "narrative": "Forty nights of outreach."]
            #expect(try await app.post(grant + "/returns/\(firstReturn)", report, as: other).status == .notFound)
            #expect(try await app.post(grant + "/returns/\(firstReturn)", report, as: youth).status == .seeOther)
            #expect(
                try await app.post(grant + "/returns/\(firstReturn)/review", ["outcome": "query"], as: officer).status
                    == .unprocessableEntity)
            #expect(
                try await app.post(
                    grant + "/returns/\(firstReturn)/review", ["outcome": "query", "note": "Add the case study"],
                    as: officer
                )
                .status == .seeOther)
            var again = report
            again["caseStudy"] = "A young person now volunteers with us."
            #expect(try await app.post(grant + "/returns/\(firstReturn)", again, as: youth).status == .seeOther)
            #expect(
                try await app.post(grant + "/returns/\(firstReturn)/review", ["outcome": "accept"], as: officer).status
                    == .seeOther)
            #expect(
                try await app.post(
                    grant + "/payments", ["instalment": String(first + 1), "paidOn": "2026-10-02", "amount": "7,500"],
                    as: officer
                )
                .status == .seeOther)
            let dashboard = try await app.get("/grants/dashboard", as: officer).body.string
            // Owed and past due on the day the test runs (the first is accepted; the second fell due on 30 October 2026).
            let owed = try await app.scalar(
                "SELECT COUNT(*) AS n FROM monitoring_returns WHERE status = 'due' AND due_on < '\(CalendarDay(Date()))'"
            )
            #expect(owed >= 1)
            #expect(
                dashboard.contains(
                    "£15,000 in 1 grant: 120 young people reached against 400 planned; \(Format.counted(owed, "return", "returns")) overdue."
                ))
            #expect(
                dashboard.contains("July to September 2026"), "due 30 October 2026, not sent: overdue on 2 December")
            #expect(try await app.get("/grants/dashboard", as: youth).status == .forbidden)
        }
    }

    @Test("the officer's round page lists at most 300 applications, and says how many there are")
    func roundPageBounded() async throws {
        try await withTestApp { app in
            try await app.makeUser("officer@opcc.example", role: .opccStaff)
            let officer = try await app.signIn("officer@opcc.example")
            let store = GrantStore(audit: AuditLog())
            let fund = try await store.createFund(
                .init(name: "Fund", slug: "fund", budget: "1000"), themes: [], by: nil, on: app.db)
            let round = try await store.createRound(
                .init(
                    name: "Round", slug: "round", opensAt: "2026-01-01T00:00:00Z", closesAt: "2026-02-01T00:00:00Z",
                    minimumScore: 0, questions: [.init(kind: .text, prompt: "What?")],
                    criteria: [.init(name: "Need", weight: 1, maxScore: 5)]), in: fund, by: nil, on: app.db)
            let org = try await app.scalar("SELECT MIN(id) AS n FROM organisations")
            for k in 1...305 {
                try await app.db.sql.raw(
                    """
                    INSERT INTO applications (round_id, organisation_id, title, status, created_at, updated_at, submitted_at)
                    VALUES (\(bind: round.id), \(bind: org), \(bind: "Application \(k)"), 'submitted', '2026-01-02T00:00:00Z',
                      '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')
                    """
                ).run()
            }
            let page = try await app.get("/grants/rounds/\(round.id)", as: officer).body.string
            #expect(page.contains("The first 300 of 305 submitted applications are shown."))
            #expect(page.components(separatedBy: "/grants/applications/").count - 1 == 300)
        }
    }
}
