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
}
