@testable import App
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The JSON activity API with per-organisation API tokens, and the organisation page where
/// partner admins manage their contact, people and tokens.
@Suite("API tokens, the activity API and the organisation page")
struct APITests {
    /// Sends a request with a bearer token (no cookies, no CSRF token).
    func call(_ app: Application, _ method: HTTPMethod, _ path: String, token: String, json: String? = nil) async throws
        -> TestingHTTPResponse
    {
        var out: TestingHTTPResponse?
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        if json != nil { headers.contentType = .json }
        try await app.testing().test(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) }) {
            res async in out = res
        }
        return out!
    }

    /// A partner admin makes a token on the organisation page; returns it.
    func makeToken(_ app: Application, as s: Session, name: String = "Patrol app") async throws -> String {
        let page = try await app.post("/organisation/tokens", ["token_name": name], as: s)
        #expect(page.status == .ok && page.headers.first(name: .cacheControl) == "no-store")
        let html = page.body.string
        let start = try #require(html.range(of: "<code id=\"secret-value\">"))
        return String(html[start.upperBound...].prefix { $0 != "<" })
    }

    func setUp(_ app: Application) async throws -> (police: Session, bid: Session, campaign: String) {
        let police = try await app.makeUser(
            "inspector@police.example", role: .partnerAdmin, organisation: "Norfolk Constabulary", kind: .police)
        try await app.makeUser(
            "ranger@bid.example", role: .partnerAdmin, organisation: "Norwich BID", kind: .businessImprovementDistrict)
        let store = CampaignStore(audit: AuditLog())
        let c = try await store.create(
            CampaignDraft(name: "Summer", description: "", startsOn: "2025-07-01", endsOn: "2025-09-30"), by: nil,
            on: app.db)
        try await store.addOrganisation(police.organisationId, to: c, by: nil, on: app.db)
        return (try await app.signIn("inspector@police.example"), try await app.signIn("ranger@bid.example"), "summer")
    }

    @Test(
        "a partner's system sends a batch with its token: all stored for its organisation, or none with every problem named"
    )
    func postBatch() async throws {
        try await withTestApp { app in
            let (police, _, _) = try await setUp(app)
            let token = try await makeToken(app, as: police)
            #expect(token.hasPrefix("sst_") && token.count > 40)
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = '\(SessionStore.hash(token))'") == 1)
            #expect(
                try await app.get("/organisation", as: police).body.string.contains(token) == false, "shown once only")

            let good = """
                {"type": "patrol", "date": "2025-07-12", "time": "19:30", "location": "Gentleman's Walk", "campaign": "summer",
                 "visibility": "shared", "fields": {"hours": 1.5, "officers": 2, "visits": 3, "style": "high-visibility"}}
                """
            let bad = """
                {"type": "patrol", "date": "12/07/2025", "location": "Market Place", "fields": {"hours": "lots", "officers": 2, "style": "high-visibility"}}
                """
            let refused = try await call(
                app, .POST, "/api/v1/activities", token: token, json: "{\"records\": [\(good), \(bad), \(good)]}")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            struct Refusal: Decodable {
                struct E: Decodable { var record: Int; var field: String; var message: String }; var detail: String;
                var errors: [E]
            }
            let r = try JSONDecoder().decode(Refusal.self, from: Data(refused.body.readableBytesView))
            #expect(r.detail.hasPrefix("2 problems in 1 record. Nothing was saved"))
            #expect(r.errors.map(\.record) == [2, 2] && Set(r.errors.map(\.field)) == ["date", "hours"])
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM activities") == 0)

            let notJSON = try await call(
                app, .POST, "/api/v1/activities", token: token, json: "{\"records\": [{\"type\": 3}]}")
            #expect(notJSON.status == .badRequest && notJSON.body.string.contains("[0].type"))

            let saved = try await call(
                app, .POST, "/api/v1/activities", token: token, json: "{\"records\": [\(good), \(good)]}")
            #expect(
                saved.status == .created
                    && saved.body.string == "{\"organisation\":\"Norfolk Constabulary\",\"saved\":2}")
            #expect(
                try await app.scalar(
                    """
                    SELECT COUNT(*) AS n FROM activities a JOIN organisations o ON o.id = a.organisation_id
                    WHERE o.name = 'Norfolk Constabulary' AND a.quantity = 1.5 AND a.start_time = '19:30'
                    """) == 2)
            let listed = try await call(app, .GET, "/api/v1/activities?campaign=summer", token: token)
            #expect(
                listed.status == .ok && listed.body.string.contains("\"hours\":\"1.5\"")
                    && listed.body.string.contains("\"unit\":\"hours\""))
            let audit = try await app.db.sql.raw("SELECT entity_id FROM audit_log WHERE entity = 'activities'").first(
                decodingColumn: "entity_id", as: String.self)
            #expect(audit?.hasPrefix("api-token:") == true, "the audit log names the token")
            let dashboard = try await app.get("/campaigns/summer/dashboard", as: police).body.string
            #expect(dashboard.contains("2 activity records in this campaign"))
        }
    }

    @Test(
        "a token reaches only the API; a revoked or wrong token is a 401; another organisation cannot revoke it or read its private records"
    )
    func tokenBoundaries() async throws {
        try await withTestApp { app in
            let (police, bid, _) = try await setUp(app)
            let token = try await makeToken(app, as: police)
            let bidToken = try await makeToken(app, as: bid, name: "BID rangers' app")
            for route in app.routes.all {
                let access = try #require(route.userInfo["access"] as? Access)
                let path = route.samplePath(parameter: "1")
                let res = try await call(app, route.method, path, token: token, json: route.method == .GET ? nil : "{}")
                if access.admitsAPITokens {
                    #expect(
                        res.status != .forbidden && res.status != .unauthorized,
                        "\(route.method) \(path): \(res.status)")
                } else {
                    #expect(res.status == .forbidden, "\(route.method) \(path) must refuse a token, got \(res.status)")
                }
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NOT NULL") == 0)
            // The police record a private patrol; the BID's token cannot see it.
            let privatePatrol = """
                {"records": [{"type": "patrol", "date": "2025-07-12", "location": "Private Lane", "visibility": "private",
                 "fields": {"hours": 1, "officers": 1, "style": "plain-clothes"}}]}
                """
            #expect(
                try await call(app, .POST, "/api/v1/activities", token: token, json: privatePatrol).status == .created)
            #expect(
                !(try await call(app, .GET, "/api/v1/activities", token: bidToken).body.string.contains("Private Lane"))
            )
            #expect(try await call(app, .GET, "/api/v1/activities", token: token).body.string.contains("Private Lane"))
            #expect(
                try await call(app, .GET, "/api/v1/activities?campaign=summer", token: bidToken).status == .notFound,
                "not their campaign")
            // The BID's admin cannot revoke the police token by guessing its id.
            let policeTokenID = try await app.db.sql.raw("SELECT id FROM api_tokens WHERE name = 'Patrol app'").first(
                decodingColumn: "id", as: Int.self)!
            #expect(
                try await app.post("/organisation/tokens/\(policeTokenID)/revoke", [:], as: bid).status == .notFound)
            #expect(try await call(app, .GET, "/api/v1/activities", token: token).status == .ok)
            // Revoked: a 401 from then on.
            #expect(try await app.post("/organisation/tokens/\(policeTokenID)/revoke", [:], as: police).status == .ok)
            let revoked = try await call(app, .GET, "/api/v1/activities", token: token)
            #expect(revoked.status == .unauthorized && revoked.headers.first(name: .wwwAuthenticate) == "Bearer")
            #expect(try await call(app, .GET, "/api/v1/activities", token: "sst_not-a-token").status == .unauthorized)
            #expect(try await call(app, .GET, "/", token: "sst_not-a-token").status == .unauthorized)
            // A Basic header (a proxy's sign-in in front of the app) is not taken for a token.
            try await app.testing().test(.GET, "/", headers: ["Authorization": "Basic dXNlcjpwYXNz"]) { res async in
                #expect(res.status == .ok)
            }
        }
    }

    @Test(
        "a partner admin keeps the contact, adds a person (who chooses a password from the welcome e-mail's link) and disables people of their own organisation only"
    )
    func organisationPage() async throws {
        try await withTestApp { app in
            let (police, bid, _) = try await setUp(app)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let bad = try await app.post(
                "/organisation/contact",
                ["contact_name": "Insp. Reed", "contact_email": "reed at police", "contact_phone": "01603 ☎"],
                as: police)
            #expect(
                bad.status == .badRequest && bad.body.string.contains("Enter an email address")
                    && bad.body.string.contains("Enter a phone number"))
            #expect(
                try await app.post(
                    "/organisation/contact",
                    [
                        "contact_name": "Insp. Reed", "contact_email": "reed@police.example",
                        "contact_phone": "01603 276000",
                    ], as: police
                ).status == .ok)
            let orgs = try await app.get("/admin/organisations", as: try await app.signIn("analyst@opcc.example")).body
                .string
            #expect(orgs.contains("Insp. Reed, reed@police.example, 01603 276000"))

            let added = try await app.post(
                "/organisation/users", ["email": "pc.new@police.example", "name": "PC New", "role": "partner-user"],
                as: police)
            // No password on the page: a welcome message with a set-password link.
            #expect(added.body.string.contains("A welcome e-mail with a link to choose a password"))
            #expect(!added.body.string.contains("secret-value"))
            let welcome = try #require(try await app.queuedMail(to: "pc.new@police.example").first)
            #expect(welcome.kind == "welcome" && welcome.subject == "Your SaferStreets account")
            #expect(
                welcome.body.contains("of Norfolk Constabulary. You sign in with pc.new@police.example")
                    && welcome.body.contains("within 3 days"))
            let password = "first chosen pass phrase"
            try await app.setPasswordByMail("pc.new@police.example", password: password)
            let newcomer = try await app.signIn("pc.new@police.example", password: password)
            #expect(try await app.get("/activities", as: newcomer).status == .ok)
            #expect(
                try await app.get("/organisation", as: newcomer).status == .forbidden,
                "a partner user does not manage the organisation")
            // They change the one-time password: the current one is needed, the new one checked.
            let other = try await app.signIn("pc.new@police.example", password: password)
            let wrong = try await app.post(
                "/account/password",
                [
                    "current_password": "not it", "new_password": "a brand new pass phrase",
                    "confirm_password": "a brand new pass phrase",
                ], as: newcomer)
            #expect(wrong.status == .badRequest && wrong.body.string.contains("Your current password is not right"))
            let mismatch = try await app.post(
                "/account/password",
                [
                    "current_password": password, "new_password": "a brand new pass phrase",
                    "confirm_password": "a brand new pass phrasE",
                ], as: newcomer)
            #expect(
                mismatch.status == .badRequest
                    && mismatch.body.string.contains("The two new passwords are not the same"))
            let changed = try await app.post(
                "/account/password",
                [
                    "current_password": password, "new_password": "a brand new pass phrase",
                    "confirm_password": "a brand new pass phrase",
                ], as: newcomer)
            #expect(changed.status == .ok && changed.body.string.contains("Password changed"))
            #expect(try await app.get("/activities", as: newcomer).status == .ok, "this session carries on")
            #expect(try await app.get("/activities", as: other).status == .seeOther, "the other session has ended")
            _ = try await app.signIn("pc.new@police.example", password: "a brand new pass phrase")
            #expect(
                try await app.scalar(
                    "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'change password' AND after IS NULL AND before IS NULL"
                ) == 1)

            let escalate = try await app.post(
                "/organisation/users", ["email": "boss@police.example", "name": "Boss", "role": "opcc-admin"],
                as: police)
            #expect(escalate.status == .badRequest && escalate.body.string.contains("Choose a role"))

            let newID = try await app.db.sql.raw("SELECT id FROM users WHERE email = 'pc.new@police.example'").first(
                decodingColumn: "id", as: Int.self)!
            #expect(
                try await app.post("/organisation/users/\(newID)/disable", [:], as: bid).status == .notFound,
                "not the BID's to disable")
            #expect(try await app.get("/activities", as: newcomer).status == .ok)
            #expect(try await app.post("/organisation/users/\(newID)/disable", [:], as: police).status == .ok)
            let after = try await app.get("/activities", as: newcomer)
            #expect(after.status == .seeOther, "the disabled person's session has ended")
        }
    }
}
