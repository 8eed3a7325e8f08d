@testable import App
import Foundation
import Testing

/// The grant rules that are arithmetic or format: worked by hand in each test.
@Suite("grants: scoring arithmetic, identifiers, the application form's answers")
struct GrantRulesTests {
    let criteria = [
        Scoring.Criterion(id: 1, weight: 2, maxScore: 5), Scoring.Criterion(id: 2, weight: 1, maxScore: 10),
    ]

    @Test("a member's weighted score is 100 × Σ w·s/max ÷ Σ w; incomplete or out-of-range scores give none")
    func weighted() {
        // 100 × (2 × 4/5 + 1 × 5/10) / 3 = 100 × 2.1 / 3 = 70
        #expect(abs((Scoring.weighted([1: 4, 2: 5], criteria: criteria) ?? -1) - 70) < 1e-12)
        #expect(Scoring.weighted([1: 5, 2: 10], criteria: criteria) == 100)
        #expect(Scoring.weighted([1: 0, 2: 0], criteria: criteria) == 0)
        #expect(Scoring.weighted([1: 4], criteria: criteria) == nil, "every criterion scored")
        #expect(Scoring.weighted([1: 6, 2: 5], criteria: criteria) == nil, "6 is above the top score of 5")
        #expect(Scoring.weighted([1: -1, 2: 5], criteria: criteria) == nil)
        #expect(Scoring.weighted([:], criteria: []) == nil)
        #expect(Scoring.weighted([1: 1], criteria: [.init(id: 1, weight: 0, maxScore: 5)]) == nil, "a weight of 0")
    }

    @Test("the panel's mean, spread and the moderated score that stands; the minimum is inclusive")
    func summary() {
        let s = Scoring.summary([70, 100], moderated: nil, minimum: 85)
        #expect(s.members == 2 && s.mean == 85 && s.lowest == 70 && s.highest == 100)
        #expect(s.standing == 85 && s.meetsMinimum, "85 meets a minimum of 85")
        let moderated = Scoring.summary([70, 100], moderated: 80, minimum: 85)
        #expect(moderated.standing == 80 && !moderated.meetsMinimum, "the moderated score stands")
        let none = Scoring.summary([], moderated: nil, minimum: 0)
        #expect(none.mean == nil && none.standing == nil && !none.meetsMinimum)
    }

    @Test("org-id identifiers: each register's number checked; company numbers get their leading zeros back")
    func identifiers() {
        func make(_ r: OrgIdentifier.Register, _ n: String) -> String? {
            if case .success(let id) = OrgIdentifier.make(r, n) { return id }
            return nil
        }
        #expect(make(.charityEnglandWales, "1164883") == "GB-CHC-1164883")
        #expect(make(.charityEnglandWales, " 200048 ") == "GB-CHC-200048")
        #expect(make(.charityEnglandWales, "GB-CHC-1164883") == "GB-CHC-1164883")
        #expect(make(.charityEnglandWales, "11648") == nil)
        #expect(make(.charityEnglandWales, "1164883A") == nil)
        #expect(make(.company, "1234567") == "GB-COH-01234567")
        #expect(make(.company, "sc123456") == "GB-COH-SC123456")
        #expect(make(.company, "123456789") == nil)
        #expect(make(.charityScotland, "SC012345") == "GB-SC-SC012345")
        #expect(make(.charityScotland, "012345") == nil)
        #expect(make(.charityNorthernIreland, "100012") == "GB-NIC-100012")
        #expect(make(.mutual, "30150R") == "GB-MPR-30150R")
        #expect(make(.hmrcCharity, "AB12345") == "GB-REV-AB12345")
        #expect(make(.localAuthorityEngland, "nfk") == "GB-LAE-NFK")
        #expect(OrgIdentifier.isValid("GB-COH-01234567") && !OrgIdentifier.isValid("GB-COH-1234567"))
        #expect(!OrgIdentifier.isValid("GB-XYZ-1") && !OrgIdentifier.isValid("1164883"))
        #expect(
            OrgIdentifier.isPrefix("360G-norfolkpcc") && !OrgIdentifier.isPrefix("360G-")
                && !OrgIdentifier.isPrefix("GB-x"))
        #expect(!OrgIdentifier.isPrefix("360G-norfolk pcc") && !OrgIdentifier.isPrefix("360G-norfolk-"))
        #expect(OrgIdentifier.grant(prefix: "360G-norfolkpcc", id: 42) == "360G-norfolkpcc-G42")
    }

    func question(_ id: Int, _ kind: Grants.QuestionKind, limit: Int? = nil, required: Bool = true, fail: String = "")
        -> Grants.Question
    {
        .init(
            id: id, roundId: 1, position: id, kind: kind, prompt: "Question \(id)", wordLimit: limit,
            required: required ? 1 : 0, failReason: fail)
    }

    @Test("the form's fields become stored answers and back; money in pence; bad amounts and codes are named")
    func formAnswers() throws {
        let qs = [
            question(1, .eligibility), question(2, .text, limit: 5), question(3, .budget), question(4, .outputs),
            question(5, .places), question(6, .number),
        ]
        let form = [
            "q1": "yes", "q2": " Safer streets at night ", "q3-line1-item": "Outreach worker", "q3-line1-y1": "12,500",
            "q3-line1-y2": "£12,500.50", "q3-line2-item": "Room hire", "q3-line2-y1": "800",
            "q4-out1-name": "Young people reached",
            "q4-out1-target": "1,600", "q5-area-norwich-town-centre": "on", "q5-lads": "E07000148, e07000145",
            "q6": "3",
        ]
        let (answers, problems) = GrantForms.answers(from: form, questions: qs)
        #expect(problems.isEmpty)
        #expect(answers[2] == "Safer streets at night")
        let budget = try JSONDecoder().decode([Grants.BudgetLine].self, from: Data((answers[3] ?? "").utf8))
        #expect(
            budget == [
                .init(item: "Outreach worker", years: [1_250_000, 1_250_050, 0]),
                .init(item: "Room hire", years: [80_000, 0, 0]),
            ])
        #expect(GrantStore.requestedPence(answers, questions: qs) == 2_580_050)
        #expect(answers[4] == #"[{"name":"Young people reached","target":1600}]"#)
        #expect(answers[5] == #"["area:norwich-town-centre","lad:E07000148","lad:E07000145"]"#)
        let back = GrantForms.fields(answers, questions: qs)
        #expect(
            back["q3-line1-y2"] == "12500.50" && back["q3-line1-y1"] == "12500"
                && back["q5-lads"] == "E07000148, E07000145")
        #expect(GrantForms.answers(from: back, questions: qs).0 == answers, "the form round-trips")

        let (_, bad) = GrantForms.answers(
            from: [
                "q3-line1-item": "Staff", "q3-line1-y1": "lots", "q4-out1-name": "Reached", "q4-out1-target": "many",
                "q5-lads": "Norwich",
            ], questions: qs)
        #expect(bad.map(\.field) == ["q3-line1-y1", "q4-out1-name", "q5-lads"])
    }

    @Test("a submission's checks: required answers, word limits, numbers; eligibility 'no' gives the reason")
    func submissionChecks() {
        let qs = [
            question(1, .eligibility, fail: "The fund supports organisations working in Norfolk"),
            question(2, .text, limit: 3), question(3, .number), question(4, .text, required: false),
        ]
        let ok = Grants.check([1: "yes", 2: "one two three", 3: "12"], questions: qs)
        #expect(ok.problems.isEmpty && ok.ineligible.isEmpty)
        let long = Grants.check([1: "yes", 2: "one two three four", 3: "x"], questions: qs)
        #expect(long.problems.map(\.field) == ["q2", "q3"])
        #expect(long.problems[0].message.contains("4 words; the limit is 3"))
        let missing = Grants.check([2: "a"], questions: qs)
        #expect(missing.problems.map(\.field) == ["q1", "q3"], "the optional question may be left")
        let no = Grants.check([1: "no", 2: "a", 3: "1"], questions: qs)
        #expect(no.problems.isEmpty && no.ineligible == ["The fund supports organisations working in Norfolk"])
        #expect(Grants.words("  one\ttwo\nthree  ") == 3)
        #expect(Grants.pence("£1,000.5") == 100_050 && Grants.pence("-3") == nil && Grants.pence("") == nil)
        #expect(Grants.pounds(2_580_050) == "£25,800.50" && Grants.pounds(25_000_000) == "£250,000")
    }

    @Test(
        "quarterly returns over a grant's life, due 30 days after each quarter (or the grant) ends; overdue and payment rules"
    )
    func awardRules() throws {
        func day(_ s: String) throws -> CalendarDay { try #require(CalendarDay(s)) }
        let year = AwardRules.quarterlyReturns(startsOn: try day("2026-04-01"), endsOn: try day("2027-03-31"))
        #expect(
            year.map(\.label) == [
                "April to June 2026", "July to September 2026", "October to December 2026", "January to March 2027",
            ])
        #expect(year.map(\.due.description) == ["2026-07-30", "2026-10-30", "2027-01-30", "2027-04-30"])
        let short = AwardRules.quarterlyReturns(startsOn: try day("2026-05-15"), endsOn: try day("2026-08-10"))
        #expect(
            short.map(\.due.description) == ["2026-07-30", "2026-09-09"], "the last is due 30 days after the grant ends"
        )
        #expect(AwardRules.quarterlyReturns(startsOn: try day("2026-05-15"), endsOn: try day("2026-05-14")).isEmpty)
        // Across the October clock change the days still count as days.
        #expect(try day("2026-10-20").adding(days: 30).description == "2026-11-19")

        let today = try day("2026-12-02")
        #expect(AwardRules.isOverdue(status: .due, due: try day("2026-10-30"), today: today))
        #expect(AwardRules.isOverdue(status: .queried, due: try day("2026-10-30"), today: today))
        #expect(!AwardRules.isOverdue(status: .submitted, due: try day("2026-10-30"), today: today))
        #expect(!AwardRules.isOverdue(status: .due, due: today, today: today), "due today is not yet overdue")

        let award = 1_500_000
        #expect(
            AwardRules.paymentProblem(
                amountPence: 750_000, paidSoFarPence: 0, awardPence: award, needsAcceptedReturn: false,
                instalmentDue: nil, acceptedReturnDues: []) == nil)
        #expect(
            AwardRules.paymentProblem(
                amountPence: 800_000, paidSoFarPence: 750_000, awardPence: award, needsAcceptedReturn: false,
                instalmentDue: nil, acceptedReturnDues: [])?.contains("more than the award") == true)
        let conditional = { (accepted: [CalendarDay]) throws -> String? in
            AwardRules.paymentProblem(
                amountPence: 750_000, paidSoFarPence: 750_000, awardPence: award, needsAcceptedReturn: true,
                instalmentDue: try day("2026-10-01"), acceptedReturnDues: accepted)
        }
        #expect(try conditional([])?.contains("waits for a monitoring return") == true)
        #expect(try conditional([try day("2026-10-30")]) != nil, "a return due after the instalment does not count")
        #expect(try conditional([try day("2026-07-30")]) == nil)
    }
}
