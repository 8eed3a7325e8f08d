@testable import App
import CrimeData
import Foundation
import Testing
import VaporTesting

@Suite("Norfolk demo data")
struct DemoTests {
    @Test("the generator is deterministic and writes files the importer takes without a rejected row")
    func deterministicAndImportable() async throws {
        try await withTestApp { app in
            let a = app.scratch.appendingPathComponent("a"), b = app.scratch.appendingPathComponent("b")
            let demo = try NorfolkDemo()
            let rows = try demo.write(to: a, months: 2)
            _ = try demo.write(to: b, months: 2)
            #expect(rows > 11_000 && rows < 16_000, "about 6,500 street rows a month, got \(rows)")
            for name in [
                "2022-10/2022-10-norfolk-street.csv", "2022-11/2022-11-norfolk-outcomes.csv",
                "2022-11/2022-11-norfolk-stop-and-search.csv",
            ] {
                let x = try Data(contentsOf: a.appendingPathComponent(name))
                let y = try Data(contentsOf: b.appendingPathComponent(name))
                #expect(x == y, "\(name) differs between runs")
            }
            let report = try await app.importFiles(a.path)
            #expect(report.filesImported == 6)
            #expect(report.filesRefused == 0)
            #expect(report.rejected == 0)
            // ASB concentrates in the towns: Norwich's central LSOAs are among the top.
            let top = try await app.db.sql.raw(
                """
                SELECT l.lad_name AS lad FROM counts_by_lsoa c JOIN lsoas l ON l.code = c.lsoa_code
                WHERE c.category_id = 1 GROUP BY c.lsoa_code, l.lad_name ORDER BY SUM(c.count) DESC LIMIT 1
                """
            ).first(decodingColumn: "lad", as: String.self)
            #expect(top == "Norwich")
            // Every row sits in Norfolk.
            #expect(
                try await app.scalar(
                    """
                    SELECT COUNT(*) AS n FROM counts_by_lsoa c JOIN lsoas l ON l.code = c.lsoa_code WHERE l.police_force <> 'Norfolk'
                    """) == 0)
        }
    }
}
