import Analytics
import CrimeData
import Testing

/// Values that once stopped the process in a precondition now give an answer.
@Suite("no trap on damaged or mismatched inputs")
struct NoTrapTests {
    @Test(
        "a negative or NaN weighted count is 0; a zero or NaN scale is 1; mismatched series are not estimable; a tiny circle is 1 m"
    )
    func totals() {
        let w = WeightedCount(value: -3, variance: .nan)
        #expect(w.value == 0 && w.variance == 0)
        let counts = EvaluationCounts(8, 4, 6, 5, 100, 90, 80, 85)
        let m = DisplacementMeasures(counts, controlScale: 0, bufferControlScale: .nan)
        #expect(m.controlScale == 1 && m.bufferControlScale == 1)
        if case .notEstimable = PoissonDiD.estimate(
            treated: [1, 2, 3], comparison: [1, 2], during: [false, true, true])
        {
        } else {
            Issue.record("mismatched series gave an estimate")
        }
        let c = AreaShape.circle(centre: GridPoint(easting: 600_000, northing: 300_000), radius: -5, segments: 2)
        #expect(c.polygons[0][0].count == 8)
        #expect(c.bounds.maxEasting - c.bounds.minEasting > 1.9)
    }

    @Test("a count comparison and a density surface answer for any input instead of trapping")
    func countsAndDensity() throws {
        #expect(CountComparison(current: -3, baseline: 5).current == 0)
        #expect(CountComparison(current: 4, baseline: 5, exposureRatio: 0).p == 1)
        #expect(CountComparison(current: 4, baseline: 5, exposureRatio: .nan).rateRatio == nil)
        #expect(CountComparison(current: Int.max, baseline: Int.max).p == 1)
        #expect(CountComparison.binomialTwoSidedP(k: 7, n: 3, p: 0.5) == 1)
        #expect(CountComparison.binomialTwoSidedP(k: 1, n: 3, p: 1) == 1)
        // Valid input is unchanged: scipy.stats.binomtest(3, 10, 0.5).pvalue = 0.34375.
        #expect(abs(CountComparison.binomialTwoSidedP(k: 3, n: 10, p: 0.5) - 0.34375) < 1e-12)
        let grid = try Grid(cellSize: 100, minColumn: 0, minRow: 0, columns: 3, rows: 2)
        #expect(KernelDensity.surface(points: [], grid: grid, bandwidth: .nan) == [Double](repeating: 0, count: 6))
        #expect(KernelDensity.surface(points: [], grid: grid, bandwidth: -1) == [Double](repeating: 0, count: 6))
    }

    @Test("a grid, shape, band or Gi* input that cannot be is refused with a sentence, not a trap")
    func refusedNotTrapped() throws {
        let p = GridPoint(easting: 600_000, northing: 300_000)
        #expect(throws: AnalyticsInputError.self) {
            try Grid(cellSize: 0, minColumn: 0, minRow: 0, columns: 3, rows: 2)
        }
        #expect(throws: AnalyticsInputError.self) {
            try Grid(cellSize: 100, minColumn: 0, minRow: 0, columns: 0, rows: 2)
        }
        #expect(throws: AnalyticsInputError.self) {
            try Grid(cellSize: .nan, minColumn: 0, minRow: 0, columns: 3, rows: 2)
        }
        #expect(throws: AnalyticsInputError.self) {
            try Grid(
                cellSize: 100, covering: Extent(minEasting: 0, minNorthing: 0, maxEasting: .infinity, maxNorthing: 1))
        }
        #expect(throws: AnalyticsInputError.self) {
            try Grid(cellSize: 1e-300, covering: Extent(minEasting: 0, minNorthing: 0, maxEasting: 1, maxNorthing: 1))
        }
        #expect(throws: AnalyticsInputError.self) { try AreaShape(polygons: []) }
        #expect(throws: AnalyticsInputError.self) { try AreaShape(polygons: [[[p, p]]]) }
        #expect(throws: AnalyticsInputError.self) { try AreaShape(polygons: [[]]) }
        #expect(throws: AnalyticsInputError.self) { try DistanceBand(cellSize: 0, band: 100) }
        #expect(throws: AnalyticsInputError.self) { try DistanceBand(cellSize: 100, band: -1) }
        #expect(throws: AnalyticsInputError.self) { try DistanceBand(cellSize: 100, band: .nan) }
        #expect(throws: AnalyticsInputError.self) { try DistanceBand(cellSize: 1, band: 1e9) }
        let band = try DistanceBand.default(cellSize: 100)
        #expect(throws: AnalyticsInputError.self) {
            try GetisOrd.giStar(values: [1, 2, 3], columns: 2, rows: 2, band: band)
        }
        #expect(throws: AnalyticsInputError.self) {
            try GetisOrd.giStar(values: [1, 2, 3, 4], columns: 2, rows: 2, band: band, mask: [true])
        }
        // Valid input still answers.
        #expect(try GetisOrd.giStar(values: [1, 2, 3, 4], columns: 2, rows: 2, band: band).z.count == 4)
    }
}
