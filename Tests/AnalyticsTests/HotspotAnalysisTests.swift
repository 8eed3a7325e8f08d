import Analytics
import Testing

@Suite("grid, hot-spot analysis, kernel density and concentration")
struct HotspotAnalysisTests {
    @Test("cells are aligned on the national grid origin and named the same in every grid")
    func gridAlignment() throws {
        let a = try Grid(
            cellSize: 150,
            covering: Extent(minEasting: 622_010, minNorthing: 308_100, maxEasting: 623_000, maxNorthing: 309_000))
        let b = try Grid(
            cellSize: 150,
            covering: Extent(minEasting: 600_000, minNorthing: 300_000, maxEasting: 630_000, maxNorthing: 310_000))
        let ia = a.index(easting: 622_832, northing: 308_540)!
        let ib = b.index(easting: 622_832, northing: 308_540)!
        #expect(a.cellID(ia) == b.cellID(ib))
        #expect(a.cellID(ia) == "150m:4152:2056")
        #expect(a.origin(of: ia) == (622_800, 308_400))
        #expect(a.index(easting: 500_000, northing: 308_540) == nil)
    }

    @Test("automatic cell size: a 7.5 km town centre gets 150 m, a county about 1.4 km")
    func automaticCellSize() throws {
        #expect(
            Grid.automaticCellSize(for: Extent(minEasting: 0, minNorthing: 0, maxEasting: 9000, maxNorthing: 7500))
                == 150)
        #expect(
            Grid.automaticCellSize(for: Extent(minEasting: 0, minNorthing: 0, maxEasting: 100_000, maxNorthing: 70_000))
                == 1400)
        #expect(
            Grid.automaticCellSize(for: Extent(minEasting: 0, minNorthing: 0, maxEasting: 500, maxNorthing: 500)) == 50)
    }

    @Test("a planted cluster is hot after FDR, a dominant map point is flagged, the sea is left out")
    func analysis() throws {
        let grid = try Grid(cellSize: 100, minColumn: 0, minRow: 0, columns: 40, rows: 40)
        var rng = SplitMix(seed: 11)
        var points: [MapPoint] = []
        for i in 0..<grid.cellCount {
            let (e, n) = grid.centre(of: i)
            guard e < 3000 else { continue }  // east of 3 km is sea: no map points
            points.append(MapPoint(easting: e, northing: n, count: Double(rng.next() % 3)))
        }
        // A busy 3 × 3 block, three map points per cell, and one shopping-centre map point
        // dominating its cell.
        for dx in -1...1 {
            for dy in -1...1 {
                for k in 1...3 {
                    let offset = Double(k) * 20 - 40
                    points.append(
                        MapPoint(easting: 1050 + Double(dx) * 100 + offset, northing: 1030 + Double(dy) * 100, count: 4)
                    )
                }
            }
        }
        points.append(MapPoint(easting: 2520, northing: 2520, count: 60))
        let mask = HotspotAnalysis.occupiedMask(grid: grid, reference: points.map { ($0.easting, $0.northing) })
        let result = try HotspotAnalysis.run(
            points: points, grid: grid, parameters: HotspotParameters(cellSize: 100), mask: mask)
        #expect(result.cells.count == 30 * 40)
        #expect(result.neighbourhoodCells == 9)
        let centre = result.cells.first { $0.index == grid.index(easting: 1050, northing: 1050)! }!
        #expect(centre.hotspotClass == .hot99)
        #expect(!centre.dominatedByOnePoint)
        let mall = result.cells.first { $0.index == grid.index(easting: 2520, northing: 2520)! }!
        #expect(mall.hotspotClass.isHot)
        #expect(mall.dominatedByOnePoint)
        #expect(result.cells.filter { $0.hotspotClass.isHot }.count < 40)
        #expect(result.cells.allSatisfy { $0.adjustedP >= $0.p * (1 - 1e-12) })
    }

    @Test("quartic kernel density and the ArcGIS bandwidth rule equal a brute-force numpy computation")
    func kernelDensity() throws {
        let points = try Fixture.lines("kde-points").dropFirst().map {
            MapPoint(easting: Double($0[0])!, northing: Double($0[1])!, count: Double($0[2])!)
        }
        let lines = try Fixture.lines("kde-surface")
        let expectedBandwidth = Double(lines[1][0])!
        let h = try #require(KernelDensity.bandwidth(points: points, minimum: 1))
        #expect(close(h, expectedBandwidth, 1e-9 * expectedBandwidth))
        let grid = try Grid(cellSize: 100, minColumn: 6000, minRow: 3000, columns: 40, rows: 30)
        let surface = KernelDensity.surface(points: points, grid: grid, bandwidth: h)
        for r in lines.dropFirst(3) {
            let (e, n, d) = (Double(r[0])!, Double(r[1])!, Double(r[2])!)
            let i = try #require(grid.index(easting: e, northing: n))
            #expect(close(surface[i], d, 1e-12 + 1e-9 * d), "(\(e), \(n))")
        }
        // A single point's surface holds its count (a fine grid sums to about 1).
        let one = KernelDensity.surface(
            points: [MapPoint(easting: 5000, northing: 5000, count: 1)],
            grid: try Grid(cellSize: 10, minColumn: 400, minRow: 400, columns: 200, rows: 200), bandwidth: 300)
        #expect(close(one.reduce(0, +) * 100, 1, 1e-3))
    }

    @Test("concentration: shares of incidents in the top 1%, 5% and 10% of places, zeros counted")
    func concentration() {
        var counts = [Double](repeating: 0, count: 100)
        counts[0] = 50; counts[1] = 20; counts[2] = 10; counts[3] = 10
        for i in 4..<14 { counts[i] = 1 }
        let c = Concentration(counts: counts)
        #expect(c.places == 100 && c.total == 100)
        #expect(c.shares.map(\.places) == [1, 5, 10])
        #expect(c.shares.map(\.share) == [0.5, 0.91, 0.96])
        #expect(c.placesForHalf == 0.01)
    }
}
