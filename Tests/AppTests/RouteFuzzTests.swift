@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The route fuzzer: every route of `routes.swift`, signed out and as each role, with edge
/// values in every path parameter, query parameter and form field (empty, huge, negative,
/// NaN, years 0001 and 9999, 10,000-character strings, control characters, unknown enum
/// values). Every answer must be below 500, or a deliberate 503; the app must still answer
/// `/health` at the end.
///
/// Seeded, so a failure can be replayed: `SAFERSTREETS_FUZZ_SEED` (default 2026) and
/// `SAFERSTREETS_FUZZ_VALUES` (requests per route and identity; default 3 in the suite,
/// `scripts/fuzz_routes.sh` runs more) choose the sample.
@Suite("route fuzzer: no request answers 5xx")
struct RouteFuzzTests {
    static let edgeValues: [String] = [
        "", " ", "0", "-1", "1", "2", "99999999999999999999", "-9223372036854775808", "9223372036854775807", "NaN",
        "nan", "inf", "-inf",
        "1e308", "-1e-308", "0.0000001", "3.5", "0001-01", "9999-12", "1900-12", "1899-12", "2025-13", "2025-00",
        "0001-01-01",
        "9999-12-31", "2025-02-30", "1900-01-01", "2024-06", "2025-07-01", String(repeating: "x", count: 10_000),
        String(repeating: "9", count: 400), "\u{0}", "a\u{0}b", "\r\n", "%00", "%0d%0aSet-Cookie:x",
        "../../../etc/passwd", "<script>alert(1)</script>",
        "' OR 1=1 --", "unknown-value", "all-crime", "anti-social-behaviour", "asb", "harm", "last-year", "previous",
        "emerging", "areas",
        "lsoa", "norfolk", "market", "summer", "private", "public", "shared", "patrol", "done", "yes", "true", "auto",
        "25", "10000",
        "52.6286,1.2925:52.64,1.30:52.62,1.31", "52.6286,1.2925", "95,200:1,2:3,4", "é", "😀", "\u{202E}",
        "=HYPERLINK(\"x\")",
        "https://evil.example", "//evil.example", "/\t/evil.example",
    ]

    static let parameterNames = [
        "from", "to", "level", "force", "area", "category", "categories", "cell", "band", "view", "outcome", "baseline",
        "sort", "page",
        "limit", "offset", "date", "lat", "lng", "poly", "location_id", "id", "next", "type", "saved", "correction",
        "campaign",
        "organisation", "week", "status",
    ]

    static let formFields = [
        "name", "startsOn", "endsOn", "description", "title", "url", "email", "password", "current_password",
        "new_password",
        "confirm_password", "role", "type", "date", "time", "hours", "officers", "count", "visits", "style", "area",
        "location",
        "campaign", "visibility", "buffer", "comparison", "automatic", "id", "targetType", "targetAmount", "status",
        "dueOn",
        "leadName", "ownerOrganisationID", "problemProfile", "priorities", "evidenceURL", "label", "contact", "note",
        "poly", "date",
    ]

    @Test("every route × identity × edge value answers below 500, and the server stays up")
    func fuzz() async throws {
        let env = ProcessInfo.processInfo.environment
        let seed = env["SAFERSTREETS_FUZZ_SEED"].flatMap(UInt64.init) ?? 2026
        let perRoute = max(1, min(env["SAFERSTREETS_FUZZ_VALUES"].flatMap(Int.init) ?? 3, 500))
        try await withTestApp { app in
            let w = try await HardeningTests().world(app)
            try await app.makeUser("admin@opcc.example", role: .opccAdmin)
            try await app.makeUser(
                "inspector@police.example", role: .partnerAdmin, organisation: "Norfolk Constabulary", kind: .police)
            let loginToken = try await app.loginToken()
            let identities: [(String, Session?)] = [
                ("signed out", nil), ("opcc-admin", try await app.signIn("admin@opcc.example")), ("opcc-staff", w.opcc),
                ("partner-admin", try await app.signIn("inspector@police.example")), ("partner-user", w.bid),
            ]
            var rng = SplitMix64(seed: seed)
            func value() -> String { Self.edgeValues.randomElement(using: &rng) ?? "" }
            var requests = 0, serverErrors: [String] = []
            let routes = app.routes.all.filter { !$0.path.map(\.description).contains("logout") }
            for route in routes {
                let isPDF = route.path.last?.description.hasSuffix(".pdf") == true
                for (who, session) in identities {
                    for k in 0..<(isPDF ? 1 : perRoute) {
                        // The first request of each uses names that exist, the rest edge values.
                        let path =
                            "/"
                            + route.path.map { c -> String in
                                guard case .parameter(let name) = c else { return c.description }
                                if k == 0 {
                                    switch name {
                                    case "slug": return "summer"
                                    case "area": return "market"
                                    case "force": return "norfolk"
                                    case "category": return "all-crime"
                                    case "type": return "patrol"
                                    default: return "1"
                                    }
                                }
                                return value().addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"
                            }.joined(separator: "/")
                        var query: [String] = []
                        for _ in 0..<Int.random(in: 0...4, using: &rng) {
                            let name = Self.parameterNames.randomElement(using: &rng) ?? "x"
                            query.append(
                                name + "="
                                    + (value().addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                        }
                        let url = path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
                        var headers: HTTPHeaders =
                            session?.headers ?? ["Cookie": "\(SessionMiddleware.csrfCookie)=\(loginToken)"]
                        var form: [String: String] = [:]
                        if route.method != .GET {
                            for _ in 0..<Int.random(in: 0...8, using: &rng) {
                                form[Self.formFields.randomElement(using: &rng) ?? "x"] = value()
                            }
                            form["_csrf"] = session?.csrf ?? loginToken
                            headers.replaceOrAdd(name: "X-CSRF-Token", value: session?.csrf ?? loginToken)
                        }
                        let sentForm = form
                        try await app.testing().test(
                            route.method, url, headers: headers,
                            beforeRequest: { req in
                                if route.method != .GET { try req.content.encode(sentForm, as: .urlEncodedForm) }
                            }
                        ) { res async in
                            if res.status.code >= 500 && res.status != .serviceUnavailable {
                                serverErrors.append(
                                    "\(route.method) \(url.prefix(200)) as \(who): \(res.status) \(res.body.string.prefix(200))"
                                )
                            }
                        }
                        requests += 1
                    }
                }
            }
            var alive = false
            try await app.testing().test(.GET, "/health") { res async in alive = res.status == .ok }
            print(
                "route fuzzer: \(routes.count) routes × \(identities.count) identities × up to \(perRoute) values = \(requests) requests "
                    + "(seed \(seed)); \(serverErrors.count) answered 5xx; server alive: \(alive)")
            #expect(serverErrors.isEmpty, "\(serverErrors.prefix(20).joined(separator: "\n"))")
            #expect(alive)
        }
    }
}
