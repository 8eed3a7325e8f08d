@testable import App
import Analytics
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

/// One test per finding of the hostile probe (issue "Hardening"): each failed, or took the
/// server down, before its fix.
@Suite("hardening: no request crashes the server, leaks a private record or starves others")
struct HardeningTests {
    /// An OPCC analyst, a police partner and a BID partner in one campaign over the Market
    /// area, with ASB imported for every month from January 2024 to September 2025.
    struct World {
        var opcc: Session
        var police: Session
        var bid: Session
    }

    func world(_ app: Application) async throws -> World {
        try await app.makeUser("analyst@opcc.example", role: .opccStaff)
        let police = try await app.makeUser(
            "pc@police.example", role: .partnerUser, organisation: "Norfolk Constabulary", kind: .police)
        let bid = try await app.makeUser(
            "ranger@bid.example", role: .partnerUser, organisation: "Norwich BID", kind: .businessImprovementDistrict)
        try await AreaStore().create(
            AreaDraft(
                name: "Market", kind: .radius, forceID: "norfolk",
                shape: .circle(centre: GridPoint(easting: 622_900, northing: 308_500), radius: 400), radius: 400),
            on: app.db)
        var rows: [String] = []
        for month in MonthPeriod(first: 202_401, last: 202_509).months {
            for _ in 0..<(month >= 202_507 ? 3 : 6) {
                rows.append(PoliceCSV.asb(month: ByteParsing.monthString(month)))
            }
        }
        let report = try await app.importFiles(try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "asb.csv"))
        #expect(report.rejected == 0)
        let w = World(
            opcc: try await app.signIn("analyst@opcc.example"), police: try await app.signIn("pc@police.example"),
            bid: try await app.signIn("ranger@bid.example"))
        #expect(
            try await app.post(
                "/campaigns", ["name": "Summer", "startsOn": "2025-07-01", "endsOn": "2025-09-30", "description": ""],
                as: w.opcc
            ).status == .seeOther)
        let market = try #require(try await AreaStore().find(slug: "market", on: app.db))
        #expect(
            try await app.post("/campaigns/summer/areas", ["id": String(market.id)], as: w.opcc).status == .seeOther)
        for org in [police.organisationId, bid.organisationId] {
            #expect(
                try await app.post("/campaigns/summer/organisations", ["id": String(org)], as: w.opcc).status
                    == .seeOther)
        }
        return w
    }

    func get(_ app: Application, _ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var out: TestingHTTPResponse?
        try await app.testing().test(.GET, path, headers: headers) { res async in out = res }
        return try #require(out)
    }

    // 1. A "year earlier" in 1899 trapped in MonthPeriod and killed the process.
    @Test("rankings for 1900-12 and a campaign dated 1901 answer without a server error")
    func monthsAtTheEdge() async throws {
        try await withTestApp { app in
            let w = try await world(app)
            for path in [
                "/rankings?from=1900-12&to=1900-12", "/api/v1/rankings?from=1900-12&to=1900-12",
                "/rankings?from=0001-01&to=9999-12", "/api/v1/rankings?from=9999-12&to=9999-12&level=lsoa",
            ] {
                let res = try await get(app, path)
                #expect(res.status.code < 500, "\(path): \(res.status)")
            }
            #expect(
                try await app.post(
                    "/campaigns", ["name": "Old", "startsOn": "1901-01-01", "endsOn": "1901-03-31", "description": ""],
                    as: w.opcc
                ).status.code < 500)
            if try await app.scalar("SELECT COUNT(*) AS n FROM campaigns WHERE slug = 'old'") == 1 {
                for path in ["/campaigns/old/report", "/campaigns/old/report.csv", "/api/v1/campaigns/old/evaluation"] {
                    let res = try await app.get(path, as: w.opcc)
                    #expect(res.status.code < 500, "\(path): \(res.status)")
                }
            }
            #expect(try await get(app, "/health").status == .ok, "still up")
        }
    }

    // 2. Header injection and off-site redirects.
    @Test("sign-in's next and campaign links stay on a named site: no CR/LF, no //host, no tab or backslash tricks")
    func redirects() async throws {
        for bad in [
            "/\r\nSet-Cookie: pwn=injected", "/\t/evil.example/phish", "//evil.example", "/\\evil.example",
            "https://evil.example",
            "/%0d%0aSet-Cookie:x", "/%09/evil.example", "/%2f/evil.example", "/%5cevil.example", "javascript:alert(1)",
            "",
        ] {
            #expect(SafeURL.redirectTarget(bad) == "/", "\(bad.debugDescription)")
        }
        for good in ["/", "/campaigns/summer/report?outcome=asb&baseline=previous", "/hotspots?area=market"] {
            #expect(SafeURL.redirectTarget(good) == good)
        }
        #expect(SafeURL.externalLink("https://www.norfolk.gov.uk/asb") != nil)
        for bad in [
            "https:///evil.example", "https://\\evil.example", "https://a b", "https://x\"onmouseover=1", "ftp://x",
            "//evil.example",
        ] {
            #expect(SafeURL.externalLink(bad) == nil, "\(bad)")
        }
        try await withTestApp { app in
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let token = try await app.loginToken()
            var location: String?
            try await app.testing().test(
                .POST, "/login",
                beforeRequest: { req in
                    req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.csrfCookie)=\(token)")
                    try req.content.encode(
                        [
                            "email": "analyst@opcc.example", "password": "correct horse battery", "_csrf": token,
                            "next": "/\r\nSet-Cookie: pwn=injected",
                        ], as: .urlEncodedForm)
                }
            ) { res async in
                location = res.headers.first(name: .location)
                #expect(!res.headers.contains(name: "pwn"))
                #expect(!(res.headers.setCookie?.all.keys.contains("pwn") ?? false))
            }
            #expect(location == "/")
            let s = try await app.signIn("analyst@opcc.example")
            #expect(
                try await app.post(
                    "/campaigns",
                    ["name": "Summer", "startsOn": "2025-07-01", "endsOn": "2025-09-30", "description": ""], as: s
                ).status == .seeOther)
            for url in ["//evil.example/x", "/\\evil.example", "https:///evil.example"] {
                #expect(
                    try await app.post("/campaigns/summer/links", ["title": "x", "url": url], as: s).status
                        == .badRequest, "\(url)")
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM campaign_links") == 0)
        }
    }

    // 3. A 150,000-vertex polygon held a request thread for 18.7 s.
    @Test("a police.uk poly over 10,000 points is refused with the limit named; a 9,000-point one is answered")
    func polygonLimit() async throws {
        try await withTestApp { app in
            _ = try await app.importFiles(
                try app.write(PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(1)]), to: "s.csv"))
            func ring(_ n: Int) -> String {
                (0..<n).map { k in
                    let a = 2 * Double.pi * Double(k) / Double(n)
                    return String(format: "%.6f,%.6f", 52.6309 + 0.02 * sin(a), 1.2974 + 0.03 * cos(a))
                }.joined(separator: ":")
            }
            var status: HTTPStatus = .ok, body = ""
            try await app.testing().test(
                .POST, "/api/crimes-street/all-crime",
                beforeRequest: { req in
                    try req.content.encode(["poly": ring(150_000), "date": "2024-06"], as: .urlEncodedForm)
                }
            ) { res async in (status, body) = (res.status, res.body.string) }
            #expect(status == .badRequest && body.contains("more than 10000 points"), "\(status) \(body.prefix(200))")
            try await app.testing().test(
                .POST, "/api/crimes-street/all-crime",
                beforeRequest: { req in
                    try req.content.encode(["poly": ring(9_000), "date": "2024-06"], as: .urlEncodedForm)
                }
            ) { res async in (status, body) = (res.status, res.body.string) }
            #expect(status == .ok && body.contains(PoliceCSV.id(1)), "\(status)")
        }
        // The banded ring agrees with the plain crossing rule everywhere.
        var rng = SplitMix64(seed: 42)
        func next() -> Double { rng.unit() }
        let ring = (0..<500).map { k -> GridPoint in
            let a = 2 * Double.pi * Double(k) / 500, r = 1000 + 600 * next()
            return GridPoint(easting: 600_000 + r * cos(a), northing: 300_000 + r * sin(a))
        }
        let banded = try #require(BandedRing(ring)), plain = try AreaShape(polygons: [[ring]])
        for _ in 0..<20_000 {
            let p = GridPoint(easting: 598_000 + 4000 * next(), northing: 298_000 + 4000 * next())
            #expect(banded.contains(p) == plain.contains(p))
        }
    }

    // 4. A private record reached another partner's return, the report, the API and the share link.
    @Test("a private record (7777 injunctions) appears in no other partner's output and not behind a share link")
    func privateRecords() async throws {
        try await withTestApp { app in
            let w = try await world(app)
            let made = try await app.post(
                "/activities",
                [
                    "type": "civil-injunction", "date": "2025-07-20", "count": "7777",
                    "area": "market", "campaign": "summer", "visibility": "private",
                ], as: w.police)
            #expect(made.status == .seeOther, "\(made.body.string.prefix(300))")
            let link = try await app.post("/campaigns/summer/report/links", ["label": "panel"], as: w.opcc)
            let shared = try #require(link.body.string.firstMatch(of: /\/shared\/reports\/ssr_[A-Za-z0-9_-]+/)).0
            // The OPCC and the recording partner see it; nobody else does, anywhere.
            #expect(try await app.get("/campaigns/summer/return.csv", as: w.opcc).body.string.contains("7777"))
            #expect(try await app.get("/campaigns/summer/return.csv", as: w.police).body.string.contains("7777"))
            var outputs: [(String, String)] = []
            for path in [
                "/campaigns/summer/return.csv", "/campaigns/summer/report", "/campaigns/summer/report.csv",
                "/api/v1/campaigns/summer/evaluation", "/campaigns/summer/dashboard",
                "/campaigns/summer/activities.csv",
            ] {
                let res = try await app.get(path, as: w.bid)
                #expect(res.status.code < 500, "\(path) \(res.status)")
                outputs.append((path, res.body.string))
            }
            for path in [String(shared), "\(shared)/report.csv", "/open/campaigns/summer"] {
                outputs.append((path, try await get(app, path).body.string))
            }
            for (path, body) in outputs {
                #expect(!body.contains("7777") && !body.contains("7,777"), "\(path) shows the private record")
            }
        }
    }

    // 5. Sign-in floods: counted before checked, per address, and no lock-out of others.
    @Test("thirty parallel guesses: at most five are checked; a guesser's address cannot lock the owner out elsewhere")
    func signInFlood() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "partner@bid.example", role: .partnerUser, organisation: "Norwich BID",
                kind: .businessImprovementDistrict)
            var config = app.appConfig
            config.trustProxy = true
            app.storage[AppConfigKey.self] = config
            let token = try await app.loginToken()
            func attempt(_ email: String, _ password: String, from address: String) async throws -> HTTPStatus {
                var status: HTTPStatus = .ok
                try await app.testing().test(
                    .POST, "/login",
                    beforeRequest: { req in
                        req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.csrfCookie)=\(token)")
                        req.headers.replaceOrAdd(name: .xForwardedFor, value: address)
                        try req.content.encode(
                            ["email": email, "password": password, "_csrf": token], as: .urlEncodedForm)
                    }
                ) { res async in status = res.status }
                return status
            }
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        try await attempt("partner@bid.example", "wrong password here", from: "198.51.100.7")
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count <= 5, "\(statuses.map(\.code))")
            #expect(statuses.allSatisfy { $0 == .unauthorized || $0 == .tooManyRequests || $0 == .serviceUnavailable })
            #expect(!statuses.contains(.internalServerError))
            // The owner, from their own address, still gets in (after at most the short delay).
            var owner = try await attempt("partner@bid.example", "correct horse battery", from: "203.0.113.9")
            if owner == .tooManyRequests {
                try await Task.sleep(for: .seconds(RateLimits.accountMaxDelay + 1))
                owner = try await attempt("partner@bid.example", "correct horse battery", from: "203.0.113.9")
            }
            #expect(owner == .seeOther)
            // One address spraying many accounts is stopped.
            var sprayed: [HTTPStatus] = []
            for k in 0..<(RateLimits.signInAddress.maxHits + 2) {
                sprayed.append(try await attempt("person\(k)@bid.example", "some password \(k)", from: "192.0.2.44"))
            }
            #expect(sprayed.last == .tooManyRequests)
        }
    }

    // 6. Bodies read before they were allowed.
    @Test("bodies are read only after access passes, and never past the route's own limit")
    func bodyLimits() async throws {
        try await withTestApp { app in
            let big = String(repeating: "a", count: 3 << 20)
            // Anonymous POST to a signed-in route: refused without reading 3 MB.
            try await app.testing().test(
                .POST, "/campaigns",
                beforeRequest: { req in
                    try req.content.encode(["name": big], as: .urlEncodedForm)
                }
            ) { res async in
                #expect(
                    res.status == .unauthorized || res.status == .forbidden || res.status == .seeOther, "\(res.status)")
            }
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let s = try await app.signIn("analyst@opcc.example")
            // A signed-in form over 1 MB is too large.
            let res = try await app.post(
                "/campaigns", ["name": big, "startsOn": "2025-07-01", "endsOn": "2025-09-30"], as: s)
            #expect(res.status == .payloadTooLarge, "\(res.status)")
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM campaigns") == 0)
            // A `_csrf` inside a 17 MB JSON body does not get past the API's 16 MB.
            try await app.testing().test(
                .POST, "/api/v1/activities",
                beforeRequest: { req in
                    req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.cookie)=\(s.cookie)")
                    req.headers.contentType = .json
                    req.body = ByteBuffer(
                        string: "{\"_csrf\":\"\(s.csrf)\",\"pad\":\"" + String(repeating: "b", count: 17 << 20) + "\"}")
                }
            ) { res async in #expect(res.status == .payloadTooLarge, "\(res.status)") }
        }
    }
}
