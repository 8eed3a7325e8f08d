@testable import App
import Analytics
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

/// Publishing the plan on PlanTests' small world (counts of 1 to 9 a month, so the public
/// suppression of counts below 5 is exercised): the scorecard frozen as published, its
/// CSV, withdrawal; the quarterly statement of the national measures.
@Suite("the published plan: /open/plan and the national crime and policing measures")
struct PlanPublicationTests {
    @Test("the published scorecard hides counts below 5, stays as published, and leaves when withdrawn")
    func scorecard() async throws {
        try await withTestApp { app in
            try await PlanTests().world(app)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let analyst = try await app.signIn("analyst@opcc.example")
            try await app.testing().test(.GET, "/open/plan") { res async in
                #expect(res.status == .ok && res.body.string.contains("has not published"))
            }
            let res = try await app.post("/plan/publish", [:], as: analyst)
            #expect(res.status == .seeOther && res.headers.first(name: .location) == "/open/plan")
            var csv = ""
            try await app.testing().test(.GET, "/open/plan") { res async in
                let html = res.body.string
                #expect(res.status == .ok)
                #expect(html.contains("Reduce priority crime") && html.contains("ASB in Great Yarmouth"))
                #expect(html.contains("fewer than 5"), "Great Yarmouth's monthly ASB (1 to 3) is not shown")
                #expect(!html.contains("/plan/measures/"), "no link into the working scorecard")
            }
            try await app.testing().test(.GET, "/open/plan/measures.csv") { res async in
                csv = res.body.string
                #expect(res.status == .ok && csv.hasPrefix("measure,name,period,value,note"))
            }
            // Every count measure's published figure is empty or at least 5.
            let lines = csv.split(whereSeparator: \.isNewline).dropFirst().map {
                $0.split(separator: ",", omittingEmptySubsequences: false)
            }
            let yarmouth = lines.filter { $0.first == "asb-great-yarmouth" }
            #expect(yarmouth.count == 14 && yarmouth.allSatisfy { $0[3].isEmpty && $0[4] == "fewer than 5" })
            for line in lines where ["asb", "neighbourhood-crime", "asb-great-yarmouth"].contains(String(line[0])) {
                #expect(line[3].isEmpty || (Double(line[3]) ?? 0) >= 5, "\(line)")
            }
            // A figure entered after publishing does not change the published version.
            let form = try await app.post(
                "/plan/measures/calls-999-within-10s/values", ["period": "2024-06", "value": "91.5", "source": "CC"],
                as: analyst)
            #expect(form.status == .seeOther)
            try await app.testing().test(.GET, "/open/plan/measures.csv") { res async in
                #expect(res.body.string == csv)
            }
            // Withdrawn: off the open pages, kept in the record.
            let id = try await app.scalar("SELECT MAX(id) AS n FROM plan_publications")
            #expect(try await app.post("/plan/publications/\(id)/withdraw", [:], as: analyst).status == .seeOther)
            try await app.testing().test(.GET, "/open/plan") { res async in
                #expect(res.body.string.contains("has not published"))
            }
            try await app.testing().test(.GET, "/open/plan/measures.csv") { res async in
                #expect(res.status == .notFound)
            }
            #expect(try await app.post("/plan/publications/\(id)/withdraw", [:], as: analyst).status == .notFound)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'plan-publication'") == 2)
        }
    }

    @Test("the national statement: generated for the latest complete quarter, a missing figure refused, published")
    func national() async throws {
        try await withTestApp { app in
            try await PlanTests().world(app)
            try await app.makeUser("analyst@opcc.example", role: .opccStaff)
            let analyst = try await app.signIn("analyst@opcc.example")
            // The world runs 2023-06 to 2024-07: the latest complete quarter is April to June 2024.
            func neighbourhood(_ k: Int) -> Int { 1 + k % 2 + (k % 3 == 0 ? 1 : 0) + 2 + (k % 5 == 0 ? 1 : 0) }
            let now = neighbourhood(10) + neighbourhood(11) + neighbourhood(12)
            let before = neighbourhood(0)  // only June 2023 of that quarter is in the data
            let page = try await app.get("/plan/national", as: analyst)
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("April to June 2024"))
            #expect(
                html.contains("\(now) in April to June 2024 against \(before) a year before"),
                "neighbourhood crime: \(now) against \(before)")
            for p in NationalPriority.allCases {
                #expect(html.contains(p.title.replacingOccurrences(of: "'", with: "&#39;")))
            }
            try await app.testing().test(.GET, "/plan/national") { res async in #expect(res.status == .seeOther) }

            #expect(try await app.post("/plan/national/202404/publish", [:], as: analyst).status == .conflict)
            var form: [String: String] = ["quarter": "202404", "introduction": "The Commissioner's statement."]
            for p in NationalPriority.allCases {
                form["figure-\(p.rawValue)"] = p == .homicide ? "" : "Figure for \(p.rawValue)"
                form["comment-\(p.rawValue)"] = "Comment on \(p.rawValue)"
            }
            #expect(try await app.post("/plan/national", form, as: analyst).status == .seeOther)
            let refused = try await app.post("/plan/national/202404/publish", [:], as: analyst)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Give the figure for “Reduce murder and other homicide”"))
            form["figure-homicide"] = "No homicides in the quarter; 4 in the 12 months to June."
            #expect(try await app.post("/plan/national", form, as: analyst).status == .seeOther)
            #expect(try await app.post("/plan/national/202404/publish", [:], as: analyst).status == .seeOther)
            try await app.testing().test(.GET, "/open/plan/national/202404") { res async in
                let html = res.body.string
                #expect(res.status == .ok && html.contains("No homicides in the quarter"))
                #expect(html.contains("Comment on cyber-crime") && !html.contains("<form"))
            }
            try await app.testing().test(.GET, "/open/plan/national/202401") { res async in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "/open/plan") { res async in
                #expect(res.body.string.contains("National crime and policing measures, April to June 2024"))
            }
        }
    }
}
