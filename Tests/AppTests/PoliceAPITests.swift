@testable import App
import CrimeData
import Foundation
import Testing
import Vapor
import VaporTesting

/// A small Norfolk data set in police.uk's own files: crimes round Castle Meadow in
/// Norwich, one in Great Yarmouth (20 miles east), ASB, a crime without a location, a
/// British Transport Police crime, outcomes a month later, and stop and search.
enum PoliceAPIData {
    static let castle = (lat: 52.630900, lng: 1.297400)
    static let yarmouth = (lat: 52.607600, lng: 1.730500)

    static func load(_ app: Application) async throws {
        let june = [
            PoliceCSV.crime(1, type: "Burglary", outcome: "Under investigation"),
            PoliceCSV.crime(2, type: "Violence and sexual offences", outcome: "Unable to prosecute suspect"),
            PoliceCSV.crime(
                3, type: "Shoplifting", outcome: "Investigation complete; no suspect identified", lon: "1.730500",
                lat: "52.607600",
                location: "On or near King Street"),
            PoliceCSV.crime(
                4, type: "Burglary", outcome: "Under investigation", lon: "", lat: "", location: "No Location"),
            PoliceCSV.asb(), PoliceCSV.asb(),
            "\(PoliceCSV.id(5)),2024-06,British Transport Police,Norfolk Constabulary,1.306000,52.627000,On or near Norwich Station,E01026764,Norwich 013A,Robbery,Under investigation,",
            PoliceCSV.crime(6, type: "Public order", outcome: "", location: "\"On or near \"\"The Walk\"\", Norwich\""),
        ]
        let may = [PoliceCSV.crime(7, month: "2024-05", type: "Drugs", outcome: "Local resolution")]
        let outcomes = [
            "\(PoliceCSV.id(1)),2024-07,Norfolk Constabulary,Norfolk Constabulary,1.297400,52.630900,On or near Castle Meadow,E01026764,Norwich 013A,Unable to prosecute suspect",
            "\(PoliceCSV.id(2)),2024-07,Norfolk Constabulary,Norfolk Constabulary,1.297400,52.630900,On or near Castle Meadow,E01026764,Norwich 013A,Unable to prosecute suspect",
        ]
        let stops = [
            "Person search,2024-06-04T07:41:00+00:00,False,,52.630900,1.297400,Male,10-17,White - English/Welsh/Scottish/Northern Irish/British,White,Police and Criminal Evidence Act 1984 (section 1),Stolen goods,A no further action disposal,,False",
            "Vehicle search,2024-06-05T22:40:00+00:00,True,Operation Ember,,,,,,,,Controlled drugs,Arrest,True,",
            "Person and Vehicle search,2024-06-06T12:00:00+00:00,,,52.607600,1.730500,Female,over 34,,Asian,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Community resolution,True,False",
        ]
        let report = try await app.importFiles(
            try app.write(PoliceCSV.file(PoliceCSV.street, june), to: "2024-06/2024-06-norfolk-street.csv"),
            try app.write(PoliceCSV.file(PoliceCSV.street, may), to: "2024-05/2024-05-norfolk-street.csv"),
            try app.write(PoliceCSV.file(PoliceCSV.outcomes, outcomes), to: "2024-07/2024-07-norfolk-outcomes.csv"),
            try app.write(PoliceCSV.file(PoliceCSV.stops, stops), to: "2024-06/2024-06-norfolk-stop-and-search.csv"))
        #expect(report.rejected == 0)
    }
}

extension Application {
    /// A GET (or a form POST) and its body parsed as JSON.
    func json(
        _ path: String, method: HTTPMethod = .GET, form: String? = nil, status: HTTPStatus = .ok,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSONValue {
        var body = Data()
        var got: HTTPStatus = .ok
        var contentType = ""
        try await testing().test(
            method, path,
            beforeRequest: { req in
                if let form {
                    req.headers.contentType = .urlEncodedForm
                    req.body = ByteBuffer(string: form)
                }
            }
        ) { res async in
            got = res.status
            body = Data(buffer: res.body)
            contentType = res.headers.contentType?.description ?? ""
        }
        #expect(
            got == status, "\(method) \(path): \(String(decoding: body, as: UTF8.self).prefix(300))",
            sourceLocation: sourceLocation)
        if got == .ok { #expect(contentType.hasPrefix("application/json"), sourceLocation: sourceLocation) }
        return (try? JSONValue.parse(body)) ?? .null
    }
}

@Suite("police.uk-compatible API")
struct PoliceAPITests {
    static let castle = "lat=52.6309&lng=1.2974"

    @Test(
        "street crimes within a mile: Norwich's, not Great Yarmouth's; none without a location; latest month by default"
    )
    func streetByPoint() async throws {
        try await withTestApp { app in
            try await PoliceAPIData.load(app)
            let crimes = try await app.json("/api/crimes-street/all-crime?\(Self.castle)").array
            // Crimes 1, 2, 5 (BTP), 6 and two ASB: June, the latest month.
            #expect(crimes.count == 6)
            #expect(Set(crimes.compactMap { $0["month"]?.string }) == ["2024-06"])
            #expect(!crimes.contains { $0["location"]?["street"]?["name"]?.string == "On or near King Street" })
            let asb = crimes.filter { $0["category"]?.string == "anti-social-behaviour" }
            #expect(asb.count == 2, "two identical ASB rows are two incidents")
            #expect(asb.allSatisfy { $0["persistent_id"] == .string("") && $0["outcome_status"] == .null })
            let burglary = try #require(crimes.first { $0["persistent_id"]?.string == PoliceCSV.id(1) })
            #expect(burglary["category"] == .string("burglary"))
            #expect(burglary["location"]?["latitude"] == .string("52.630900"))
            #expect(burglary["location"]?["longitude"] == .string("1.297400"))
            #expect(burglary["location"]?["street"]?["name"] == .string("On or near Castle Meadow"))
            #expect(burglary["location_type"] == .string("Force"))
            // The outcome's date comes from the outcomes file (July), its category from the street file.
            #expect(burglary["outcome_status"]?["category"] == .string("Under investigation"))
            #expect(burglary["outcome_status"]?["date"] == .string("2024-07"))
            let btp = try #require(crimes.first { $0["persistent_id"]?.string == PoliceCSV.id(5) })
            #expect(btp["location_type"] == .string("BTP"))
            #expect(btp["category"] == .string("robbery"))
            let quoted = try #require(crimes.first { $0["persistent_id"]?.string == PoliceCSV.id(6) })
            #expect(quoted["location"]?["street"]?["name"] == .string("On or near \"The Walk\", Norwich"))
            #expect(quoted["outcome_status"] == .null)

            // One category; another month; a month without data.
            #expect(try await app.json("/api/crimes-street/burglary?\(Self.castle)").array.count == 1)
            #expect(try await app.json("/api/crimes-street/drugs?\(Self.castle)&date=2024-05").array.count == 1)
            #expect(try await app.json("/api/crimes-street/all-crime?\(Self.castle)&date=2019-01").array.isEmpty)
            // Great Yarmouth is 20 miles away: its own crime only.
            let yarmouth = try await app.json("/api/crimes-street/all-crime?lat=52.6076&lng=1.7305").array
            #expect(yarmouth.map { $0["persistent_id"]?.string } == [PoliceCSV.id(3)])
        }
    }

    @Test("street crimes in a polygon, by GET and by POST, give the same answer")
    func streetByPolygon() async throws {
        try await withTestApp { app in
            try await PoliceAPIData.load(app)
            // A triangle round Norwich city centre, open (police.uk closes it).
            let poly = "52.64,1.28:52.64,1.32:52.62,1.30"
            let byGet = try await app.json("/api/crimes-street/all-crime?poly=\(poly)&date=2024-06").array
            let byPost = try await app.json(
                "/api/crimes-street/all-crime", method: .POST, form: "poly=\(poly)&date=2024-06"
            ).array
            #expect(byGet.count == 6)
            #expect(byGet == byPost)
            let county = "53.0,0.9:53.0,1.9:52.3,1.9:52.3,0.9"
            #expect(
                try await app.json("/api/crimes-street/all-crime", method: .POST, form: "poly=\(county)").array.count
                    == 7)
        }
    }

    @Test("bad parameters are 400s and unknown things 404s, as on police.uk")
    func statusCodes() async throws {
        try await withTestApp { app in
            try await PoliceAPIData.load(app)
            for path in [
                "/api/crimes-street/all-crime", "/api/crimes-street/all-crime?lat=52.6",
                "/api/crimes-street/all-crime?lat=north&lng=1.2", "/api/crimes-street/all-crime?lat=95&lng=1.2",
                "/api/crimes-street/all-crime?\(Self.castle)&date=2024-13",
                "/api/crimes-street/all-crime?poly=52,1:53,1",
                "/api/crimes-street/all-crime?poly=52,1:53,x:52,2", "/api/crimes-no-location?category=all-crime",
                "/api/crimes-at-location?date=2024-06", "/api/stops-force", "/api/locate-neighbourhood?q=52.6",
                "/api/crimes-at-location?location_id=abc",
            ] {
                _ = try await app.json(path, status: .badRequest)
            }
            for path in [
                "/api/crimes-street/not-a-category?\(Self.castle)", "/api/forces/atlantis",
                "/api/crimes-no-location?category=all-crime&force=atlantis",
                "/api/outcomes-for-crime/\(PoliceCSV.id(999))",
                "/api/outcomes-for-crime/xyz", "/api/norfolk/no-such-area", "/api/locate-neighbourhood?q=51.5,-0.1",
            ] {
                _ = try await app.json(path, status: .notFound)
            }
        }
    }

    @Test("crimes at a location, without a location, and outcomes")
    func locationsAndOutcomes() async throws {
        try await withTestApp { app in
            try await PoliceAPIData.load(app)
            let crimes = try await app.json("/api/crimes-street/all-crime?\(Self.castle)").array
            let castleID = try #require(
                crimes.first { $0["persistent_id"]?.string == PoliceCSV.id(1) }?["location"]?["street"]?["id"]?.integer)
            #expect(PoliceLocationID.point(of: castleID).map { abs($0.latitude - 52.6309) < 1e-9 } == true)
            let atCastle = try await app.json("/api/crimes-at-location?location_id=\(castleID)&date=2024-06").array
            #expect(
                Set(atCastle.compactMap { $0["persistent_id"]?.string }) == [
                    PoliceCSV.id(1), PoliceCSV.id(2), PoliceCSV.id(6),
                ])
            // lat/lng finds the nearest map point.
            let nearest = try await app.json("/api/crimes-at-location?lat=52.63095&lng=1.29745&date=2024-06").array
            #expect(nearest == atCastle)

            let noLocation = try await app.json("/api/crimes-no-location?category=all-crime&force=norfolk&date=2024-06")
                .array
            #expect(noLocation.map { $0["persistent_id"]?.string } == [PoliceCSV.id(4)])
            #expect(noLocation.first?["location"] == .null && noLocation.first?["location_type"] == .null)
            #expect(
                try await app.json("/api/crimes-no-location?category=drugs&force=norfolk&date=2024-06").array.isEmpty)

            let history = try await app.json("/api/outcomes-for-crime/\(PoliceCSV.id(1))")
            #expect(history["crime"]?["persistent_id"] == .string(PoliceCSV.id(1)))
            #expect(history["crime"]?["outcome_status"] == nil, "police.uk's crime here has no outcome_status")
            #expect(history["outcomes"]?.array.map { $0["category"]?["code"]?.string } == ["unable-to-prosecute"])
            #expect(history["outcomes"]?.array.first?["date"] == .string("2024-07"))
            #expect(history["outcomes"]?.array.first?["person_id"] == .null)
            // Upper-case ids are the same crime.
            #expect(
                try await app.json("/api/outcomes-for-crime/\(PoliceCSV.id(1).uppercased())")["crime"]
                    == history["crime"])

            let atLocation = try await app.json("/api/outcomes-at-location?\(Self.castle)&date=2024-07").array
            #expect(atLocation.count == 2)
            #expect(
                Set(atLocation.compactMap { $0["crime"]?["persistent_id"]?.string }) == [
                    PoliceCSV.id(1), PoliceCSV.id(2),
                ])
            #expect(
                atLocation.allSatisfy { $0["crime"]?["category"]?.string != nil && $0["date"] == .string("2024-07") })
            let byID = try await app.json("/api/outcomes-at-location?location_id=\(castleID)&date=2024-07").array
            #expect(byID.count == 2)
        }
    }

    @Test("stop and search by area, location, force, and without a location")
    func stops() async throws {
        try await withTestApp { app in
            try await PoliceAPIData.load(app)
            let street = try await app.json("/api/stops-street?\(Self.castle)&date=2024-06").array
            #expect(street.count == 1)
            let stop = try #require(street.first)
            #expect(stop["involved_person"] == .bool(true))
            #expect(stop["outcome_linked_to_object_of_search"] == .null)
            #expect(stop["removal_of_more_than_outer_clothing"] == .bool(false))
            #expect(stop["operation"] == .bool(false))
            #expect(stop["operation_name"] == .null)
            #expect(stop["outcome_object"]?["id"] == .string("bu-no-further-action"))
            #expect(stop["datetime"] == .string("2024-06-04T07:41:00+00:00"))
            #expect(
                try await app.json("/api/stops-street", method: .POST, form: "poly=52.64,1.28:52.64,1.32:52.62,1.30")
                    .array.count == 1)

            let none = try await app.json("/api/stops-no-location?force=norfolk&date=2024-06").array
            #expect(none.count == 1)
            #expect(none.first?["location"] == .null && none.first?["involved_person"] == .bool(false))
            #expect(
                none.first?["operation"] == .bool(true) && none.first?["operation_name"] == .string("Operation Ember"))
            #expect(none.first?["outcome_object"]?["id"] == .string("bu-arrest"))
            #expect(try await app.json("/api/stops-force?force=norfolk").array.count == 3)
            let locationID = try #require(stop["location"]?["street"]?["id"]?.integer)
            #expect(
                try await app.json("/api/stops-at-location?location_id=\(locationID)&date=2024-06").array.count == 1)
        }
    }

    @Test("forces, categories, dates, last update, and areas as neighbourhoods")
    func reference() async throws {
        try await withTestApp { app in
            try await PoliceAPIData.load(app)
            let forces = try await app.json("/api/forces").array
            #expect(forces.contains { $0["id"] == .string("norfolk") && $0["name"] == .string("Norfolk Constabulary") })
            #expect(try await app.json("/api/forces/norfolk")["name"] == .string("Norfolk Constabulary"))
            #expect(try await app.json("/api/forces/norfolk/people") == .array([]))
            let categories = try await app.json("/api/crime-categories?date=2024-06").array
            #expect(categories.first?["url"] == .string("all-crime"))
            #expect(
                categories.contains {
                    $0["url"] == .string("violent-crime") && $0["name"] == .string("Violence and sexual offences")
                })
            let dates = try await app.json("/api/crimes-street-dates").array
            #expect(dates.map { $0["date"]?.string } == ["2024-06", "2024-05"])
            #expect(dates.first?["stop-and-search"] == .array([.string("norfolk")]))
            #expect(dates.last?["stop-and-search"] == .array([]))
            #expect(try await app.json("/api/crime-last-updated") == .object(["date": .string("2024-06-01")]))

            _ = try await AreaStore().create(
                AreaDraft(
                    name: "Norwich city centre", kind: .radius, forceID: "norfolk",
                    shape: .circle(
                        centre: BritishNationalGrid.grid(from: GeoPoint(longitude: 1.2974, latitude: 52.6309)),
                        radius: 800),
                    radius: 800),
                on: app.db)
            #expect(
                try await app.json("/api/norfolk/neighbourhoods")
                    == .array([.object(["id": .string("norwich-city-centre"), "name": .string("Norwich city centre")])])
            )
            let located = try await app.json("/api/locate-neighbourhood?q=52.6309,1.2974")
            #expect(located == .object(["force": .string("norfolk"), "neighbourhood": .string("norwich-city-centre")]))
            let detail = try await app.json("/api/norfolk/norwich-city-centre")
            #expect(detail["centre"]?["latitude"]?.string?.hasPrefix("52.630") == true)
            let boundary = try await app.json("/api/norfolk/norwich-city-centre/boundary").array
            #expect(boundary.count > 90)
            #expect(try await app.json("/api/norfolk/norwich-city-centre/priorities") == .array([]))
            _ = try await app.json("/api/suffolk/norwich-city-centre", status: .notFound)
        }
    }
}

@Suite("police.uk-compatible API over a real connection")
struct PoliceAPIStreamTests {
    @Test("an answer larger than one chunk is streamed whole: 3,000 crimes by polygon over HTTP")
    func largeAnswer() async throws {
        try await withTestApp { app in
            // 3,000 crimes on a 60 × 50 lattice of map points round Norwich.
            let rows = (0..<3000).map { (n: Int) -> String in
                let lon: Double = 1.25 + Double(n % 60) * 0.001
                let lat: Double = 52.60 + Double(n / 60) * 0.001
                return PoliceCSV.crime(
                    0x10000 + n, lon: String(format: "%.6f", lon), lat: String(format: "%.6f", lat),
                    location: "On or near Street \(n % 60)")
            }
            _ = try await app.importFiles(
                try app.write(PoliceCSV.file(PoliceCSV.street, rows), to: "2024-06-norfolk-street.csv"))
            try await Browser.serving(app) { port in
                let response = try await app.client.get(
                    URI(
                        string:
                            "http://127.0.0.1:\(port)/api/crimes-street/all-crime?poly=52.59,1.24:52.59,1.32:52.66,1.32:52.66,1.24"
                    ))
                #expect(response.status == .ok)
                let body = try #require(response.body)
                #expect(body.readableBytes > PoliceAPIBody.chunk, "the answer spans several chunks")
                #expect(response.headers.first(name: .transferEncoding) == "chunked")
                let crimes = try JSONValue.parse(Data(buffer: body)).array
                #expect(crimes.count == 3000)
                #expect(Set(crimes.compactMap { $0["persistent_id"]?.string }).count == 3000)
            }
        }
    }
}
