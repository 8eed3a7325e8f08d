@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The page header at the widths people use, in a real browser: the site name, every
/// navigation link and the account bar (name, organisation, sign out) each stay on screen and
/// none overlaps another, signed out and signed in with a long organisation name.
@Suite(
    "the header in a real browser", .serialized,
    .enabled(if: Browser.available, "headless Chromium or chromedriver is not installed"))
struct HeaderBrowserTests {
    static let widths = [320, 768, 1280, 1920]

    /// Every line box of the header's parts, and what is wrong with them: a part beyond the
    /// viewport's edges or below the header's, or two parts' boxes crossing.
    static let check = """
        const width = document.documentElement.clientWidth;
        const header = document.querySelector('.site-header').getBoundingClientRect();
        const parts = [...document.querySelectorAll(
          '.site-name, .site-nav a, .account-bar .account-name, .account-bar .account-link, .account-bar button')];
        const boxes = [];
        parts.forEach((el, i) => {
          if (el.closest('.account-name') && el !== el.closest('.account-name')) return;
          for (const r of el.getClientRects()) boxes.push({ i, name: el.textContent.trim().slice(0, 30), r });
        });
        const problems = [];
        for (const b of boxes) {
          if (b.r.left < -0.5 || b.r.right > width + 0.5) problems.push(b.name + ' runs off screen');
          if (b.r.bottom > header.bottom + 0.5) problems.push(b.name + ' hangs below the header');
        }
        for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
          const p = boxes[a], q = boxes[b];
          if (p.i === q.i) continue;
          const x = Math.min(p.r.right, q.r.right) - Math.max(p.r.left, q.r.left);
          const y = Math.min(p.r.bottom, q.r.bottom) - Math.max(p.r.top, q.r.top);
          if (x > 0.5 && y > 0.5) problems.push(p.name + ' overlaps ' + q.name);
        }
        return JSON.stringify({ parts: boxes.length, problems, scroll: document.documentElement.scrollWidth - width });
        """

    struct Layout: Decodable {
        var parts: Int
        var problems: [String]
        var scroll: Double
    }

    func layout(_ browser: WebDriver) async throws -> Layout {
        let text = try await browser.script(Self.check) as? String ?? "{}"
        return try JSONDecoder().decode(Layout.self, from: Data(text.utf8))
    }

    @Test("at 320, 768, 1280 and 1920 px no part of the header overlaps another or runs off screen")
    func headerFits() async throws {
        try await withTestApp { app in
            try await app.makeUser(
                "analyst@opcc.example", role: .opccStaff,
                organisation: "Norfolk Office of the Police and Crime Commissioner and Partners", kind: .opcc)
            try await Browser.driving(app) { browser, site in
                for signedIn in [false, true] {
                    if signedIn { try await browser.signIn(site: site, as: "analyst@opcc.example", then: "/campaigns") }
                    for width in Self.widths {
                        try await browser.resize(width: width, height: 900)
                        try await browser.open("\(site)/")
                        let found = try await layout(browser)
                        let who = signedIn ? "signed in" : "signed out"
                        #expect(found.parts >= (signedIn ? 12 : 4), "\(who) at \(width) px: \(found.parts) parts")
                        #expect(found.problems.isEmpty, "\(who) at \(width) px: \(found.problems)")
                    }
                }
            }
        }
    }
}
