@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The accountability board and the partnership boards through HTTP, as each kind of user:
/// the OPCC runs them; the Chief Constable's office answers only the questions put to it and
/// updates only its actions; a partner on a board sees that board's public items and
/// nothing else; restricted items never reach a partner or `/open`.
@Suite("boards: holding the Chief Constable to account, partnership boards, published minutes")
struct BoardTests {
    struct World {
        var analyst: Session
        var chief: Session
        var constable: Session
        var probation: Session
        var bid: Session
        var chiefOrg: Int
        var probationOrg: Int
        var policeOrg: Int
    }

    func world(_ app: Application) async throws -> World {
        try await app.makeUser("analyst@opcc.example", role: .opccStaff)
        try await app.makeUser(
            "staff@chief.example", role: .partnerUser, organisation: "Office of the Chief Constable", kind: .police)
        try await app.makeUser(
            "pc@police.example", role: .partnerAdmin, organisation: "Norfolk Constabulary", kind: .police)
        try await app.makeUser(
            "officer@probation.example", role: .partnerUser, organisation: "Probation Service", kind: .probation)
        try await app.makeUser(
            "ranger@bid.example", role: .partnerUser, organisation: "Norwich BID", kind: .businessImprovementDistrict)
        func org(_ name: String) async throws -> Int {
            try await app.scalar("SELECT id AS n FROM organisations WHERE name = '\(name)'")
        }
        return World(
            analyst: try await app.signIn("analyst@opcc.example"), chief: try await app.signIn("staff@chief.example"),
            constable: try await app.signIn("pc@police.example"),
            probation: try await app.signIn("officer@probation.example"),
            bid: try await app.signIn("ranger@bid.example"),
            chiefOrg: try await org("Office of the Chief Constable"), probationOrg: try await org("Probation Service"),
            policeOrg: try await org("Norfolk Constabulary"))
    }

    func upload(_ app: Application, _ path: String, name: String, content: String, as s: Session) async throws
        -> TestingHTTPResponse
    {
        var out: TestingHTTPResponse?
        try await app.testing().test(
            .POST, path,
            beforeRequest: { req in
                req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.cookie)=\(s.cookie)")
                req.headers.replaceOrAdd(name: "X-CSRF-Token", value: s.csrf)
                try req.content.encode(
                    FormDataFile(file: File(data: ByteBuffer(string: content), filename: name)), as: .formData)
            }
        ) { res async in out = res }
        return try #require(out)
    }

    func id(_ app: Application, _ sql: String) async throws -> Int { try await app.scalar(sql) }

    @Test(
        "the Chief Constable's office answers only its questions and updates only its actions; restricted items stay with the OPCC"
    )
    func accountability() async throws {
        try await withTestApp { app in
            let w = try await world(app)
            // The OPCC sets up the board, a meeting, a public and a restricted item, a paper on each.
            var res = try await app.post(
                "/boards",
                [
                    "name": "Police Accountability Forum", "slug": "forum", "kind": "accountability",
                    "answeringOrganisationID": String(w.chiefOrg), "chair": "The Commissioner",
                ], as: w.analyst)
            #expect(res.status == .seeOther && res.headers.first(name: .location) == "/boards/forum")
            res = try await app.post(
                "/boards/forum/meetings", ["heldOn": "2026-10-14", "startsAt": "10:00", "kind": "public"], as: w.analyst
            )
            #expect(res.status == .seeOther)
            let meeting = try await id(app, "SELECT MAX(id) AS n FROM meetings")
            let base = "/boards/forum/meetings/\(meeting)"
            res = try await app.post(base + "/items", ["title": "Performance: the scorecard"], as: w.analyst)
            #expect(res.status == .seeOther)
            res = try await app.post(
                base + "/items", ["title": "Misconduct case", "restricted": "on", "exemption": ""], as: w.analyst)
            #expect(res.status == .unprocessableEntity, "a restricted item needs its exemption")
            #expect(res.body.string.contains("Say why the item is restricted"))
            res = try await app.post(
                base + "/items",
                ["title": "Misconduct case", "restricted": "on", "exemption": "Personal information (FOIA s.40)"],
                as: w.analyst)
            #expect(res.status == .seeOther)
            let publicItem = try await id(app, "SELECT MIN(id) AS n FROM agenda_items")
            let restrictedItem = try await id(app, "SELECT MAX(id) AS n FROM agenda_items")
            #expect(
                try await upload(
                    app, base + "/items/\(publicItem)/papers", name: "scorecard.pdf", content: "%PDF-open",
                    as: w.analyst
                )
                .status == .seeOther)
            #expect(
                try await upload(
                    app, base + "/items/\(restrictedItem)/papers", name: "case.pdf", content: "%PDF-secret",
                    as: w.analyst
                ).status == .seeOther)
            let bad = try await upload(
                app, base + "/items/\(publicItem)/papers", name: "run.exe", content: "MZ", as: w.analyst)
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("Upload a PDF"))
            let publicPaper = try await id(app, "SELECT MIN(id) AS n FROM agenda_papers")
            let restrictedPaper = try await id(app, "SELECT MAX(id) AS n FROM agenda_papers")
            // Questions: one on each item, both to the Chief Constable's office; an action for it.
            for (text, item) in [
                ("Why did 999 answering fall?", publicItem), ("When will the case conclude?", restrictedItem),
            ] {
                res = try await app.post(
                    base + "/questions",
                    ["askedBy": "pcc", "question": text, "addressedTo": String(w.chiefOrg), "itemID": String(item)],
                    as: w.analyst)
                #expect(res.status == .seeOther)
            }
            res = try await app.post(
                base + "/questions",
                ["askedBy": "pcc", "question": "To a stranger", "addressedTo": String(w.probationOrg)],
                as: w.analyst)
            #expect(res.status == .unprocessableEntity, "a question goes to an organisation on the board")
            res = try await app.post(
                "/boards/forum/actions",
                [
                    "title": "Report on 999 recovery", "ownerOrganisationID": String(w.chiefOrg), "dueOn": "2026-11-01",
                    "meetingID": String(meeting), "itemID": String(publicItem),
                ], as: w.analyst)
            #expect(res.status == .seeOther)
            let q1 = try await id(app, "SELECT MIN(id) AS n FROM meeting_questions")
            let q2 = try await id(app, "SELECT MAX(id) AS n FROM meeting_questions")
            let action = try await id(app, "SELECT MAX(id) AS n FROM board_actions")

            // The Chief Constable's office: its questions wait on /boards; the meeting shows the
            // public item, both questions put to it, never the restricted item or its paper.
            let index = try await app.get("/boards", as: w.chief).body.string
            #expect(
                index.contains("Questions waiting for your answer") && index.contains("Why did 999 answering fall?"))
            #expect(index.contains("Report on 999 recovery"), "its open actions")
            let page = try await app.get(base, as: w.chief).body.string
            #expect(page.contains("Performance: the scorecard") && page.contains("scorecard.pdf"))
            #expect(!page.contains("Misconduct case") && !page.contains("case.pdf") && !page.contains("FOIA"))
            #expect(page.contains("When will the case conclude?"), "a question put to it, even on a restricted item")
            #expect(page.contains("A restricted item"))
            #expect(try await app.get(base + "/papers/\(restrictedPaper)", as: w.chief).status == .notFound)
            let paper = try await app.get(base + "/papers/\(publicPaper)", as: w.chief)
            #expect(paper.status == .ok && paper.body.string == "%PDF-open")
            #expect(paper.headers.first(name: .contentType) == "application/pdf")
            let pack = try await app.get(base + "/pack", as: w.chief)
            #expect(pack.status == .ok && !pack.body.string.contains("Misconduct case"))
            #expect(try await app.get(base + "/pack", as: w.analyst).body.string.contains("Misconduct case"))
            #expect(try await app.get("/plan", as: w.chief).status == .forbidden, "nothing else of the OPCC's")
            // It answers; the OPCC cannot answer for it; the constabulary (not on the board) cannot see it.
            res = try await app.post(
                base + "/questions/\(q1)/answer", ["answer": "Two cohorts were in training."], as: w.chief)
            #expect(res.status == .seeOther)
            #expect(
                try await app.post(base + "/questions/\(q1)/answer", ["answer": "OPCC says"], as: w.analyst).status
                    == .forbidden)
            #expect(
                try await app.post(base + "/questions/\(q2)/answer", ["answer": "Hijack"], as: w.constable).status
                    == .notFound)
            #expect(try await app.get("/boards/forum", as: w.constable).status == .notFound)
            #expect(try await app.get(base, as: w.bid).status == .notFound)
            #expect(
                try await app.post(base + "/questions/\(q2)/answer", ["answer": "   "], as: w.chief).status
                    == .unprocessableEntity)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM meeting_questions WHERE answer = 'Two cohorts were in training.'") == 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM meeting_questions WHERE answer IS NOT NULL") == 1)
            // Its action: it updates it; the OPCC's own routes refuse it.
            res = try await app.post(
                "/boards/forum/actions/\(action)/updates", ["status": "in-progress", "note": "Draft written"],
                as: w.chief)
            #expect(res.status == .seeOther)
            #expect(try await app.post(base + "/items", ["title": "Mine"], as: w.chief).status == .forbidden)
            #expect(try await app.post(base + "/publish", [:], as: w.chief).status == .forbidden)

            // The minutes: published with the public item, its answered question and paper; the
            // restricted item, its question and its paper never.
            #expect(try await app.post(base + "/publish", [:], as: w.analyst).status == .unprocessableEntity)
            res = try await app.post(
                base + "/minutes", ["minutes": "1. Performance. The Commissioner accepted the plan."], as: w.analyst)
            #expect(res.status == .seeOther)
            #expect(try await app.post(base + "/publish", [:], as: w.analyst).status == .seeOther)
            try await app.testing().test(.GET, "/open/meetings") { res async in
                #expect(res.status == .ok && res.body.string.contains("Police Accountability Forum"))
            }
            try await app.testing().test(.GET, "/open/meetings/\(meeting)") { res async in
                let html = res.body.string
                #expect(res.status == .ok)
                #expect(html.contains("Performance: the scorecard") && html.contains("Two cohorts were in training."))
                #expect(html.contains("The Commissioner accepted the plan.") && html.contains("scorecard.pdf"))
                #expect(!html.contains("Misconduct") && !html.contains("When will the case conclude?"))
                #expect(!html.contains("staff@chief.example"), "no one's name on the open page")
                #expect(html.contains("1 restricted item was discussed in private"))
            }
            try await app.testing().test(.GET, "/open/meetings/\(meeting)/papers/\(restrictedPaper)") { res async in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "/open/meetings/\(meeting)/papers/\(publicPaper)") { res async in
                #expect(res.status == .ok && res.body.string == "%PDF-open")
            }
            #expect(try await app.post(base + "/withdraw", [:], as: w.analyst).status == .seeOther)
            try await app.testing().test(.GET, "/open/meetings/\(meeting)") { res async in
                #expect(res.status == .notFound, "withdrawn minutes leave the open pages")
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'question'") == 3)
        }
    }

    @Test(
        "a partner on a partnership board sees its public items and actions, updates only its own; others see nothing")
    func partnership() async throws {
        try await withTestApp { app in
            let w = try await world(app)
            var res = try await app.post(
                "/boards",
                [
                    "name": "Norfolk Rehabilitation Board", "kind": "partnership", "members[]": String(w.probationOrg),
                ], as: w.analyst)
            #expect(res.status == .seeOther)
            let slug = "norfolk-rehabilitation-board"
            res = try await app.post("/boards/\(slug)/members", ["organisation": String(w.policeOrg)], as: w.analyst)
            #expect(res.status == .seeOther)
            res = try await app.post(
                "/boards/\(slug)/meetings", ["heldOn": "2026-09-01", "kind": "public"], as: w.analyst)
            let meeting = try await id(app, "SELECT MAX(id) AS n FROM meetings")
            let base = "/boards/\(slug)/meetings/\(meeting)"
            _ = try await app.post(base + "/items", ["title": "Accommodation on release"], as: w.analyst)
            _ = try await app.post(
                base + "/items", ["title": "High-risk case review", "restricted": "on", "exemption": "Personal data"],
                as: w.analyst)
            for (title, owner) in [("Ten move-on beds", w.probationOrg), ("Police liaison officer", w.policeOrg)] {
                res = try await app.post(
                    "/boards/\(slug)/actions",
                    ["title": title, "ownerOrganisationID": String(owner), "dueOn": "2026-01-31"], as: w.analyst)
                #expect(res.status == .seeOther)
            }
            res = try await app.post(
                "/boards/\(slug)/actions",
                ["title": "Not a member's", "ownerOrganisationID": String(w.chiefOrg), "dueOn": "2026-01-31"],
                as: w.analyst)
            #expect(res.status == .unprocessableEntity, "an action's owner sits on the board")
            let probationAction = try await id(app, "SELECT MIN(id) AS n FROM board_actions")
            let policeAction = try await id(app, "SELECT MAX(id) AS n FROM board_actions")

            let board = try await app.get("/boards/\(slug)", as: w.probation).body.string
            #expect(board.contains("Ten move-on beds") && board.contains("Police liaison officer"))
            #expect(board.contains("Overdue"), "an action past its date and not done is overdue")
            let page = try await app.get(base, as: w.probation).body.string
            #expect(page.contains("Accommodation on release") && !page.contains("High-risk case review"))
            #expect(
                try await app.post(
                    "/boards/\(slug)/actions/\(probationAction)/updates", ["status": "done", "note": "Beds secured"],
                    as: w.probation
                ).status == .seeOther)
            #expect(
                try await app.post(
                    "/boards/\(slug)/actions/\(policeAction)/updates", ["status": "done", "note": "Not mine"],
                    as: w.probation
                ).status == .forbidden)
            // Not on the board: nothing, not even that it exists.
            #expect(try await app.get("/boards/\(slug)", as: w.chief).status == .notFound)
            #expect(
                try await app.post(
                    "/boards/\(slug)/actions/\(probationAction)/updates", ["status": "done", "note": "x"], as: w.bid
                ).status == .notFound)
            let bidIndex = try await app.get("/boards", as: w.bid).body.string
            #expect(bidIndex.contains("does not sit on a board") && !bidIndex.contains("Rehabilitation"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM board_actions WHERE status = 'done'") == 1)
        }
    }
}
