@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// Needs against provision: the gap rules (pure), and the page for OPCC staff only, with
/// every count under 5 suppressed and its order among the suppressed saying nothing.
@Suite("victims: needs against provision")
struct VictimProvisionTests {
    @Test("the gaps: no service, 10% declined for no capacity, a median wait over 5 days; rates from 5 decided")
    func gaps() {
        typealias T = VictimStore.OnwardTally
        #expect(VictimController.gaps(T(), providers: 0, highNeed: 0, threshold: 5).isEmpty)
        #expect(
            VictimController.gaps(T(), providers: 0, highNeed: 5, threshold: 5) == [
                "No service commissioned, though high needs were assessed"
            ])
        #expect(VictimController.gaps(T(), providers: 0, highNeed: 4, threshold: 5).isEmpty)
        var t = T(referred: 10, accepted: 9, noCapacity: 1, waits: [1, 2, 3, 4, 9])
        #expect(
            VictimController.gaps(t, providers: 1, highNeed: 0, threshold: 5) == [
                "10% of decided referrals declined for no capacity"
            ])
        t.accepted = 10  // 1 in 11: under 10%
        #expect(VictimController.gaps(t, providers: 1, highNeed: 0, threshold: 5).isEmpty)
        t.waits = [6, 7, 1, 8, 9, 2]  // median 6.5
        #expect(
            VictimController.gaps(t, providers: 1, highNeed: 0, threshold: 5) == ["Median wait for a decision 6.5 days"]
        )
        // Four decided: too few to judge a rate.
        #expect(
            VictimController.gaps(
                T(referred: 4, noCapacity: 4, waits: [9, 9, 9, 9]), providers: 1, highNeed: 0, threshold: 5
            )
            .isEmpty)
        #expect(VictimController.median([3, 1, 2]) == 2 && VictimController.median([]) == nil)
    }

    @Test("the page: OPCC staff only; counts under 5 suppressed; erased cases still counted")
    func page() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            let drafts = (1...7).map { tests.draft($0) } + (8...10).map { tests.draft($0, crime: "theft") }
            #expect(
                try await tests.call(app, "/api/v1/victim-referrals", token: token, json: tests.json(drafts)).status
                    == .created)
            let analyst = try await app.signIn("analyst@opcc.example")
            var page = try await app.get("/victims/provision", as: analyst)
            #expect(page.status == .ok)
            let body = page.body.string
            #expect(body.contains("10 referrals to victim services"))
            #expect(body.contains("<th scope=\"row\">Burglary</th><td class=\"numeric\">7</td>"))
            #expect(body.contains("<th scope=\"row\">Theft</th><td class=\"numeric\">fewer than 5</td>"))
            #expect(!body.contains("<td class=\"numeric\">3</td>"))
            #expect(body.contains("Mental health support"))
            // The victim service's people and other partners see none of it.
            #expect(
                try await app.get("/victims/provision", as: try await app.signIn("worker@care.example")).status
                    == .forbidden)
            // Erased cases still count (their kept tallies).
            let worker = try await app.signIn("worker@care.example")
            let first = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            _ = try await app.post("/victims/cases/\(first)/close", ["reason": "support-completed"], as: worker)
            try await app.db.sql.raw(
                "UPDATE victim_cases SET closed_at = '2019-06-01T09:00:00Z' WHERE id = \(bind: first)"
            )
            .run()
            #expect(try await VictimStore(cipher: nil, audit: AuditLog()).eraseDue(on: app.db) == 1)
            page = try await app.get("/victims/provision", as: analyst)
            #expect(page.body.string.contains("10 referrals to victim services"))
            #expect(page.body.string.contains("<th scope=\"row\">Burglary</th><td class=\"numeric\">7</td>"))
        }
    }
}
