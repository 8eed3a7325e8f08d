@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

extension Route {
    /// The route's path with each parameter replaced by `parameter`.
    func samplePath(parameter: String) -> String {
        "/"
            + path.map { c -> String in
                if case .parameter = c { return parameter }
                return c.description
            }.joined(separator: "/")
    }
}

/// A signed-in browser: its session cookie and the session's CSRF token.
struct Session {
    var cookie: String
    var csrf: String
    var headers: HTTPHeaders { ["Cookie": "\(SessionMiddleware.cookie)=\(cookie)"] }
}

extension Application {
    /// Posts a form as a signed-in user, with the session's CSRF token.
    func post(_ path: String, _ form: [String: String], as s: Session) async throws -> TestingHTTPResponse {
        var out: TestingHTTPResponse?
        try await testing().test(
            .POST, path,
            beforeRequest: { req in
                req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.cookie)=\(s.cookie)")
                var body = form
                body["_csrf"] = s.csrf
                try req.content.encode(body, as: .urlEncodedForm)
            }
        ) { res async in out = res }
        return out!
    }

    /// Gets a page as a signed-in user.
    func get(_ path: String, as s: Session) async throws -> TestingHTTPResponse {
        var out: TestingHTTPResponse?
        try await testing().test(.GET, path, headers: s.headers) { res async in out = res }
        return out!
    }

    /// Makes an account (bcrypt cost 12, as in production).
    @discardableResult
    func makeUser(
        _ email: String, role: Role, organisation: String = "Norfolk OPCC", kind: OrganisationKind = .opcc,
        password: String = "correct horse battery"
    ) async throws -> UserStore.User {
        let store = UserStore(audit: AuditLog())
        let org = try await store.organisation(named: organisation, kind: kind, by: nil, on: db)
        return try await store.createUser(
            email: email, name: email, role: role, organisation: org, password: password,
            by: nil, pool: passwordHasher, on: db)
    }

    /// The pre-login CSRF cookie and token, as the login page sets them.
    func loginToken() async throws -> String {
        var token = ""
        try await testing().test(.GET, "/login") { res async in
            token = res.headers.setCookie?[SessionMiddleware.csrfCookie]?.string ?? ""
        }
        return token
    }

    /// Signs in through the login form and returns the session.
    func signIn(_ email: String, password: String = "correct horse battery") async throws -> Session {
        let token = try await loginToken()
        var cookie = ""
        try await testing().test(
            .POST, "/login",
            beforeRequest: { req in
                req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.csrfCookie)=\(token)")
                try req.content.encode(["email": email, "password": password, "_csrf": token], as: .urlEncodedForm)
            }
        ) { res async in
            #expect(res.status == .seeOther, "sign-in redirects")
            cookie = res.headers.setCookie?[SessionMiddleware.cookie]?.string ?? ""
        }
        var csrf = ""
        try await testing().test(.GET, "/", headers: ["Cookie": "\(SessionMiddleware.cookie)=\(cookie)"]) { res async in
            let html = res.body.string
            if let r = html.range(of: "name=\"_csrf\" value=\"") {
                csrf = String(html[r.upperBound...].prefix { $0 != "\"" })
            }
        }
        return Session(cookie: cookie, csrf: csrf)
    }
}

@Suite("sign-in, sessions, CSRF and the route × role matrix")
struct AccessTests {
    @Test("every route has a rule, and each rule holds for the public and every role")
    func routeMatrix() async throws {
        try await withTestApp { app in
            // The public's "session" is the pre-login CSRF cookie, so POSTs pass the CSRF check
            // and what is tested is the access rule.
            let loginToken = try await app.loginToken()
            // Every role, and the people of a victim service (a partner kind with its own routes).
            var sessions: [(role: Role?, kind: OrganisationKind?, session: Session)] = [
                (nil, nil, Session(cookie: "", csrf: loginToken))
            ]
            for role in Role.allCases {
                let email = "\(role.rawValue)@example.org"
                let kind: OrganisationKind = role.isOPCC ? .opcc : .businessImprovementDistrict
                try await app.makeUser(
                    email, role: role, organisation: role.isOPCC ? "Norfolk OPCC" : "Norwich BID", kind: kind)
                sessions.append((role, kind, try await app.signIn(email)))
            }
            for role in [Role.partnerUser, .partnerAdmin] {
                let email = "victims-\(role.rawValue)@example.org"
                try await app.makeUser(email, role: role, organisation: "Victim Care", kind: .victimService)
                sessions.append((role, .victimService, try await app.signIn(email)))
            }
            #expect(app.routes.all.count >= 20)
            for route in app.routes.all {
                let access = try #require(route.userInfo["access"] as? Access, "\(route.path) has no access rule")
                let path = route.samplePath(parameter: "no-such-thing")
                // Sign-out last: it ends the session it is called with.
                if path == "/logout" { continue }
                for (role, kind, session) in sessions {
                    let user = role.map { r in
                        CurrentUser(
                            id: 0, name: "", email: "", role: r, organisationID: 0,
                            organisationName: "", csrfToken: "", sessionHash: "", organisationKind: kind)
                    }
                    var headers =
                        role == nil ? ["Cookie": "\(SessionMiddleware.csrfCookie)=\(loginToken)"] : session.headers
                    if route.method != .GET { headers.replaceOrAdd(name: "X-CSRF-Token", value: session.csrf) }
                    try await app.testing().test(route.method, path, headers: headers) { res async in
                        let what =
                            "\(route.method) \(path) as \(role?.rawValue ?? "the public") of \(kind?.rawValue ?? "none")"
                        if access.allows(user) {
                            #expect(
                                res.status != .unauthorized && res.status != .forbidden,
                                "\(what): allowed, got \(res.status)")
                        } else if role == nil {
                            let toLogin =
                                res.status == .seeOther
                                && (res.headers.first(name: .location) ?? "").hasPrefix("/login")
                            #expect(res.status == .unauthorized || toLogin, "\(what): must sign in, got \(res.status)")
                        } else {
                            // Victims' pages do not exist for anyone outside a victim service.
                            let refused: HTTPStatus =
                                if case .victimService = access, kind != nil { .notFound } else { .forbidden }
                            #expect(res.status == refused, "\(what): must be refused, got \(res.status)")
                        }
                    }
                }
            }
        }
    }

    @Test("a route registered without a rule stops the app from starting")
    func denyByDefault() async throws {
        try await withTestApp { app in
            app.get("forgotten") { _ in "open" }
            #expect(throws: (any Error).self) { try Access.checkEveryRoute(app) }
        }
    }

    @Test("cookies are HttpOnly, SameSite and Secure; each sign-in gets a new session; sign-out ends it on the server")
    func sessions() async throws {
        try await withTestApp { app in
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let token = try await app.loginToken()
            try await app.testing().test(
                .POST, "/login",
                beforeRequest: { req in
                    req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.csrfCookie)=\(token)")
                    try req.content.encode(
                        [
                            "email": "Analyst@OPCC.example", "password": "correct horse battery", "_csrf": token,
                            "next": "//evil.example",
                        ], as: .urlEncodedForm)
                }
            ) { res async in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location) == "/", "an off-site next is ignored")
                let cookie = try? #require(res.headers.setCookie?[SessionMiddleware.cookie])
                #expect(cookie?.isHTTPOnly == true && cookie?.isSecure == true && cookie?.sameSite == .lax)
            }
            let first = try await app.signIn("analyst@opcc.example")
            let second = try await app.signIn("analyst@opcc.example")
            #expect(!first.cookie.isEmpty && first.cookie != second.cookie)
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM sessions WHERE token_hash = '\(first.cookie)'") == 0,
                "only the hash of the cookie is stored")
            try await app.testing().test(.GET, "/admin/users", headers: first.headers) { res async in
                #expect(res.status == .ok)
            }
            try await app.testing().test(.POST, "/logout", headers: first.headers) { res async in
                #expect(res.status == .forbidden, "sign-out without the CSRF token is refused")
            }
            var headers = first.headers
            headers.replaceOrAdd(name: "X-CSRF-Token", value: first.csrf)
            try await app.testing().test(.POST, "/logout", headers: headers) { res async in
                #expect(res.status == .seeOther)
            }
            try await app.testing().test(.GET, "/admin/users", headers: first.headers) { res async in
                #expect(res.status == .seeOther, "the old cookie no longer works")
            }
            try await app.testing().test(.GET, "/admin/users", headers: second.headers) { res async in
                #expect(res.status == .ok)
            }
        }
    }

    @Test("idle and absolute timeouts end a session")
    func timeouts() async throws {
        let clock = TestClock()
        var store = SessionStore()
        store.now = { clock.now }
        try await withTestApp { app in
            let user = try await app.makeUser("staff@opcc.example", role: .opccStaff)
            let token = try await store.create(userID: user.id, on: app.db)
            clock.advance(29 * 60)
            #expect(try await store.user(token: token, on: app.db) != nil, "29 minutes idle is fine")
            clock.advance(29 * 60)
            #expect(try await store.user(token: token, on: app.db) != nil, "and it was refreshed")
            clock.advance(31 * 60)
            #expect(try await store.user(token: token, on: app.db) == nil, "31 minutes idle ends it")
            let busy = try await store.create(userID: user.id, on: app.db)
            for _ in 0..<25 {
                clock.advance(29 * 60)
                _ = try await store.user(token: busy, on: app.db)
            }
            #expect(try await store.user(token: busy, on: app.db) == nil, "12 hours after sign-in it ends however busy")
        }
    }

    @Test("wrong passwords get one message; five in a row lock the address for 15 minutes; long passwords are refused")
    func passwordsAndThrottling() async throws {
        try await withTestApp { app in
            let user = try await app.makeUser(
                "partner@bid.example", role: .partnerUser, organisation: "Norwich BID",
                kind: .businessImprovementDistrict)
            let hash = try await app.db.sql.raw("SELECT password_hash FROM users WHERE id = \(bind: user.id)")
                .first(decodingColumn: "password_hash", as: String.self)
            #expect(hash?.hasPrefix("$2b$12$") == true, "bcrypt, cost 12")
            func attempt(_ email: String, _ password: String) async throws -> (HTTPStatus, String) {
                let token = try await app.loginToken()
                var out: (HTTPStatus, String) = (.ok, "")
                try await app.testing().test(
                    .POST, "/login",
                    beforeRequest: { req in
                        req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.csrfCookie)=\(token)")
                        try req.content.encode(
                            ["email": email, "password": password, "_csrf": token], as: .urlEncodedForm)
                    }
                ) { res async in out = (res.status, res.body.string) }
                return out
            }
            let long = try await attempt("partner@bid.example", String(repeating: "é", count: 40) + "x")
            #expect(long.0 == .unauthorized, "an 81-byte password cut mid-character is refused, not a crash")
            let unknown = try await attempt("nobody@bid.example", "whatever it is")
            let wrong = try await attempt("partner@bid.example", "not the password")
            #expect(unknown.0 == .unauthorized && wrong.0 == .unauthorized)
            #expect(
                unknown.1.contains("The email address or password is not right")
                    && wrong.1.contains("The email address or password is not right"),
                "the same words whether or not the account exists")
            for _ in 0..<3 { _ = try await attempt("partner@bid.example", "not the password") }
            let locked = try await attempt("partner@bid.example", "correct horse battery")
            #expect(locked.0 == .tooManyRequests && locked.1.contains("Too many failed attempts"))
            #expect(
                Passwords.problem(String(repeating: "é", count: 40))
                    == "Use at most 72 bytes (bcrypt ignores the rest); this one is 80")
            #expect(Passwords.problem("short") == "Use at least 12 characters")
            await #expect(throws: UserStore.Problem.self) {
                try await app.makeUser(
                    "long@bid.example", role: .partnerUser, password: String(repeating: "x", count: 73))
            }
        }
    }

    @Test("POST without a CSRF token is refused and changes nothing")
    func csrf() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "partner@bid.example", role: .partnerUser, organisation: "Norwich BID",
                kind: .businessImprovementDistrict)
            try await app.testing().test(
                .POST, "/login",
                beforeRequest: { req in
                    try req.content.encode(
                        ["email": "partner@bid.example", "password": "correct horse battery"], as: .urlEncodedForm)
                }
            ) { res async in
                #expect(res.status == .forbidden)
                #expect(res.body.string.contains("This form has expired"))
                #expect(res.headers.setCookie?[SessionMiddleware.cookie] == nil, "no session was made")
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM sessions") == 0)
        }
    }

    @Test("the audit log records changes without passwords and is for OPCC admins only")
    func audit() async throws {
        try await withTestApp { app in
            try await app.makeUser("admin@opcc.example", role: .opccAdmin)
            try await app.makeUser("staff@opcc.example", role: .opccStaff)
            let admin = try await app.signIn("admin@opcc.example")
            let staff = try await app.signIn("staff@opcc.example")
            try await app.testing().test(.GET, "/admin/audit", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("user"))
                #expect(res.body.string.contains("staff@opcc.example"))
                #expect(!res.body.string.contains("$2b$"), "no password hashes in the log")
            }
            try await app.testing().test(.GET, "/admin/audit", headers: staff.headers) { res async in
                #expect(res.status == .forbidden)
            }
        }
    }
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t = Date(timeIntervalSince1970: 1_750_000_000)
    var now: Date { lock.withLock { t } }
    func advance(_ seconds: TimeInterval) { lock.withLock { t += seconds } }
}
