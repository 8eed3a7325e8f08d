@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Two app instances on one database, as behind a reverse proxy (on PostgreSQL in CI's second
/// run): what one instance records about people, the other honours at once.
@Suite("several instances, one database")
struct InstancesTests {
    func signIn(_ app: Application, password: String) async throws -> HTTPStatus {
        let token = try await app.loginToken()
        var status: HTTPStatus = .ok
        try await app.testing().test(
            .POST, "/login",
            beforeRequest: { req in
                req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.csrfCookie)=\(token)")
                try req.content.encode(
                    ["email": "inspector@police.example", "password": password, "_csrf": token], as: .urlEncodedForm)
            }
        ) { res async in status = res.status }
        return status
    }

    @Test("a session, an API token and a sign-in throttle made on one instance hold on the other; a sign-out ends both")
    func sharedState() async throws {
        try await withTestApps(2) { apps in
            let (first, second) = (apps[0], apps[1])
            _ = try await first.makeUser(
                "inspector@police.example", role: .partnerAdmin, organisation: "Norfolk Constabulary", kind: .police)
            let session = try await first.signIn("inspector@police.example")
            #expect(try await second.get("/organisation", as: session).status == .ok, "the session, on the other")

            // An API token made on the first is accepted by the second.
            let token = try await APITests().makeToken(first, as: session)
            let onSecond = try await APITests().call(second, .GET, "/api/v1/activities", token: token)
            #expect(onSecond.status == .ok)

            // Five wrong passwords on the first: the sixth try, on the second, is throttled.
            for _ in 0..<5 {
                let status = try await signIn(first, password: "not the password")
                #expect(status == .unauthorized)
            }
            let sixth = try await signIn(second, password: "not the password")
            #expect(sixth == .tooManyRequests, "the throttle lives in the database, not in one process")

            // Signing out on the second ends the session for the first too.
            let out = try await second.post("/logout", [:], as: session)
            #expect(out.status == .seeOther)
            let after = try await first.get("/organisation", as: session)
            #expect(after.status == .seeOther || after.status == .unauthorized, "\(after.status)")
        }
    }
}
