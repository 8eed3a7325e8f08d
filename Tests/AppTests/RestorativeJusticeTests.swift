@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Restorative justice journeys: the order of the stages (pure), a victim-side journey from
/// an accepted onward referral through to an agreement kept and closure, seen only by the RJ
/// service (404 for everyone else, the holder sees the stage), every opening in the case's
/// read log; an offender-side referral with its fields checked and its parties sealed; and
/// retention (with the case, or by the schedule's own line).
@Suite("restorative justice: stages in order, confined to the RJ service, logged, erased on time")
struct RestorativeJusticeTests {
    typealias RJ = RestorativeJustice

    @Test("the stages' order: responsibility first, both consents and a suitable risk assessment before a meeting")
    func order() {
        func done(_ pairs: [(RJ.Step, String)]) -> [RJ.Recorded] { pairs.map { .init(step: $0.0, result: $0.1) } }
        #expect(RJ.problem(adding: .meeting, result: "conference", after: []) != nil)
        #expect(RJ.problem(adding: .victimConsent, result: "given", after: []) != nil)
        #expect(RJ.problem(adding: .eligibility, result: "accepts", after: []) == nil)
        #expect(RJ.problem(adding: .eligibility, result: "maybe", after: []) == "Choose what happened at this stage.")
        var steps: [(RJ.Step, String)] = [(.eligibility, "accepts"), (.victimConsent, "given")]
        #expect(RJ.problem(adding: .meeting, result: "indirect", after: done(steps))?.contains("Both") == true)
        steps += [(.offenderConsent, "given"), (.riskAssessment, "not-suitable")]
        #expect(RJ.problem(adding: .meeting, result: "indirect", after: done(steps))?.contains("risk") == true)
        // The latest result counts: reassessed as suitable.
        steps += [(.riskAssessment, "suitable")]
        #expect(RJ.problem(adding: .meeting, result: "indirect", after: done(steps)) == nil)
        #expect(RJ.problem(adding: .agreement, result: "agreed", after: done(steps)) != nil)
        steps += [(.meeting, "conference"), (.agreement, "none")]
        #expect(RJ.problem(adding: .agreementKept, result: "kept", after: done(steps)) != nil)
        steps += [(.agreement, "agreed")]
        #expect(RJ.problem(adding: .agreementKept, result: "kept", after: done(steps)) == nil)
        // A consent withdrawn after the meeting does not undo it; closure ends everything.
        steps += [(.closed, "completed")]
        for step in RJ.Step.allCases {
            #expect(RJ.problem(adding: step, result: step.results[0].code, after: done(steps)) != nil)
        }
        #expect(RJ.stage([]) == "Referred")
        #expect(RJ.stage(done(steps)) == "Closed: completed")
        #expect(RJ.stage(done([(.riskAssessment, "suitable")])) == "Risk assessment: suitable to go ahead")
    }

    @Test(
        "a victim-side journey: opened on accepting, taken stage by stage, confined to the RJ service, every opening logged"
    )
    func victimSide() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            try await app.makeUser(
                "rj@rj.example", role: .partnerUser, organisation: "RJ Service", kind: .victimService)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerUser, organisation: "BID", kind: .businessImprovementDistrict)
            #expect(
                try await tests.call(
                    app, "/api/v1/victim-referrals", token: token,
                    json: tests.json([tests.draft(1)], service: "victim-care")
                )
                .status == .created)
            let id = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let rjOrg = try await app.scalar("SELECT id AS n FROM organisations WHERE name = 'RJ Service'")
            let worker = try await app.signIn("worker@care.example")
            #expect(
                try await app.post(
                    "/victims/cases/\(id)/onward",
                    ["to": "\(rjOrg)", "service": "restorative-justice", "note": "Wants to meet the burglar"],
                    as: worker
                ).status == .seeOther)
            let referral = try await app.scalar("SELECT MIN(id) AS n FROM victim_onward_referrals")
            let rj = try await app.signIn("rj@rj.example")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM rj_journeys") == 0)
            #expect(
                try await app.post("/onward-referrals/\(referral)/decision", ["decision": "accept"], as: rj).status
                    == .seeOther)
            let journey = try await app.scalar("SELECT MIN(id) AS n FROM rj_journeys")
            var page = try await app.get("/restorative-justice", as: rj)
            #expect(page.status == .ok && page.body.string.contains("J\(journey)"))
            #expect(!page.body.string.contains("Quillfeather"))
            let readsBefore = try await app.scalar("SELECT COUNT(*) AS n FROM victim_case_reads")

            // Out of order: refused with the reason, nothing stored.
            let today = CalendarDay(Date()).description
            page = try await app.post(
                "/restorative-justice/\(journey)/steps", ["what": "meeting:conference", "occurredOn": today], as: rj)
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.string.contains("accept responsibility first"))
            page = try await app.post(
                "/restorative-justice/\(journey)/steps", ["what": "eligibility:accepts", "occurredOn": "2001-01-01"],
                as: rj)
            #expect(page.status == .unprocessableEntity && page.body.string.contains("before the referral"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM rj_steps") == 0)
            for what in [
                "eligibility:accepts", "victim-consent:given", "offender-consent:given", "risk-assessment:suitable",
                "preparation:held", "meeting:conference", "agreement:agreed",
            ] {
                #expect(
                    try await app.post(
                        "/restorative-justice/\(journey)/steps",
                        ["what": what, "occurredOn": today, "note": "Letter of apology agreed, Ms Quillfeather"], as: rj
                    ).status == .seeOther, "\(what)")
            }
            // Notes are sealed.
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM rj_steps WHERE note_sealed LIKE '%Quillfeather%'") == 0)
            page = try await app.get("/restorative-justice/\(journey)", as: rj)
            #expect(page.status == .ok && page.body.string.contains("Letter of apology agreed"))
            #expect(page.body.string.contains("Agreement: agreement reached"))
            // The holder sees the stage on the case, not the RJ service's notes; it cannot open the journey.
            page = try await app.get("/victims/cases/\(id)?purpose=case-work", as: worker)
            #expect(page.body.string.contains("restorative justice stage: Agreement: agreement reached"))
            #expect(!page.body.string.contains("Letter of apology"))
            #expect(try await app.get("/restorative-justice/\(journey)", as: worker).status == .notFound)
            let bid = try await app.signIn("ranger@bid.example")
            #expect(try await app.get("/restorative-justice/\(journey)", as: bid).status == .notFound)
            // The journey's link, not "J<n>": a page's random CSRF token can hold those two characters.
            #expect(
                !(try await app.get("/restorative-justice", as: bid)).body.string.contains(
                    "href=\"/restorative-justice/\(journey)\""))
            #expect(
                try await app.post(
                    "/restorative-justice/\(journey)/steps", ["what": "closed:completed", "occurredOn": today], as: bid
                ).status == .notFound)
            // OPCC staff are refused the partners' pages before any journey is looked up.
            #expect(
                try await app.get("/restorative-justice/\(journey)", as: try await app.signIn("analyst@opcc.example"))
                    .status == .forbidden)
            // Two openings by the RJ service (the refused step's page, and the page above), each
            // a disclosure in the case's read log; refusals added none.
            let reads = try await app.scalar(
                "SELECT COUNT(*) AS n FROM victim_case_reads WHERE what = 'restorative justice journey J\(journey)'")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_case_reads") - readsBefore == reads + 1)
            #expect(reads == 3)
            #expect(
                try await app.post(
                    "/restorative-justice/\(journey)/steps", ["what": "agreement-kept:kept", "occurredOn": today],
                    as: rj
                ).status == .seeOther)
            #expect(
                try await app.post(
                    "/restorative-justice/\(journey)/steps", ["what": "closed:completed", "occurredOn": today], as: rj
                ).status == .seeOther)
            page = try await app.post(
                "/restorative-justice/\(journey)/steps", ["what": "follow-up:done", "occurredOn": today], as: rj)
            #expect(page.status == .notFound || page.status == .unprocessableEntity)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM rj_journeys WHERE status = 'closed'") == 1)
            page = try await app.get("/restorative-justice?status=closed", as: rj)
            #expect(page.body.string.contains("Closed: completed"))

            // The case erased by retention takes its journey with it.
            _ = try await app.post("/victims/cases/\(id)/close", ["reason": "support-completed"], as: worker)
            try await app.db.sql.raw("UPDATE victim_cases SET closed_at = '2019-06-01T09:00:00Z'").run()
            let store = VictimStore(cipher: nil, audit: AuditLog())
            #expect(try await store.eraseDue(on: app.db) == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM rj_journeys") == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM rj_steps") == 0)
            // 1 case + 1 onward referral + 1 journey + 10 steps (+ the contact-free case's nothing else).
            #expect(try await app.scalar("SELECT records AS n FROM victim_erasures WHERE case_id = \(id)") >= 12)
        }
    }

    @Test("an offender-side referral: every field checked, the parties sealed, erased by its own retention line")
    func offenderSide() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "rj@rj.example", role: .partnerUser, organisation: "RJ Service", kind: .victimService)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerUser, organisation: "BID", kind: .businessImprovementDistrict)
            let rj = try await app.signIn("rj@rj.example")
            // A partner that is no specialist service cannot record one.
            let bid = try await app.signIn("ranger@bid.example")
            #expect(
                try await app.post("/restorative-justice", ["referrer": "probation"], as: bid).status == .notFound)
            var page = try await app.post(
                "/restorative-justice", ["referrer": "court", "crimeType": "arson?", "referredOn": "2099-01-01"], as: rj
            )
            #expect(page.status == .unprocessableEntity)
            for field in ["#referrer", "#crime_type", "#referred_on"] {
                #expect(page.body.string.contains("href=\"\(field)\""), "\(field) not named")
            }
            page = try await app.post(
                "/restorative-justice",
                [
                    "referrer": "probation", "crimeType": "burglary", "crimeReference": "36/999/26",
                    "referredOn": CalendarDay(Date()).description,
                    "parties": "Offender: Ash Brindlewick, via probation officer 01632 960123",
                ], as: rj)
            #expect(page.status == .seeOther)
            let journey = try await app.scalar("SELECT MIN(id) AS n FROM rj_journeys")
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM rj_journeys WHERE parties_sealed LIKE '%Brindlewick%'")
                    == 0)
            page = try await app.get("/restorative-justice/\(journey)", as: rj)
            #expect(page.body.string.contains("Ash Brindlewick") && page.body.string.contains("Probation service"))
            #expect(try await app.get("/restorative-justice/\(journey)", as: bid).status == .notFound)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_case_reads") == 0)
            #expect(
                try await app.post(
                    "/restorative-justice/\(journey)/steps",
                    ["what": "closed:not-eligible", "occurredOn": CalendarDay(Date()).description], as: rj
                ).status == .seeOther)
            // Closed seven years ago: past the six-year line.
            let store = VictimStore(cipher: nil, audit: AuditLog())
            #expect(try await store.eraseDue(on: app.db) == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM rj_journeys") == 1)
            try await app.db.sql.raw("UPDATE rj_journeys SET closed_on = '2019-06-01'").run()
            #expect(try await store.eraseDue(on: app.db) == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM rj_journeys") == 0)
            #expect(
                try await app.scalar(
                    "SELECT records AS n FROM victim_erasures WHERE rule = 'closed-rj-journey' AND case_id = 0") == 2)
        }
    }
}
