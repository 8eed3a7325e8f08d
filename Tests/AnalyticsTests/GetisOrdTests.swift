import Analytics
import Testing

@Suite("Getis-Ord Gi* against PySAL esda")
struct GetisOrdTests {
    /// Runs a fixture written by `gistar_case` and returns (expected, computed) z-scores.
    func run(_ name: String) throws -> (expected: [Double], actual: GetisOrd.Result, band: DistanceBand) {
        let lines = try Fixture.lines(name)
        let (columns, rows) = (Int(lines[1][0])!, Int(lines[1][1])!)
        let band = try DistanceBand(cellSize: Double(lines[1][2])!, band: Double(lines[1][3])!)
        let cells = lines.dropFirst(3)
        let values = cells.map { Fixture.double($0[1]) }
        let mask = cells.map { $0[2] == "1" }
        let gi = try GetisOrd.giStar(values: values, columns: columns, rows: rows, band: band, mask: mask)
        return (cells.map { Fixture.double($0[3]) }, gi, band)
    }

    @Test("counts, 9-cell band, cells outside the study area left out: equal to esda to 1e-9")
    func nineCells() throws {
        let (expected, gi, band) = try run("gistar-9")
        #expect(band.cellCount == 9)
        #expect(gi.n == expected.filter { !$0.isNaN }.count)
        for (i, e) in expected.enumerated() {
            #expect(close(gi.z[i], e, 1e-9), "cell \(i): \(gi.z[i]) vs esda \(e)")
        }
    }

    @Test("non-integer values, 13-cell band, on 1 and 4 threads: equal to esda to 1e-9")
    func thirteenCells() throws {
        let (expected, gi, band) = try run("gistar-13")
        #expect(band.cellCount == 13)
        #expect(band.halfWidths == [0, 1, 2, 1, 0])
        for (i, e) in expected.enumerated() {
            #expect(close(gi.z[i], e, 1e-9), "cell \(i): \(gi.z[i]) vs esda \(e)")
        }
        let lines = try Fixture.lines("gistar-13")
        let values = lines.dropFirst(3).map { Fixture.double($0[1]) }
        let one = try GetisOrd.giStar(values: values, columns: 31, rows: 29, band: band, threads: 1)
        let four = try GetisOrd.giStar(values: values, columns: 31, rows: 29, band: band, threads: 4)
        #expect(one.z == four.z)
    }

    @Test("a flat surface has no hot spots: every z is NaN, not a division by zero")
    func flat() throws {
        let gi = try GetisOrd.giStar(
            values: [Double](repeating: 3, count: 100), columns: 10, rows: 10,
            band: try .default(cellSize: 100))
        #expect(gi.z.allSatisfy { $0.isNaN })
    }

    @Test("band geometry: √2 × cell is the 3 × 3 block; just under one cell is the cell alone")
    func bands() throws {
        #expect(try DistanceBand.default(cellSize: 150).cellCount == 9)
        #expect(try DistanceBand(cellSize: 150, band: 149).cellCount == 1)
        #expect(try DistanceBand(cellSize: 150, band: 150).cellCount == 5)
        #expect(try DistanceBand(cellSize: 100, band: 300).cellCount == 29)
    }
}
