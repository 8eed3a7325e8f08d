@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The police's referrals as a CSV file: every problem named by line and column with nothing
/// stored, then stored whole, safe to upload again; only a police force's people may send.
@Suite("victims: the police's referrals as a CSV file")
struct VictimUploadTests {
    func upload(_ app: Application, csv: String, service: String = "victim-care", as s: Session) async throws
        -> TestingHTTPResponse
    {
        var out: TestingHTTPResponse?
        try await app.testing().test(
            .POST, "/victims/referrals/upload",
            beforeRequest: { req in
                req.headers.replaceOrAdd(name: "Cookie", value: "\(SessionMiddleware.cookie)=\(s.cookie)")
                req.headers.replaceOrAdd(name: "X-CSRF-Token", value: s.csrf)
                try req.content.encode(
                    VictimController.ReferralUpload(
                        service: service, file: File(data: ByteBuffer(string: csv), filename: "referrals.csv")),
                    as: .formData)
            }
        ) { res async in out = res }
        return out!
    }

    static let header = ReferralCSV.columns.joined(separator: ",")

    static func row(_ n: Int, crime: String = "burglary", consent: String = "not-declined", enhanced: String = "")
        -> String
    {
        "NC-\(n),36/\(10_000 + n)/26,\(crime),2026-11-30,Robin Quillfeather\(n),,07700 900\(String(format: "%03d", n)),,,"
            + "Evenings,English,no,35-49,\(enhanced),\(consent),,,"
    }

    @Test("the reader: the template reads; every bad field named by line; a reference used twice; a wrong header")
    func reader() throws {
        let today = CalendarDay(unchecked: 2026, month: 12, day: 1)
        let template = try ReferralCSV.read(
            Array(ReferralCSV.template.utf8), today: today, localAuthorities: ["E07000148"]
        ).get()
        #expect(
            template.count == 1 && template[0].enhanced == [.intimidated] && template[0].localAuthority == "E07000148")
        let csv = [
            Self.header, Self.row(1), Self.row(2, crime: "domestic-abuse"),
            Self.row(3, enhanced: "intimidated;royalty"),
            Self.row(1), "NC-9,too,few",
        ].joined(separator: "\n")
        guard case .failure(.rows(let errors)) = ReferralCSV.read(Array(csv.utf8), today: today, localAuthorities: [])
        else {
            Issue.record("a file with bad rows was accepted")
            return
        }
        #expect(
            errors.contains(.init(line: 3, field: "consent", message: errors.first { $0.line == 3 }?.message ?? "")))
        #expect(errors.contains { $0.line == 4 && $0.field == "enhanced" })
        #expect(errors.contains { $0.line == 5 && $0.field == "reference" && $0.message.contains("line 2") })
        #expect(errors.contains { $0.line == 6 && $0.message.contains("fields where the header has") })
        #expect(!errors.contains { $0.line == 2 })
        guard
            case .failure(.refused(let why)) = ReferralCSV.read(
                Array("reference,colour\nNC-1,red\n".utf8), today: today, localAuthorities: [])
        else {
            Issue.record("a file with the wrong header was accepted")
            return
        }
        #expect(why.contains("missing columns") && why.contains("unknown columns colour"))
    }

    @Test("uploaded: refused whole with each problem listed, then stored, then skipped when sent again")
    func uploaded() async throws {
        try await withTestApp { app in
            let (_, _) = try await VictimRetentionTests.victimService(app)
            try await app.makeUser(
                "ranger@bid.example", role: .partnerUser, organisation: "BID", kind: .businessImprovementDistrict)
            let pc = try await app.signIn("pc@police.example")
            #expect(try await app.get("/victims/referrals/upload", as: pc).status == .ok)
            #expect(
                try await app.get("/victims/referrals/template.csv", as: pc).body.string.hasPrefix("reference,"))
            var res = try await upload(
                app, csv: [Self.header, Self.row(1), Self.row(2, crime: "arson?")].joined(separator: "\n"), as: pc)
            #expect(res.status == .unprocessableEntity)
            #expect(res.body.string.contains("referrals.csv: 1 problem in the file. Nothing was saved"))
            #expect(res.body.string.contains("<td class=\"numeric\">3</td><td>crime_type</td>"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases") == 0)
            let good = [Self.header, Self.row(1), Self.row(2), Self.row(3)].joined(separator: "\n")
            res = try await upload(app, csv: good, as: pc)
            #expect(res.status == .seeOther)
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases WHERE source = 'police'") == 3)
            res = try await upload(app, csv: good, as: pc)
            #expect(res.status == .seeOther)
            #expect((res.headers.first(name: .location) ?? "").contains("3%20sent%20before"))
            #expect(try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases") == 3)
            // Nothing in clear.
            #expect(
                try await app.scalar("SELECT COUNT(*) AS n FROM victim_cases WHERE name_sealed LIKE '%Quillfeather%'")
                    == 0)
            res = try await upload(app, csv: good, service: "no-such-service", as: pc)
            #expect(res.status == .unprocessableEntity && res.body.string.contains("is not a victim service"))
            // Only the police send referrals.
            let worker = try await app.signIn("worker@care.example")
            #expect(try await upload(app, csv: good, as: worker).status == .notFound)
            #expect(
                try await app.get("/victims/referrals/upload", as: try await app.signIn("ranger@bid.example")).status
                    == .notFound)
        }
    }
}
