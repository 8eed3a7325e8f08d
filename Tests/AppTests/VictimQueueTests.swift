@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Each case worker's cases and queue: a case assigned to one of the holder's people (never
/// to anyone else, never another organisation's case), the list and the queue filtered to
/// them; the list a hundred to a page.
@Suite("victims: assignment, each case worker's queue, the list by pages")
struct VictimQueueTests {
    @Test("assigned cases make a case worker's list and queue; outsiders and other organisations' cases refused")
    func assignment() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            try await app.makeUser(
                "other@elsewhere.example", role: .partnerUser, organisation: "Elsewhere Care", kind: .victimService)
            let drafts = (1...105).map { tests.draft($0) }
            #expect(
                try await tests.call(
                    app, "/api/v1/victim-referrals", token: token, json: tests.json(drafts, service: "victim-care")
                ).status == .created)
            let first = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let workerID = try await app.scalar("SELECT id AS n FROM users WHERE email = 'worker@care.example'")
            let outsiderID = try await app.scalar("SELECT id AS n FROM users WHERE email = 'other@elsewhere.example'")
            let worker = try await app.signIn("worker@care.example")
            // Pages of 100.
            var page = try await app.get("/victims", as: worker)
            #expect(page.body.string.contains("Cases 1 to 100 of 105."))
            #expect(
                page.body.string.contains("status=open&amp;page=2") || page.body.string.contains("status=open&page=2"))
            page = try await app.get("/victims?status=open&page=2", as: worker)
            #expect(page.body.string.contains("Cases 101 to 105 of 105.") && page.body.string.contains("V\(first)<"))
            #expect(try await app.get("/victims?page=-4", as: worker).status == .ok)
            #expect(try await app.get("/victims?page=99999999", as: worker).status == .ok)

            // Assigned to the worker: the case and its first-contact clock are theirs.
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": "\(workerID)"], as: worker).status
                    == .seeOther)
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": "\(outsiderID)"], as: worker).status
                    == .notFound)
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": "x"], as: worker).status == .notFound)
            let other = try await app.signIn("other@elsewhere.example")
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": ""], as: other).status == .notFound)
            #expect(try await app.scalar("SELECT assigned_to AS n FROM victim_cases WHERE id = \(first)") == workerID)
            // Every first contact stored as due long ago: each case's clock is in the queue.
            try await app.db.sql.raw("UPDATE victim_cases SET first_contact_due = '2000-01-03'").run()
            page = try await app.get("/victims?worker=me", as: worker)
            #expect(page.body.string.contains("Cases 1 to 1 of 1."))
            #expect(page.body.string.contains(">V\(first)<"))
            #expect(page.body.string.contains("1 clock overdue; 0 clocks due today or tomorrow."))
            page = try await app.get("/victims?worker=unassigned", as: worker)
            #expect(page.body.string.contains("of 104.") && !page.body.string.contains(">V\(first)<"))
            #expect(page.body.string.contains("104 clocks overdue"))
            page = try await app.get("/victims?worker=\(workerID)", as: try await app.signIn("admin@care.example"))
            #expect(page.body.string.contains("Cases 1 to 1 of 1."))
            page = try await app.get("/victims/cases/\(first)?purpose=case-work", as: worker)
            #expect(page.body.string.contains("Case worker (now: worker@care.example)"))
            // Unassigned again.
            #expect(
                try await app.post("/victims/cases/\(first)/assign", ["worker": ""], as: worker).status == .seeOther)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases WHERE assigned_to IS NOT NULL") == 0)
        }
    }
}
