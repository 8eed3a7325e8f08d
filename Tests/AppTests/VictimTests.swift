@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Victims' referrals and cases: the referral rules (pure), the police's batch (idempotent,
/// all or nothing, duplicates linked), confinement to the holding organisation (everyone
/// else gets a 404), the read log (a row for every read that showed the record, none for a
/// refusal; append-only), and encryption at rest (no name or number in the database file).
@Suite("victims: referrals, confinement, the read log and encryption at rest")
struct VictimTests {
    static let today = CalendarDay(unchecked: 2026, month: 12, day: 1)

    func draft(_ n: Int, crime: String = "burglary", consent: String = "not-declined") -> ReferralDraft {
        ReferralDraft(
            reference: "NC-\(n)", crimeReference: "36/\(10_000 + n)/26", crimeType: crime, reportedOn: "2026-11-30",
            name: "Robin Quillfeather\(n)", phone: "07700 900\(String(format: "%03d", n))", ageBand: "35-49",
            consent: consent)
    }

    @Test("a referral's rules: explicit consent where the Code needs it, enhanced rights implied, every field named")
    func rules() throws {
        let ok = try draft(1).check(today: Self.today, localAuthorities: ["E07000148"], needsReference: true).get()
        #expect(ok.crimeType == .burglary && !ok.isEnhanced && ok.language == "English")
        // Domestic abuse: the most serious crime, and explicit consent required.
        let refused = draft(2, crime: "domestic-abuse").check(
            today: Self.today, localAuthorities: [], needsReference: true)
        guard case .failure(let e) = refused else {
            Issue.record("a domestic abuse referral without explicit consent was accepted")
            return
        }
        #expect(e.errors.map(\.field) == ["consent"])
        var explicit = draft(3, crime: "domestic-abuse", consent: "explicit")
        (explicit.consentOn, explicit.consentHow) = ("2026-11-30", "verbal")
        let da = try explicit.check(today: Self.today, localAuthorities: [], needsReference: true).get()
        #expect(da.enhanced.contains(.mostSerious) && da.explicitConsent)
        var child = draft(4)
        child.ageBand = "under-18"
        child.enhanced = ["intimidated"]
        #expect(
            try child.check(today: Self.today, localAuthorities: [], needsReference: true).get().enhanced == [
                .under18, .intimidated,
            ])
        // Everything wrong at once: each field named.
        let bad = ReferralDraft(
            reference: "has space", crimeType: "arson?", reportedOn: "2027-01-01", name: "", phone: "call me",
            email: "not-an-address", ageBand: "old", enhanced: ["royalty"], consent: "maybe", localAuthority: "X1")
        guard case .failure(let all) = bad.check(today: Self.today, localAuthorities: [], needsReference: true) else {
            Issue.record("a referral with every field wrong was accepted")
            return
        }
        let fields = Set(all.errors.map(\.field))
        for f in [
            "reference", "crime_reference", "crime_type", "reported_on", "name", "phone", "email", "age_band",
            "enhanced", "consent", "local_authority",
        ] {
            #expect(fields.contains(f), "\(f) not named")
        }
    }

    func call(_ app: Application, _ path: String, token: String, json: String) async throws -> TestingHTTPResponse {
        var out: TestingHTTPResponse?
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        headers.contentType = .json
        try await app.testing().test(.POST, path, headers: headers, body: ByteBuffer(string: json)) { res async in
            out = res
        }
        return try #require(out)
    }

    func json(_ drafts: [ReferralDraft], service: String? = nil) -> String {
        let items = drafts.map { d in
            """
            {"reference": "\(d.reference)", "crime_reference": "\(d.crimeReference)", "crime_type": "\(d.crimeType)",
             "reported_on": "\(d.reportedOn)", "name": "\(d.name)", "phone": "\(d.phone)", "age_band": "\(d.ageBand)",
             "consent": "\(d.consent)", "interpreter": false}
            """
        }
        let named = service.map { "\"service\": \"\($0)\", " } ?? ""
        return "{\(named)\"referrals\": [\(items.joined(separator: ","))]}"
    }

    @Test(
        "the police's batch: stored for the service, safe to resend, refused whole with record and field, duplicates linked"
    )
    func batch() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "pc@police.example", role: .partnerAdmin, organisation: "Constabulary", kind: .police)
            try await app.makeUser(
                "worker@care.example", role: .partnerUser, organisation: "Victim Care", kind: .victimService)
            let police = try await app.signIn("pc@police.example")
            let token = try await APITests().makeToken(app, as: police, name: "Referrals")
            let three = (1...3).map { draft($0) }
            var res = try await call(app, "/api/v1/victim-referrals", token: token, json: json(three))
            #expect(res.status == .created, "\(res.body.string)")
            #expect(res.body.string.contains("\"created\":3"))
            // Sent again: nothing new.
            res = try await call(app, "/api/v1/victim-referrals", token: token, json: json(three))
            #expect(res.status == .ok && res.body.string.contains("\"unchanged\":3"))
            // One bad record: the whole batch refused, the record and field named.
            var bad = draft(5)
            bad.crimeType = "shoplifting"
            res = try await call(app, "/api/v1/victim-referrals", token: token, json: json([draft(4), bad]))
            #expect(res.status == .unprocessableEntity)
            #expect(res.body.string.contains("\"record\":2") && res.body.string.contains("\"field\":\"crime_type\""))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases") == 3)
            // The same person for the same crime under a new reference: linked, not a second case.
            var again = draft(1)
            again.reference = "NC-1b"
            again.name = "  robin   QUILLFEATHER1 "
            res = try await call(app, "/api/v1/victim-referrals", token: token, json: json([again, draft(6)]))
            #expect(res.status == .created && res.body.string.contains("\"duplicates\":1"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases WHERE status = 'open'") == 4)
            let first = try await app.scalar("SELECT id AS n FROM victim_cases WHERE reference = 'NC-1'")
            #expect(
                try await app.scalar("SELECT duplicate_of AS n FROM victim_cases WHERE reference = 'NC-1b'") == first)
            // Only a police force's system may send; a service must exist to receive.
            let bid = try await app.makeUser(
                "bid@bid.example", role: .partnerAdmin, organisation: "BID", kind: .businessImprovementDistrict)
            _ = bid
            let bidToken = try await APITests().makeToken(app, as: try await app.signIn("bid@bid.example"))
            res = try await call(app, "/api/v1/victim-referrals", token: bidToken, json: json([draft(7)]))
            #expect(res.status == .forbidden)
            res = try await call(app, "/api/v1/victim-referrals", token: token, json: json([draft(8)], service: "nope"))
            #expect(res.status == .unprocessableEntity)
        }
    }

    @Test("a case is read only by its holder, for a stated purpose, and every read that showed it is logged")
    func confinement() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "pc@police.example", role: .partnerAdmin, organisation: "Constabulary", kind: .police)
            try await app.makeUser(
                "worker@care.example", role: .partnerUser, organisation: "Victim Care", kind: .victimService)
            try await app.makeUser(
                "manager@care.example", role: .partnerAdmin, organisation: "Victim Care", kind: .victimService)
            try await app.makeUser(
                "worker@other.example", role: .partnerUser, organisation: "Other Care", kind: .victimService)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff, organisation: "OPCC", kind: .opcc)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerUser, organisation: "BID", kind: .businessImprovementDistrict)
            let token = try await APITests().makeToken(app, as: try await app.signIn("pc@police.example"))
            let res = try await call(
                app, "/api/v1/victim-referrals", token: token, json: json([draft(1), draft(2)], service: "victim-care"))
            #expect(res.status == .created, "\(res.body.string)")
            let id = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let worker = try await app.signIn("worker@care.example")

            // The list: references and types, no names.
            var page = try await app.get("/victims", as: worker)
            #expect(page.status == .ok && page.body.string.contains("V\(id)"))
            #expect(!page.body.string.contains("Quillfeather"))
            // Opening asks why first, and shows nothing of the victim until then.
            page = try await app.get("/victims/cases/\(id)", as: worker)
            #expect(page.status == .ok && page.body.string.contains("Why are you opening this case?"))
            #expect(!page.body.string.contains("Quillfeather"))
            page = try await app.get("/victims/cases/\(id)?purpose=other", as: worker)
            #expect(page.status == .unprocessableEntity && !page.body.string.contains("Quillfeather"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_case_reads") == 0)
            page = try await app.get("/victims/cases/\(id)?purpose=case-work", as: worker)
            #expect(page.status == .ok && page.body.string.contains("Robin Quillfeather1"))
            #expect(page.body.string.contains("07700 900001"))
            #expect(!page.body.string.contains("Who looked at this case"))  // the admin's, not a case worker's

            // Everyone else: 404 (signed in) or sign in first (the public); nothing logged.
            let other = try await app.get("/victims", as: try await app.signIn("worker@other.example"))
            #expect(other.status == .ok && !other.body.string.contains("V\(id)<"))
            for email in ["worker@other.example", "analyst@opcc.example", "ranger@bid.example", "pc@police.example"] {
                let s = try await app.signIn(email)
                let paths = [
                    "/victims/cases/\(id)?purpose=case-work", "/victims/cases/\(id)", "/victims/cases/\(id)/reads",
                ]
                for path in paths + (email.hasPrefix("worker") ? [] : ["/victims"]) {
                    let r = try await app.get(path, as: s)
                    #expect(r.status == .notFound, "\(email) \(path): \(r.status)")
                    #expect(!r.body.string.contains("Quillfeather"))
                }
            }
            try await app.testing().test(.GET, "/victims/cases/\(id)?purpose=case-work") { res async in
                #expect(res.status == .seeOther && !res.body.string.contains("Quillfeather"))
            }
            // A case of another service, a guessed id: 404 for the worker too.
            let r = try await app.get("/victims/cases/999999?purpose=case-work", as: worker)
            #expect(r.status == .notFound)

            // A contact, then the second read (the redirect's page).
            let posted = try await app.post(
                "/victims/cases/\(id)/contacts",
                ["channel": "phone", "outcome": "made-contact", "note": "Spoke to Robin; wants a call back"], as: worker
            )
            #expect(posted.status == .seeOther)
            page = try await app.get("/victims/cases/\(id)?purpose=case-work", as: worker)
            #expect(page.body.string.contains("wants a call back"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_case_reads") == 2)

            // The read log: the organisation's admin only; the case workers' reads, not the refusals.
            let manager = try await app.signIn("manager@care.example")
            let log = try await app.get("/victims/cases/\(id)/reads", as: manager)
            #expect(log.status == .ok && log.body.string.contains("worker@care.example"))
            #expect(log.body.string.components(separatedBy: "Case work on this case").count - 1 == 2)
            #expect(try await app.get("/victims/cases/\(id)/reads", as: worker).status == .notFound)
            let csv = try await app.get("/victims/read-log.csv", as: manager)
            #expect(csv.status == .ok && csv.body.string.split(separator: "\r\n").count == 3)
            // Append-only: the database refuses to change or delete a line.
            await #expect(throws: (any Error).self) {
                try await app.db.sql.raw("UPDATE victim_case_reads SET user_name = 'someone else'").run()
            }
            await #expect(throws: (any Error).self) {
                try await app.db.sql.raw("DELETE FROM victim_case_reads").run()
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_case_reads") == 2)

            // At rest: no name, number or note in clear, in the table or in the SQLite file.
            struct Row: Decodable {
                var nameSealed: String; var phoneSealed: String
            }
            let rows = try await app.db.sql.raw("SELECT name_sealed, phone_sealed FROM victim_cases").rows(Row.self)
            #expect(rows.allSatisfy { $0.nameSealed.hasPrefix("enc1:test:") && $0.phoneSealed.hasPrefix("enc1:test:") })
            if case .sqlite(let path) = app.appConfig.database {
                var bytes = Data()
                for suffix in ["", "-wal"] {
                    bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data()
                }
                #expect(bytes.count > 0)
                for secret in ["Quillfeather", "07700 900001", "wants a call back"] {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is in the database file in clear")
                }
            }
        }
    }

    @Test("needs assessed and re-assessed (each version kept, the plan sealed), then the case closed with its outcomes")
    func assessAndClose() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "pc@police.example", role: .partnerAdmin, organisation: "Constabulary", kind: .police)
            try await app.makeUser(
                "worker@care.example", role: .partnerUser, organisation: "Victim Care", kind: .victimService)
            let token = try await APITests().makeToken(app, as: try await app.signIn("pc@police.example"))
            #expect(
                try await call(app, "/api/v1/victim-referrals", token: token, json: json([draft(1)])).status == .created
            )
            let id = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let worker = try await app.signIn("worker@care.example")
            var form = Dictionary(uniqueKeysWithValues: Victims.Need.allCases.map { ("need-\($0.rawValue)", "none") })
            form["need-emotional"] = "high"
            form["need-housing"] = "some"
            form["risk"] = "medium"
            form["plan"] = "Weekly calls; refer to counselling"
            #expect(try await app.post("/victims/cases/\(id)/assessments", form, as: worker).status == .seeOther)
            form["need-housing"] = "high"
            form["plan"] = "Housing first"
            #expect(try await app.post("/victims/cases/\(id)/assessments", form, as: worker).status == .seeOther)
            var page = try await app.get("/victims/cases/\(id)?purpose=case-work", as: worker).body.string
            #expect(
                page.contains("Assessment 2") && page.contains("Housing first") && page.contains("Earlier assessments"))
            #expect(page.contains("housing (some)"))
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM victim_assessments WHERE plan_sealed LIKE 'enc1:%'")
                    == 2)
            form["need-housing"] = "enormous"
            #expect(
                try await app.post("/victims/cases/\(id)/assessments", form, as: worker).status == .unprocessableEntity)
            // Closing: reason, outcomes, the closing question.
            let closed = try await app.post(
                "/victims/cases/\(id)/close",
                [
                    "reason": "support-completed", "outcomes[0]": "feel-safer", "outcomes[1]": "better-able-to-cope",
                    "feedback": "5",
                ],
                as: worker)
            #expect(closed.status == .seeOther)
            page = try await app.get("/victims/cases/\(id)?purpose=case-work", as: worker).body.string
            #expect(
                page.contains("Support completed") && page.contains("Feels safer")
                    && page.contains("Better able to cope"))
            // Closed: no further assessment or closing.
            #expect(try await app.post("/victims/cases/\(id)/assessments", form, as: worker).status != .seeOther)
            #expect(
                try await app.post("/victims/cases/\(id)/close", ["reason": "support-completed"], as: worker).status
                    == .notFound)
            #expect(
                try await app.post("/victims/cases/\(id)/close", ["reason": "bored"], as: worker).status
                    == .unprocessableEntity)
        }
    }

    @Test(
        "an onward referral: the receiving service sees that referral only, its reads are logged for the holder, it accepts or declines"
    )
    func onward() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "pc@police.example", role: .partnerAdmin, organisation: "Constabulary", kind: .police)
            try await app.makeUser(
                "worker@care.example", role: .partnerUser, organisation: "Victim Care", kind: .victimService)
            try await app.makeUser(
                "manager@care.example", role: .partnerAdmin, organisation: "Victim Care", kind: .victimService)
            try await app.makeUser(
                "idva@idva.example", role: .partnerUser, organisation: "IDVA Service", kind: .victimService)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerUser, organisation: "BID", kind: .businessImprovementDistrict)
            let token = try await APITests().makeToken(app, as: try await app.signIn("pc@police.example"))
            var da = draft(1, crime: "domestic-abuse", consent: "explicit")
            (da.consentOn, da.consentHow) = ("2026-11-30", "verbal")
            let json = self.json([da], service: "victim-care").replacingOccurrences(
                of: "\"consent\": \"explicit\"",
                with: "\"consent\": \"explicit\", \"consent_on\": \"2026-11-30\", \"consent_how\": \"verbal\"")
            let sent = try await call(app, "/api/v1/victim-referrals", token: token, json: json)
            #expect(sent.status == .created, "\(sent.body.string)")
            let id = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let idvaOrg = try await app.scalar("SELECT id AS n FROM organisations WHERE name = 'IDVA Service'")
            let bidOrg = try await app.scalar("SELECT id AS n FROM organisations WHERE name = 'BID'")
            let worker = try await app.signIn("worker@care.example")
            // Only a specialist service can receive; then the IDVA service.
            #expect(
                try await app.post(
                    "/victims/cases/\(id)/onward", ["to": "\(bidOrg)", "service": "idva", "note": "x"], as: worker
                ).status == .notFound)
            #expect(
                try await app.post(
                    "/victims/cases/\(id)/onward",
                    ["to": "\(idvaOrg)", "service": "idva", "note": "High risk; call after 6pm"],
                    as: worker
                ).status == .seeOther)
            let referral = try await app.scalar("SELECT MIN(id) AS n FROM victim_onward_referrals")
            let idva = try await app.signIn("idva@idva.example")
            var page = try await app.get("/onward-referrals", as: idva)
            #expect(page.status == .ok && page.body.string.contains("R\(referral)"))
            #expect(!page.body.string.contains("Quillfeather"))
            page = try await app.get("/onward-referrals/\(referral)?purpose=onward-referral", as: idva)
            #expect(page.status == .ok && page.body.string.contains("Robin Quillfeather1"))
            #expect(page.body.string.contains("call after 6pm"))
            // The IDVA service cannot open the case itself, nor can anyone else open the referral.
            #expect(try await app.get("/victims/cases/\(id)?purpose=case-work", as: idva).status == .notFound)
            let bid = try await app.signIn("ranger@bid.example")
            #expect(try await app.get("/onward-referrals/\(referral)", as: bid).status == .notFound)
            // The link, not "R1": a random token elsewhere on the page may hold those two characters.
            let bidList = try await app.get("/onward-referrals", as: bid).body.string
            #expect(!bidList.contains("/onward-referrals/\(referral)\"") && bidList.contains("id=\"no-referrals\""))
            #expect(
                try await app.post("/onward-referrals/\(referral)/decision", ["decision": "accept"], as: bid).status
                    == .notFound)
            // The holder's read log shows the IDVA service's read as a disclosure to it.
            let log = try await app.get("/victims/cases/\(id)/reads", as: try await app.signIn("manager@care.example"))
            #expect(log.body.string.contains("onward referral \(referral)") && log.body.string.contains("IDVA Service"))
            // Declining needs a reason; accepting shows on the case ("where the victim is").
            #expect(
                try await app.post("/onward-referrals/\(referral)/decision", ["decision": "decline"], as: idva).status
                    == .unprocessableEntity)
            #expect(
                try await app.post("/onward-referrals/\(referral)/decision", ["decision": "accept"], as: idva).status
                    == .seeOther)
            #expect(
                try await app.post("/onward-referrals/\(referral)/decision", ["decision": "accept"], as: idva).status
                    == .notFound)
            page = try await app.get("/victims/cases/\(id)?purpose=case-work", as: worker)
            #expect(page.body.string.contains("Accepted by IDVA Service"))
        }
    }
}
