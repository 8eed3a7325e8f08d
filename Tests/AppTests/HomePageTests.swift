@testable import App
import Foundation
import Testing
import VaporTesting

@Suite("home page")
struct HomePageTests {
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
