@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// An organisation registers to apply (signed out), OPCC staff approve or decline it: the
/// checks on the form, nothing able to sign in before approval, the organisation and its
/// administrator created on approval with the register number as its org-id, and the form
/// never telling a stranger whether an e-mail address has an account.
@Suite("grants: organisations registering to apply")
struct GrantRegistrationTests {
    /// Posts a form signed out, with the pre-login CSRF cookie as a browser would.
    func postSignedOut(_ app: Application, _ path: String, _ form: [String: String]) async throws
        -> TestingHTTPResponse
    {
        try await app.postSignedOut(path, form)
    }

    static let form = [
        "organisationName": "Acle Recovery Circle", "kind": "voluntary-organisation", "register": "GB-CHC",
        "number": "1164883", "about": "Peer support after treatment", "contactName": "Sam Carter",
        "email": "sam@aclerecovery.example", "password": "kettle orchard lantern",
    ]

    @Test("register, refuse the wrong details, approve and decline; only then can anyone sign in")
    func lifecycle() async throws {
        try await withTestApp { app in
            try await app.makeUser("officer@opcc.example", role: .opccStaff)
            try await app.makeUser(
                "lead@youth.example", role: .partnerAdmin, organisation: "Norwich Youth Project", kind: .voluntary)
            var page = ""
            try await app.testing().test(.GET, "/grants/register") { res async in
                page = res.body.string
                #expect(res.status == .ok)
            }
            #expect(page.contains("Register an organisation") && page.contains("GB-CHC"))

            // Each wrong detail is named.
            var bad = Self.form
            bad["number"] = "12AB"
            var res = try await postSignedOut(app, "/grants/register", bad)
            #expect(res.status == .unprocessableEntity)
            #expect(res.body.string.contains("That is not a number on this register"))
            #expect(!res.body.string.contains("kettle orchard lantern"))  // the password is never echoed
            bad = Self.form
            bad["password"] = "password123"
            #expect(try await postSignedOut(app, "/grants/register", bad).status == .unprocessableEntity)
            bad = Self.form
            bad["kind"] = "opcc"
            #expect(try await postSignedOut(app, "/grants/register", bad).status == .unprocessableEntity)
            bad = Self.form
            bad["organisationName"] = "Norwich Youth Project"
            res = try await postSignedOut(app, "/grants/register", bad)
            #expect(res.status == .unprocessableEntity && res.body.string.contains("is already here"))

            // A good registration: thanked, held, and nobody can sign in yet.
            res = try await postSignedOut(app, "/grants/register", Self.form)
            #expect(res.status == .ok && res.body.string.contains("Thank you"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM organisation_registrations") == 1)
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM users WHERE email = 'sam@aclerecovery.example'") == 0)
            // An address with an account already is thanked the same way, and nothing is stored.
            var existing = Self.form
            existing["email"] = "lead@youth.example"
            existing["organisationName"] = "Another Group"
            existing["number"] = "1164884"
            res = try await postSignedOut(app, "/grants/register", existing)
            #expect(res.status == .ok && res.body.string.contains("Thank you"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM organisation_registrations") == 1)
            // The audit log records the registration without the person's address or password.
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'register'") == 1)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM audit_log WHERE after LIKE '%aclerecovery%' OR after LIKE '%lantern%'")
                    == 0)

            // Only OPCC staff decide; a partner is refused; an unknown registration is not found.
            let officer = try await app.signIn("officer@opcc.example")
            let youth = try await app.signIn("lead@youth.example")
            let id = try await app.scalar("SELECT MAX(id) AS n FROM organisation_registrations")
            #expect(
                try await app.post("/grants/registrations/\(id)", ["decision": "approve"], as: youth).status
                    == .forbidden)
            #expect(
                try await app.post("/grants/registrations/999", ["decision": "approve"], as: officer).status
                    == .notFound)
            let grants = try await app.get("/grants", as: officer).body.string
            #expect(grants.contains("Acle Recovery Circle") && grants.contains("GB-CHC-1164883"))
            #expect(!(try await app.get("/grants", as: youth).body.string.contains("Acle Recovery Circle")))

            // Approved: the organisation with its org-id, its administrator, the hash moved.
            res = try await app.post("/grants/registrations/\(id)", ["decision": "approve"], as: officer)
            #expect(res.status == .seeOther)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM organisations WHERE name = 'Acle Recovery Circle' AND org_identifier = 'GB-CHC-1164883'"
                ) == 1)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM users WHERE email = 'sam@aclerecovery.example' AND role = 'partner-admin'"
                ) == 1)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM organisation_registrations WHERE password_hash = '' AND status = 'approved'"
                )
                    == 1)
            let sam = try await app.signIn("sam@aclerecovery.example", password: "kettle orchard lantern")
            #expect(try await app.get("/grants", as: sam).status == .ok)
            // Decided once only.
            #expect(
                try await app.post("/grants/registrations/\(id)", ["decision": "approve"], as: officer).status
                    == .unprocessableEntity)

            // Declined: a reason is needed; then no organisation and no account.
            var second = Self.form
            second["organisationName"] = "Hoveton Helpers"
            second["register"] = "none"
            second["email"] = "helper@hoveton.example"
            #expect(try await postSignedOut(app, "/grants/register", second).status == .ok)
            let other = try await app.scalar("SELECT MAX(id) AS n FROM organisation_registrations")
            #expect(
                try await app.post("/grants/registrations/\(other)", ["decision": "decline"], as: officer).status
                    == .unprocessableEntity)
            #expect(
                try await app.post(
                    "/grants/registrations/\(other)", ["decision": "decline", "note": "Outside Norfolk"], as: officer
                ).status == .seeOther)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM organisations WHERE name = 'Hoveton Helpers'") == 0)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM users WHERE email = 'helper@hoveton.example'") == 0)
        }
    }

    @Test("one address may try to register ten times an hour; the eleventh is refused with 429")
    func rateLimited() async throws {
        try await withTestApp { app in
            for k in 1...10 {
                var f = Self.form
                f["organisationName"] = "Group \(k)"
                f["number"] = String(1_164_880 + k)
                f["email"] = "person\(k)@group.example"
                #expect(try await postSignedOut(app, "/grants/register", f).status == .ok)
            }
            var f = Self.form
            f["organisationName"] = "Group 11"
            let res = try await postSignedOut(app, "/grants/register", f)
            #expect(res.status == .tooManyRequests && res.body.string.contains("Too many registrations"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM organisation_registrations") == 10)
        }
    }
}
