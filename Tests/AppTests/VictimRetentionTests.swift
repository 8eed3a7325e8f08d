@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Retention: a closed case past its date is erased with the duplicates linked to it, only
/// its share of the figures is left (the compliance report reads the same after), the
/// erasure is logged (append-only, naming no one), and the schedule is the admins' to change.
@Suite("victims: retention, erasure and what is left")
struct VictimRetentionTests {
    /// A police force (its API token returned), a victim service with a case worker and an
    /// admin, and an OPCC analyst.
    static func victimService(_ app: Application) async throws -> (VictimTests, String) {
        try await app.makeUser("pc@police.example", role: .partnerAdmin, organisation: "Constabulary", kind: .police)
        try await app.makeUser(
            "worker@care.example", role: .partnerUser, organisation: "Victim Care", kind: .victimService)
        try await app.makeUser(
            "admin@care.example", role: .partnerAdmin, organisation: "Victim Care", kind: .victimService)
        try await app.makeUser("analyst@opcc.example", role: .opccStaff, organisation: "OPCC", kind: .opcc)
        return (VictimTests(), try await APITests().makeToken(app, as: try await app.signIn("pc@police.example")))
    }

    @Test("months before a time: the same day, or the month's last day; across years and leap years")
    func monthsBefore() {
        #expect(VictimStore.monthsBefore("2026-08-31T10:00:00Z", months: 6) == "2026-02-28T10:00:00Z")
        #expect(VictimStore.monthsBefore("2024-08-31T10:00:00Z", months: 6) == "2024-02-29T10:00:00Z")
        #expect(VictimStore.monthsBefore("2026-12-02T23:59:59Z", months: 72) == "2020-12-02T23:59:59Z")
        #expect(VictimStore.monthsBefore("2026-01-15T00:00:00Z", months: 1) == "2025-12-15T00:00:00Z")
        #expect(VictimStore.monthsBefore("2026-03-31T00:00:00Z", months: 13) == "2025-02-28T00:00:00Z")
    }

    @Test("a closed case past its date is erased with its duplicate; the figures stay; the log names no one")
    func erase() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            var again = tests.draft(1)
            again.reference = "NC-1-again"
            #expect(
                try await tests.call(
                    app, "/api/v1/victim-referrals", token: token,
                    json: tests.json([tests.draft(1), tests.draft(2), tests.draft(3), again])
                ).status == .created)
            let first = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let (kept, declined) = (first + 2, first + 1)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases WHERE duplicate_of = \(first)") == 1)
            let worker = try await app.signIn("worker@care.example")
            #expect(
                try await app.post(
                    "/victims/cases/\(first)/contacts",
                    ["channel": "phone", "outcome": "made-contact", "note": "Spoke to Robin about the burglary"],
                    as: worker
                ).status == .seeOther)
            _ = try await app.get("/victims/cases/\(first)?purpose=case-work", as: worker)
            for (id, reason) in [
                (first, "support-completed"), (declined, "declined-support"), (kept, "support-completed"),
            ] {
                #expect(
                    try await app.post("/victims/cases/\(id)/close", ["reason": reason], as: worker).status
                        == .seeOther)
            }
            let analyst = try await app.signIn("analyst@opcc.example")
            let before = try await app.get("/victims/compliance.csv?by=crime-type", as: analyst).body.string
            #expect(before.contains("Right 4"))
            let store = VictimStore(cipher: nil, audit: AuditLog())
            let tallies = try await VictimCompliance.build(split: .organisation, now: Date(), store: store, on: app.db)
                .tallies
            #expect(tallies.values.map(\.judged).reduce(0, +) >= 4)

            // Closed seven years ago (six are kept), three years ago without support (two are
            // kept), and yesterday.
            try await app.db.sql.raw(
                "UPDATE victim_cases SET closed_at = '2019-06-01T09:00:00Z' WHERE id = \(bind: first)"
            ).run()
            try await app.db.sql.raw(
                "UPDATE victim_cases SET closed_at = '2023-06-01T09:00:00Z' WHERE id = \(bind: declined)"
            ).run()
            let admin = try await app.signIn("admin@care.example")
            var page = try await app.get("/victims/retention", as: admin)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("2 closed cases are past their date"))
            #expect(try await app.get("/victims/retention", as: worker).status != .ok)

            let erased = try await app.post("/victims/retention/erase", [:], as: admin)
            #expect(erased.status == .seeOther)
            page = try await app.get(erased.headers.first(name: .location) ?? "", as: admin)
            let html = page.body.string
            #expect(html.contains("3 cases erased now."))
            #expect(html.contains("V\(first)") && html.contains("duplicate of V\(first), erased with it"))
            #expect(!html.contains("Quillfeather"))

            // Nothing of the erased cases is left but the figures and the logs.
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases") == 1)
            #expect(try await app.scalar("SELECT id AS n FROM victim_cases") == kept)
            #expect(try await VictimQueueTests.countsAgree(app))
            #expect(try await app.scalar("SELECT COUNT(DISTINCT case_id) AS n FROM victim_clocks") == 1)
            for table in ["victim_contacts", "victim_case_events", "victim_assessments", "victim_onward_referrals"] {
                #expect(
                    try await app.scalar("SELECT COUNT(*) AS n FROM \(table) WHERE case_id <> \(kept)") == 0, "\(table)"
                )
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_erasures") == 3)
            #expect(try await app.scalar("SELECT CAST(SUM(cases) AS BIGINT) AS n FROM victim_erased_counts") == 2)
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM victim_case_reads WHERE case_id = \(first)") >= 1)
            #expect(
                try await app.get("/victims/cases/\(first)?purpose=case-work", as: worker).status == .notFound)
            let after = try await app.get("/victims/compliance.csv?by=crime-type", as: analyst).body.string
            #expect(after == before)
            #expect(
                try await VictimCompliance.build(split: .organisation, now: Date(), store: store, on: app.db).tallies
                    == tallies)
            // The erasure log is append-only.
            await #expect(throws: (any Error).self) {
                try await app.db.sql.raw("UPDATE victim_erasures SET reason = 'x'").run()
            }
            await #expect(throws: (any Error).self) {
                try await app.db.sql.raw("DELETE FROM victim_erasures").run()
            }
            // Nothing more is due; running it again erases nothing.
            #expect(try await store.eraseDue(on: app.db) == 0)

            // The schedule: whole months from 1 to 1,200, by the organisation's admins.
            #expect(
                try await app.post(
                    "/victims/retention", ["recordType": "closed-case", "months": "0"], as: admin
                ).status == .unprocessableEntity)
            #expect(
                try await app.post(
                    "/victims/retention", ["recordType": "closed-case", "months": "12"], as: admin
                ).status == .seeOther)
            #expect(
                try await app.post(
                    "/victims/retention", ["recordType": "everything", "months": "12"], as: admin
                ).status == .notFound)
            #expect(
                try await app.scalar(
                    "SELECT months AS n FROM victim_retention_rules WHERE record_type = 'closed-case'") == 12)
            #expect(
                try await app.post(
                    "/victims/retention", ["recordType": "closed-case", "months": "1"], as: worker
                ).status != .seeOther)
        }
    }
}

/// Subject access and rectification: everything held about one person found by name and
/// date of birth, exported (JSON, page, PDF) with each case's read logged; a detail corrected
/// with its reason and the value before kept, sealed.
@Suite("victims: subject access and rectification")
struct VictimSubjectTests {
    @Test(
        "a correction keeps the value before; the export holds every detail, note, plan and correction; reads are logged"
    )
    func subjectAccess() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            // The same person, two crimes; and someone else.
            var second = tests.draft(1)
            (second.reference, second.crimeReference) = ("NC-1-b", "36/99999/26")
            #expect(
                try await tests.call(
                    app, "/api/v1/victim-referrals", token: token,
                    json: tests.json([tests.draft(1), second, tests.draft(2)])
                ).status == .created)
            let first = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let worker = try await app.signIn("worker@care.example")
            #expect(
                try await app.post(
                    "/victims/cases/\(first)/contacts",
                    ["channel": "phone", "outcome": "made-contact", "note": "Talked through the burglary report"],
                    as: worker
                ).status == .seeOther)
            var form = Dictionary(uniqueKeysWithValues: Victims.Need.allCases.map { ("need-\($0.rawValue)", "none") })
            form["need-emotional"] = "high"
            form["risk"] = "standard"
            form["plan"] = "Fortnightly calls until the trial"
            #expect(try await app.post("/victims/cases/\(first)/assessments", form, as: worker).status == .seeOther)

            // Rectification: checked, the value before kept and sealed.
            let rectify = "/victims/cases/\(first)/rectify"
            #expect(
                try await app.post(rectify, ["field": "email", "value": "not an address", "reason": "new"], as: worker)
                    .status == .unprocessableEntity)
            #expect(
                try await app.post(rectify, ["field": "phone", "value": "", "reason": "gone"], as: worker).status
                    == .unprocessableEntity)
            #expect(
                try await app.post(rectify, ["field": "phone", "value": "07700 900777"], as: worker).status
                    == .unprocessableEntity)
            #expect(
                try await app.post(rectify, ["field": "shoe_size", "value": "9", "reason": "x"], as: worker).status
                    == .unprocessableEntity)
            #expect(
                try await app.post(
                    rectify, ["field": "phone", "value": "07700 900777", "reason": "The victim has a new number"],
                    as: worker
                ).status == .seeOther)
            #expect(
                try await app.post(
                    "/victims/cases/999999/rectify", ["field": "phone", "value": "07700 900777", "reason": "x"],
                    as: worker
                ).status == .notFound)
            let page = try await app.get("/victims/cases/\(first)?purpose=case-work", as: worker).body.string
            #expect(page.contains("07700 900777") && page.contains("07700 900001"))
            #expect(page.contains("The victim has a new number"))
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM victim_rectifications WHERE before_sealed LIKE 'enc1:%' AND reason_sealed LIKE 'enc1:%'"
                ) == 1)

            // Subject access: the admins only; found by the name (no date of birth was given).
            #expect(try await app.get("/victims/subject-access", as: worker).status != .ok)
            let analyst = try await app.signIn("analyst@opcc.example")
            #expect(try await app.get("/victims/subject-access", as: analyst).status == .notFound)
            let admin = try await app.signIn("admin@care.example")
            #expect(try await app.get("/victims/subject-access", as: admin).status == .ok)
            let person = ["name": "robin  QUILLFEATHER1", "dateOfBirth": ""]
            var found = try await app.post("/victims/subject-access", person, as: admin)
            #expect(found.body.string.contains("2 cases are held for this person: V\(first), V\(first + 1)"))
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM victim_case_reads WHERE purpose = 'subject-access'")
                    == 0)
            found = try await app.post(
                "/victims/subject-access", ["name": "Nobody Atall", "dateOfBirth": ""], as: admin)
            #expect(found.body.string.contains("No case is held"))
            #expect(
                try await app.post("/victims/subject-access", ["name": "", "dateOfBirth": "2099-01-01"], as: admin)
                    .status
                    == .unprocessableEntity)

            var json = person
            json["format"] = "json"
            let export = try await app.post("/victims/subject-access", json, as: admin)
            #expect(export.status == .ok)
            let body = export.body.string
            let record = try JSONDecoder().decode(SubjectRecordKeys.self, from: Data(body.utf8))
            #expect(record.cases.map(\.case_number) == ["V\(first)", "V\(first + 1)"])
            for held in [
                "Robin Quillfeather1", "07700 900777", "07700 900001", "Talked through the burglary report",
                "Fortnightly calls until the trial", "The victim has a new number", "36/10001/26", "36/99999/26",
                "NC-1-b", "Constabulary",
            ] {
                #expect(body.contains(held), "\(held) is not in the export")
            }
            #expect(!body.contains("Quillfeather2"))
            // Every detail the case holds has its key, in every case.
            let keys = Set(
                (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]).flatMap {
                    ($0["cases"] as? [[String: Any]])?.first?.keys.map { $0 }
                } ?? [])
            for key in [
                "name", "date_of_birth", "phone", "email", "address", "contact_preferences", "language", "interpreter",
                "age_band", "enhanced_rights", "consent", "consent_on", "consent_how", "local_authority", "crime_type",
                "crime_reference", "reference", "reported_on", "received_at", "status", "closed_at", "closure_reason",
                "outcomes", "contacts", "events", "assessments", "onward_referrals", "corrections", "reads",
            ] {
                #expect(keys.contains(key), "\(key) missing")
            }
            // Each case exported is a read for subject access.
            #expect(
                try await app.scalar(
                    "SELECT COUNT(DISTINCT case_id) AS n FROM victim_case_reads WHERE purpose = 'subject-access'") == 2)
            json["format"] = "page"
            let shown = try await app.post("/victims/subject-access", json, as: admin)
            #expect(shown.status == .ok && shown.body.string.contains("Case V\(first)"))
            #expect(shown.body.string.contains("Fortnightly calls until the trial"))
        }
    }

    /// The export's shape, read back with the keys a reader of the file sees.
    struct SubjectRecordKeys: Decodable {
        struct Case: Decodable { var case_number: String }
        var cases: [Case]
    }
}
