@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// A victim's case in a real browser: the police's referral arrives late (Right 4 missed),
/// the case worker opens it for case work, makes first contact (met), assesses needs and
/// refers on to the IDVA service; the IDVA service's user accepts; the case worker sees where
/// the victim is and closes the case with its outcomes.
@Suite(
    "victims in a real browser", .serialized,
    .enabled(if: Browser.available, "headless Chromium or chromedriver is not installed"))
struct VictimBrowserTests {
    @Test("referral, purpose, first contact, assessment, onward referral accepted by the IDVA service, closure")
    func caseInBrowser() async throws {
        try await withTestApp { app in
            let (tests, token) = try await VictimRetentionTests.victimService(app)
            try await app.makeUser(
                "idva@idva.example", role: .partnerUser, organisation: "IDVA Service", kind: .victimService)
            // Reported ten days ago, referred today: the police's two working days are missed.
            var da = tests.draft(1, crime: "domestic-abuse", consent: "explicit")
            da.reportedOn = CalendarDay(Date().addingTimeInterval(-10 * 86_400)).description
            let json = tests.json([da], service: "victim-care").replacingOccurrences(
                of: "\"consent\": \"explicit\"",
                with: "\"consent\": \"explicit\", \"consent_on\": \"\(da.reportedOn)\", \"consent_how\": \"verbal\"")
            #expect(try await tests.call(app, "/api/v1/victim-referrals", token: token, json: json).status == .created)
            let id = try await app.scalar("SELECT MIN(id) AS n FROM victim_cases")
            let idvaOrg = try await app.scalar("SELECT id AS n FROM organisations WHERE name = 'IDVA Service'")
            try await Browser.driving(app) { browser, site in
                // The queue lists the case; opening it asks why first.
                try await browser.signIn(site: site, as: "worker@care.example", then: "/victims")
                #expect(try await browser.text("main").contains("V\(id)"))
                try await browser.open("\(site)/victims/cases/\(id)")
                #expect(!(try await browser.source).contains("Robin Quillfeather1"))
                try await browser.choose("#purpose", value: "case-work")
                try await browser.click("form#purpose-form button[type=submit]")
                _ = try await browser.waitForURL { $0.contains("purpose=case-work") }
                #expect(try await browser.text("#person-details").contains("Robin Quillfeather1"))
                #expect(try await browser.text("#clock-list").contains("Missed by"))

                // First contact now: met.
                try await browser.choose("#channel", value: "phone")
                try await browser.choose("#outcome", value: "made-contact")
                try await browser.type("#note", "Agreed weekly calls")
                try await browser.click("form#contact-form button[type=submit]")
                _ = try await browser.waitForURL { $0.hasSuffix("#contacts") }
                let clocks = try await browser.text("#clock-list")
                #expect(clocks.contains("First contact") && clocks.contains("Met "))
                #expect(clocks.contains("Referral to services that support victims") && clocks.contains("Missed by"))

                // Needs, risk and the plan.
                try await browser.choose("#need-safety-security", value: "high")
                try await browser.choose("#risk", value: "high")
                try await browser.type("#plan", "Safety planning with the IDVA")
                try await browser.click("form#assess-form button[type=submit]")
                _ = try await browser.waitForURL { $0.hasSuffix("#assessment") }
                #expect(try await browser.text("#needs").contains("Safety planning with the IDVA"))

                // Onward to the IDVA service.
                try await browser.choose("#to", value: String(idvaOrg))
                try await browser.choose("#service", value: "idva")
                try await browser.type("#onward-note", "Call after 6pm")
                try await browser.click("form#onward-form button[type=submit]")
                _ = try await browser.waitForURL { $0.hasSuffix("#onward") }
                try await browser.signOut()

                // The IDVA service accepts.
                try await browser.signIn(site: site, as: "idva@idva.example", then: "/onward-referrals")
                try await browser.click("main table a")
                _ = try await browser.waitForURL { $0.contains("/onward-referrals/") }
                if try await browser.source.contains("purpose-form") {
                    try await browser.choose("#purpose", value: "onward-referral")
                    try await browser.click("form#purpose-form button[type=submit]")
                    _ = try await browser.waitForURL { $0.contains("purpose=") }
                }
                #expect(try await browser.text("main").contains("Call after 6pm"))
                try await browser.click("form#accept-form button[type=submit]")
                _ = try await browser.waitForURL { !$0.contains("purpose=") }
                try await browser.signOut()

                // Back with the case worker: where the victim is; then closing.
                try await browser.signIn(
                    site: site, as: "worker@care.example", then: "/victims/cases/\(id)?purpose=case-work")
                #expect(try await browser.text("#onward-list").contains("Accepted by IDVA Service"))
                try await browser.choose("#reason", value: "support-completed")
                try await browser.click("#outcome-feel-safer")
                try await browser.choose("#feedback", value: "5")
                try await browser.click("form#close-form button[type=submit]")
                _ = try await browser.waitForURL { $0.hasSuffix("#closure") }
                #expect(try await browser.text("#closed").contains("Support completed"))
                #expect(try await browser.text("#facts").contains("Closed"))
            }
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_case_reads WHERE case_id = \(id)") >= 4)
        }
    }
}
