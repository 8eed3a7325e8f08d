import CrimeData
import Testing

@Suite("police.uk formats")
struct PoliceFormatTests {
    @Test("each of the four layouts is recognised by its exact header")
    func detect() {
        for kind in PoliceFileKind.allCases {
            #expect(PoliceFileKind.detect(header: kind.header) == kind)
        }
        #expect(PoliceFileKind.detect(header: ["Crime ID", "Month"]) == nil)
        #expect(PoliceFileKind.detect(header: PoliceFileKind.street.header.map { " \($0) " }) == .street)
    }

    func decodeStreet(_ line: String) throws(RowError) -> (id: String, month: Int, lon: Double?, type: String) {
        var result: Result<(String, Int, Double?, String), RowError>?
        let parser = CSVParser { row in
            do {
                let r = try PoliceRowDecoder.street(row)
                result = .success(
                    (
                        String(decoding: r.crimeID, as: UTF8.self), r.month, r.position?.longitude,
                        String(decoding: r.crimeType, as: UTF8.self)
                    ))
            } catch {
                result = .failure(error as! RowError)
            }
        }
        try! Array(line.utf8).withUnsafeBytes { try parser.feed($0) }
        try! parser.finish()
        return try result!.get()
    }

    @Test("street rows: crimes, ASB without an ID, no location")
    func streetRows() throws {
        let id = String(repeating: "ab", count: 32)
        let crime = try decodeStreet(
            "\(id),2016-07,West Yorkshire Police,West Yorkshire Police,-1.670108,53.553629,On or near Huddersfield Road,E01007426,Barnsley 027D,Vehicle crime,Investigation complete; no suspect identified,"
        )
        #expect(crime.month == 201_607)
        #expect(crime.lon == -1.670108)
        #expect(crime.type == "Vehicle crime")
        let asb = try decodeStreet(
            ",2016-07,West Yorkshire Police,West Yorkshire Police,-1.550626,53.597400,On or near Swithen Hill,E01007359,Barnsley 005C,Anti-social behaviour,,"
        )
        #expect(asb.id == "")
        let noLocation = try decodeStreet(
            "\(id),2016-07,West Yorkshire Police,West Yorkshire Police,,,No location,,,Other crime,Under investigation,"
        )
        #expect(noLocation.lon == nil)
    }

    @Test("street rows that are refused, with a reason a person can act on")
    func badStreetRows() {
        let good = "aaaa,2016-07,F,F,-1.5,53.5,L,E01007359,N,Burglary,,"
        let cases: [(String, String)] = [
            (good, "Crime ID"),
            (",2016-7,F,F,-1.5,53.5,L,E01007359,N,Burglary,,", "Month"),
            (",2016-13,F,F,-1.5,53.5,L,E01007359,N,Burglary,,", "Month"),
            (",2016-07,F,,-1.5,53.5,L,E01007359,N,Burglary,,", "Falls within"),
            (",2016-07,F,F,-1.5,,L,E01007359,N,Burglary,,", "Longitude/Latitude"),
            (",2016-07,F,F,-1.5,95,L,E01007359,N,Burglary,,", "Longitude/Latitude"),
            (",2016-07,F,F,-1.5,53.5,L,Barnsley,N,Burglary,,", "LSOA code"),
            (",2016-07,F,F,-1.5,53.5,L,E01007359,N,,,", "Crime type"),
            (",2016-07,F,F", "expected 12 fields"),
        ]
        for (line, expected) in cases {
            do {
                _ = try decodeStreet(line)
                Issue.record("accepted: \(line)")
            } catch {
                #expect(error.reason.contains(expected), "\(line) → \(error.reason)")
            }
        }
    }

    @Test("decimal parsing is exact for police.uk coordinates")
    func decimals() {
        for text in ["-1.550626", "53.597400", "0", "-0.5", "1.2974", "180", "+2.5", "1e3"] {
            let parsed = Array(text.utf8).withUnsafeBufferPointer { ByteParsing.decimal($0) }
            #expect(parsed == Double(text), "\(text)")
        }
        for bad in ["", "-", "1.2.3", "abc", "."] {
            #expect(Array(bad.utf8).withUnsafeBufferPointer { ByteParsing.decimal($0) } == nil, "\(bad)")
        }
    }

    @Test("categories map to police.uk API slugs; unknown names get a slug")
    func categories() {
        #expect(CrimeCategory.slug(forName: "Violence and sexual offences") == "violent-crime")
        #expect(CrimeCategory.slug(forName: "Anti-social behaviour") == "anti-social-behaviour")
        #expect(CrimeCategory.slug(forName: "Fraud & forgery (new)") == "fraud-forgery-new")
    }

    @Test("the force comes from a police.uk file name")
    func forceFromFileName() {
        #expect(PoliceForce.forName("West Yorkshire Police").id == "west-yorkshire")
        #expect(PoliceForce.forName("Norfolk Constabulary").id == "norfolk")
    }
}
