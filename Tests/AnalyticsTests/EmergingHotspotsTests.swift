import Analytics
import Testing

@Suite("emerging hot-spot classes")
struct EmergingHotspotsTests {
    typealias Pattern = EmergingHotspots.Pattern

    /// A Mann-Kendall result for a z series that rises, falls or stays flat.
    func trend(_ direction: Int) -> MannKendall {
        switch direction {
        case 1: MannKendall((0..<10).map(Double.init))
        case -1: MannKendall((0..<10).map { -Double($0) })
        default: MannKendall([Double](repeating: 1, count: 10))
        }
    }

    /// Worked examples of each definition (ESRI, "How Emerging Hot Spot Analysis works"),
    /// ten time steps, oldest first: +1 hot bin, −1 cold bin, 0 neither.
    @Test(
        "each definition on a worked example",
        arguments: [
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0, Pattern.newHot),
            ([0, 0, 0, -1, 0, 0, 0, 0, 0, 1], 0, .newHot),
            ([0, 0, 0, 0, 0, 0, 0, 1, 1, 1], 0, .consecutiveHot),
            ([1, 0, 0, 0, 0, 0, 0, 1, 1, 1], 0, .sporadicHot),
            ([0, 1, 0, 1, 0, 0, 1, 0, 0, 1], 0, .sporadicHot),
            ([1, 0, -1, 0, 0, 0, 0, 0, 1, 1], 0, .oscillatingHot),
            ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 1, .intensifyingHot),
            ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0, .persistentHot),
            ([1, 1, 1, 0, 1, 1, 1, 1, 1, 1], -1, .diminishingHot),
            ([1, 1, 1, 1, 1, 1, 1, 1, 1, 0], 0, .historicalHot),
            ([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], 0, .noPattern),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0, .noPattern),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, -1], 0, .newCold),
            ([0, 0, 0, 0, 0, 0, 0, 0, -1, -1], 0, .consecutiveCold),
            ([-1, -1, -1, -1, -1, -1, -1, -1, -1, -1], -1, .intensifyingCold),
            ([-1, -1, -1, -1, -1, -1, -1, -1, -1, -1], 1, .diminishingCold),
            ([-1, -1, -1, -1, -1, -1, -1, -1, -1, -1], 0, .persistentCold),
            ([-1, 0, 1, 0, 0, 0, 0, 0, -1, -1], 0, .oscillatingCold),
            ([-1, -1, -1, -1, -1, -1, -1, -1, -1, 0], 0, .historicalCold),
        ])
    func definitions(bins: [Int], direction: Int, expected: Pattern) throws {
        let got = EmergingHotspots.classify(bins: bins.map(Int8.init), trend: trend(direction))
        #expect(got == expected, "\(bins) trend \(direction)")
    }

    @Test("end to end against esda Gi* per month, statsmodels BH, pymannkendall and ESRI's definitions")
    func golden() throws {
        let lines = try Fixture.lines("emerging")
        let (columns, rows, size, steps) = (
            Int(lines[1][0])!, Int(lines[1][1])!, Double(lines[1][2])!, Int(lines[1][3])!
        )
        let cells = Array(lines.dropFirst(3))
        let series = (0..<steps).map { t in cells.map { Double($0[1 + t])! } }
        let grid = try Grid(cellSize: size, minColumn: 0, minRow: 0, columns: columns, rows: rows)
        let results = try EmergingHotspots.run(
            series: series, grid: grid, parameters: .init(hotspot: HotspotParameters(cellSize: size)))
        #expect(results.count == cells.count)
        var patterns = Set<Pattern>()
        for (r, row) in zip(results, cells) {
            #expect(r.index == Int(row[0])!)
            #expect(r.hotSteps == Int(row[1 + steps])!, "cell \(r.index) hot steps")
            #expect(r.coldSteps == Int(row[2 + steps])!, "cell \(r.index) cold steps")
            #expect(close(r.trend.z, Double(row[3 + steps])!, 1e-9), "cell \(r.index) Mann-Kendall z")
            #expect(r.pattern.rawValue == row[4 + steps], "cell \(r.index): \(r.pattern.rawValue) vs \(row[4 + steps])")
            patterns.insert(r.pattern)
        }
        #expect(patterns.count >= 4, "the fixture exercises several classes")
    }

    @Test("on a grid: a cluster that appears in the last three months is consecutive; a constant one persistent")
    func endToEnd() throws {
        let grid = try Grid(cellSize: 100, minColumn: 0, minRow: 0, columns: 30, rows: 30)
        var rng = SplitMix(seed: 7)
        let series: [[Double]] = (0..<12).map { month in
            (0..<grid.cellCount).map { i in
                let (c, r) = grid.cell(i)
                var v = Double(rng.next() % 3)
                if abs(c - 6) <= 1 && abs(r - 6) <= 1 { v += 14 }  // always hot
                if month >= 9 && abs(c - 22) <= 1 && abs(r - 21) <= 1 { v += 14 }  // new in the last 3
                return v
            }
        }
        let results = try EmergingHotspots.run(
            series: series, grid: grid, parameters: .init(hotspot: HotspotParameters(cellSize: 100)))
        let byIndex = Dictionary(uniqueKeysWithValues: results.map { ($0.index, $0) })
        let persistent = byIndex[6 * 30 + 6]!.pattern
        #expect([.persistentHot, .intensifyingHot, .diminishingHot].contains(persistent), "\(persistent)")
        #expect(byIndex[21 * 30 + 22]!.pattern == .consecutiveHot)
        #expect(byIndex[28 * 30 + 2]!.pattern == .noPattern || byIndex[28 * 30 + 2]!.pattern.isCold)
        #expect(Pattern.newHot.label == "New hot spot")
    }
}

/// A small seeded generator so test data is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
