@testable import App
import Testing
import Vapor

@Suite("SiteURL: every path named once")
struct SiteURLTests {
    @Test("every SiteURL case is a registered route, and every route was registered from a SiteURL case")
    func routesAndNamesAgree() async throws {
        try await withTestApp { app in
            let registered = Set(app.routes.all.compactMap { $0.userInfo["site"] as? SiteURL })
            #expect(Set(SiteURL.allCases).subtracting(registered).isEmpty, "named but not registered")
            let unnamed = app.routes.all.filter { $0.userInfo["site"] == nil }
                .map { "\($0.method) /\($0.path.map(\.description).joined(separator: "/"))" }
            #expect(unnamed.isEmpty, "registered without a SiteURL: \(unnamed)")
            for site in SiteURL.allCases {
                let route = app.routes.all.first { $0.userInfo["site"] as? SiteURL == site }
                #expect(
                    route.map { "/" + $0.path.map(\.description).joined(separator: "/") } == site.pattern,
                    "\(site) registers its own pattern")
            }
        }
    }

    @Test("paths fill their parameters in order, percent-encoded as one segment each")
    func filling() {
        #expect(SiteURL.home() == "/")
        #expect(SiteURL.campaignPlan("safer-nights", "market") == "/campaigns/safer-nights/areas/market")
        #expect(SiteURL.area("a b/c?d#e") == "/areas/a%20b%2Fc%3Fd%23e")
        #expect(SiteURL.activity(42) == "/activities/42")
        #expect(SiteURL.activities.with(query: "saved=1") == "/activities?saved=1")
        #expect(SiteURL.campaignReportCSV.with(query: "", "x") == "/campaigns/x/report.csv")
        #expect(SiteURL.campaignPlan("only-one") == "/campaigns/only-one/areas/", "a missing value is an empty segment")
        #expect(SiteURL.campaignPlan.parameterCount == 2)
    }
}

@Suite("rows: property names to column names")
struct ColumnNameTests {
    @Test("camelCase properties read snake_case columns, as SQLKit's convertFromSnakeCase would for these names")
    func snakeCase() {
        for (property, column) in [
            ("id", "id"), ("createdAt", "created_at"), ("evidenceUrl", "evidence_url"),
            ("organisationId", "organisation_id"),
            ("removalOfMoreThanOuterClothing", "removal_of_more_than_outer_clothing"), ("p", "p"), ("n", "n"),
        ] {
            #expect(ColumnName.snakeCase(property) == column)
        }
    }
}
