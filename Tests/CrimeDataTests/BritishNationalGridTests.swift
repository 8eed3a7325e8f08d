import CrimeData
import Foundation
import Testing

/// Reference points from pyproj (PROJ 9.5, Helmert EPSG:1314 + British National Grid):
/// see `scripts/fixtures/bng_reference.py`, which wrote `Fixtures/bng-reference.csv`.
@Suite("WGS84 ↔ British National Grid")
struct BritishNationalGridTests {
    struct Reference {
        var geo: GeoPoint
        var grid: GridPoint
    }

    static func references() throws -> [Reference] {
        let url = try #require(
            Bundle.module.url(forResource: "bng-reference", withExtension: "csv", subdirectory: "Fixtures"))
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let v = line.split(separator: ",").map { Double($0)! }
            return Reference(
                geo: GeoPoint(longitude: v[0], latitude: v[1]), grid: GridPoint(easting: v[2], northing: v[3]))
        }
    }

    @Test("forward agrees with PROJ within 0.5 m at every reference point")
    func forward() throws {
        let refs = try Self.references()
        #expect(refs.count > 500)
        var worst = 0.0
        var worstAt = refs[0].geo
        var inGB = 0.0
        for r in refs {
            let error = BritishNationalGrid.grid(from: r.geo).distance(to: r.grid)
            if error > worst { (worst, worstAt) = (error, r.geo) }
            inGB = max(inGB, error)
        }
        #expect(worst < 0.5, "worst error \(worst) m at \(worstAt)")
        // In practice the two agree to millimetres (the OS series against PROJ's exact
        // Transverse Mercator); 5 mm leaves room for platform maths differences.
        #expect(inGB < 0.005, "worst error \(inGB) m")
    }

    @Test("inverse agrees with PROJ within 0.5 m at every reference point")
    func inverse() throws {
        var worst = 0.0
        for r in try Self.references() {
            let back = BritishNationalGrid.geo(from: r.grid)
            // Compare in metres by projecting both back to the grid.
            let dLat = (back.latitude - r.geo.latitude) * 111_320
            let dLon = (back.longitude - r.geo.longitude) * 111_320 * cos(r.geo.latitude * .pi / 180)
            worst = max(worst, (dLat * dLat + dLon * dLon).squareRoot())
        }
        #expect(worst < 0.5, "worst error \(worst) m")
    }

    @Test("Norwich city centre lands where the Ordnance Survey puts it")
    func norwich() {
        let g = BritishNationalGrid.grid(from: GeoPoint(longitude: 1.2974, latitude: 52.6309))
        #expect(abs(g.easting - 623_243.56) < 0.05)
        #expect(abs(g.northing - 308_787.53) < 0.05)
    }
}
