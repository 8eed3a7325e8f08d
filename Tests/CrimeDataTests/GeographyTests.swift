import CrimeData
import Testing

@Suite("bundled ONS geography")
struct GeographyTests {
    @Test("every LSOA in England and Wales, with parents, centroid and population")
    func bundled() throws {
        let lsoas = try LSOAReference.bundled()
        #expect(lsoas.count == 34_753)
        #expect(Set(lsoas.map(\.code)).count == 34_753)
        let first = try #require(lsoas.first { $0.code == "E01020634" })
        #expect(first.name == "County Durham 001A")
        #expect(first.population == 1_563)
        #expect(first.households == 666)
        let norfolk = lsoas.filter { $0.policeForce == "Norfolk" }
        #expect(norfolk.count == 538)
        #expect(norfolk.allSatisfy { $0.centroid.easting > 540_000 && $0.centroid.northing > 270_000 })
        #expect(lsoas.reduce(0) { $0 + $1.population } == 56_075_912)
    }
}
