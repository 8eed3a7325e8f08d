@testable import App
import Foundation
import Testing
import VaporTesting

@Suite("home page")
struct HomePageTests {
    @Test("a stored time reads as the formatters would write it, by its digits")
    func dateTimeByDigits() {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "d MMMM yyyy, HH:mm 'UTC'"
        var rng = SystemRandomNumberGenerator()
        for k in 0..<2_000 {
            let t =
                k < 4
                ? [951_782_400, 1_709_164_800, 0, 4_102_444_799][k] : Int.random(in: 0..<4_102_444_800, using: &rng)
            let date = Date(timeIntervalSince1970: Double(t))
            #expect(Format.dateTime(date.stored) == f.string(from: date), "\(date.stored)")
        }
        // Not the stored form: the formatters' path, or the text as given.
        #expect(Format.storedDateTime("2026-02-30T10:00:00Z") == nil)
        #expect(Format.storedDateTime("2026-11-22T24:00:00Z") == nil)
        #expect(Format.dateTime("2026-11-22T14:05:09.5Z") == "2026-11-22T14:05:09.5Z")
        #expect(Format.dateTime("yesterday") == "yesterday")
    }

    @Test("an empty workspace says how to load data")
    func empty() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/") { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("No police.uk data has been imported yet"))
                #expect(res.body.string.contains("34,753"))
                #expect(res.headers.first(name: "Content-Security-Policy") != nil)
            }
        }
    }

    @Test("after an import it shows forces, months, row counts and the last import")
    func loaded() async throws {
        try await withTestApp { app in
            let june = try app.write(
                PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(1), PoliceCSV.asb()]), to: "a.csv")
            let july = try app.write(
                PoliceCSV.file(PoliceCSV.street, [PoliceCSV.crime(2, month: "2024-07")]), to: "b.csv")
            _ = try await app.importFiles(june, july)
            try await app.testing().test(.GET, "/") { res in
                let html = res.body.string
                #expect(res.status == .ok)
                #expect(html.contains("Norfolk Constabulary"))
                #expect(html.contains("2 months, 2024-06 to 2024-07"))
                #expect(html.contains("2024-06: street 2"))
                #expect(html.contains("files: 2 imported, 0 refused"))
                #expect(
                    html.range(of: #"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC"#, options: .regularExpression) != nil)
                #expect(!html.contains("No police.uk data has been imported yet"))
            }
            try await app.testing().test(.GET, "/api/v1/coverage") { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("\"month\":\"2024-07\""))
            }
        }
    }

    @Test("an unknown page is a 404 page, and a 404 problem for the API")
    func notFound() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/nowhere") { res in
                #expect(res.status == .notFound)
                #expect(res.body.string.contains("Not Found"))
            }
            try await app.testing().test(.GET, "/api/v1/nowhere") { res in
                #expect(res.status == .notFound)
                #expect(res.headers.contentType?.description.contains("problem+json") == true)
            }
        }
    }
}
