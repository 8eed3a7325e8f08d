import Testing

@testable import Analytics

/// The XmR chart and Making Data Count's rules. The published example comes from R
/// (`scripts/fixtures/spc_reference.R`); the rule cases are built by hand so that each
/// triggers one rule, worked out in the comments. Every case but the first fixes the limits
/// from a 12-point baseline alternating 11, 9 (mean 10, mean moving range 2): process limits
/// 10 ± 5.32 = 4.68 and 15.32, near limits 10 ± 3.5467 = 6.4533 and 13.5467.
@Suite("SPC: XmR limits and special-cause rules")
struct SPCTests {
    static let baseline: [Double] = Array(repeating: [11.0, 9.0], count: 6).flatMap { $0 }

    func chart(_ tail: [Double]) -> SPC.Chart { SPC.chart(Self.baseline + tail, fixAfter: 12) }

    @Test("the NHSRplotthedots example: set.seed(123); rnorm(20) gives mean 0.1416238, limits −3.01138 and 3.294627")
    func publishedExample() throws {
        let values = try Fixture.lines("spc-rnorm20").dropFirst().map { Fixture.double($0[0]) }
        let expected = try Fixture.lines("spc-rnorm20-limits")[1].map(Fixture.double)
        #expect(values.count == 20)
        let c = SPC.chart(values)
        let l = try #require(c.latestLimits)
        #expect(close(l.mean, expected[0], 1e-12))
        #expect(close(l.meanMovingRange, expected[1], 1e-12))
        #expect(close(l.lower, expected[2], 1e-12) && close(l.upper, expected[3], 1e-12))
        #expect(close(l.lowerNear, expected[4], 1e-12) && close(l.upperNear, expected[5], 1e-12))
        // The published figures, as printed.
        #expect(abs(l.mean - 0.1416238) < 5e-8)
        #expect(abs(l.lower - -3.01138) < 5e-6 && abs(l.upper - 3.294627) < 5e-7)
        // Every point is common cause: the longest run on one side is 3, no 7-point trend,
        // and the one point beyond a near limit (−1.967, index 17) has neighbours above the mean.
        #expect(c.causes.allSatisfy { $0 == nil })
        #expect(c.segments.count == 1 && !c.segments[0].trial)
        #expect(c.variation(.up) == .commonCause)
    }

    @Test("the baseline alone is common cause, with the limits worked above")
    func baselineLimits() throws {
        let c = chart([])
        let l = try #require(c.latestLimits)
        #expect(l.mean == 10 && l.meanMovingRange == 2)
        #expect(close(l.upper, 15.32, 1e-12) && close(l.lower, 4.68, 1e-12))
        #expect(close(l.upperNear, 10 + 2 * 2.66 / 3 * 2, 1e-12))
        #expect(c.causes.allSatisfy { $0 == nil })
    }

    @Test("a point strictly beyond a limit, and only that point")
    func outside() throws {
        // 16 > 15.32. Sides alternate (no run of 7), steps alternate (no trend), no point is
        // between a near limit and a limit.
        let c = chart([10.5, 9.5, 16, 9.5])
        #expect(c.causes[14] == .outside(high: true))
        #expect(c.causes.enumerated().filter { $0.element != nil }.map(\.offset) == [14])
        // On the limit is not beyond it.
        let upper = try #require(chart([]).latestLimits).upper
        let onLimit = chart([10.5, 9.5, upper, 9.5])
        #expect(onLimit.causes[14] == nil)
        #expect(chart([10.5, 4.0, 10.5]).causes[13] == .outside(high: false))
    }

    @Test("a shift: 7 points on one side of the mean, all flagged; a point on the mean breaks it")
    func shift() {
        // Index 11 is 9 (below); indexes 12…18 are above 10 with alternating steps (no trend).
        let c = chart([10.5, 10.2, 10.8, 10.1, 10.6, 10.3, 10.9])
        #expect((12...18).allSatisfy { c.causes[$0] == .shift(high: true) })
        #expect(c.causes[0..<12].allSatisfy { $0 == nil })
        // Six above, then one on the mean, then more above: runs of 3 and 4, no shift.
        let broken = chart([10.5, 10.2, 10.8, 10.0, 10.6, 10.3, 10.9, 10.4])
        #expect(broken.causes.allSatisfy { $0 == nil })
        // Six is not enough.
        #expect(chart([10.5, 10.2, 10.8, 10.1, 10.6, 10.3, 9]).causes.allSatisfy { $0 == nil })
    }

    @Test("a trend: 7 points each strictly above the one before, all flagged; a tie breaks it")
    func trend() {
        // 8.5 (a fall from 9) starts a rise of 7 points to 10.6, then 10.0 falls. Below the
        // mean run: indexes 11…16 = 6 points, so no shift; nothing near a limit.
        let c = chart([8.5, 8.6, 8.8, 9.2, 9.7, 10.3, 10.6, 10.0])
        #expect((12...18).allSatisfy { c.causes[$0] == .trend(increasing: true) })
        #expect(c.causes[19] == nil && c.causes[11] == nil)
        let tie = chart([8.5, 8.6, 8.8, 8.8, 9.7, 10.3, 10.6, 10.0])
        #expect(tie.causes.allSatisfy { $0 == nil })
        // Falling, crossing the mean: a trend may cross it.
        let down = chart([11.5, 11.2, 10.8, 10.4, 9.9, 9.5, 9.1, 10])
        #expect((12...18).allSatisfy { down.causes[$0] == .trend(increasing: false) })
    }

    @Test("two in three: two of three consecutive points near the limit, all three on one side; only the near ones")
    func twoInThree() {
        // 14 and 14.5 are between 13.5467 and 15.32; 12 is above the mean but not near.
        let c = chart([14, 12, 14.5, 10.5, 9])
        #expect(c.causes[12] == .twoInThree(high: true) && c.causes[14] == .twoInThree(high: true))
        #expect(c.causes[13] == nil && c.causes[15] == nil)
        // The middle point below the mean: the three are not on one side, no flag.
        #expect(chart([14, 9.5, 14.5, 9]).causes.allSatisfy { $0 == nil })
        // Below: 6 and 6.2 are between 4.68 and 6.4533.
        let low = chart([6, 6.2, 9, 11])
        #expect(low.causes[12] == .twoInThree(high: false) && low.causes[13] == .twoInThree(high: false))
    }

    @Test("precedence: outside, then trend, then two in three, then shift")
    func precedence() {
        // A rise of 7 ending beyond the limit: the last point is outside, the rest trend.
        let a = chart([8.5, 9, 9.5, 10, 11, 12, 16])
        #expect((12...17).allSatisfy { a.causes[$0] == .trend(increasing: true) })
        #expect(a.causes[18] == .outside(high: true))
        // A rise of 7 whose last two are near the limit: trend wins over two in three.
        let b = chart([8.5, 9, 9.5, 10, 11, 13.8, 14.2])
        #expect((12...18).allSatisfy { b.causes[$0] == .trend(increasing: true) })
        // Seven above with two near: two in three on those two, shift on the others.
        let c = chart([10.5, 14, 10.2, 13.9, 10.4, 10.6, 10.3])
        #expect(c.causes[13] == .twoInThree(high: true) && c.causes[15] == .twoInThree(high: true))
        #expect([12, 14, 16, 17, 18].allSatisfy { c.causes[$0] == .shift(high: true) })
    }

    @Test("rebasing starts new limits; fewer than 12 points are trial limits")
    func rebaseAndTrial() throws {
        let before = Self.baseline
        let after = before.map { $0 + 10 }
        let one = SPC.chart(before + after)
        // One set of limits (mean 15): every point is special cause, low before the step and
        // high after it (shifts, and two in three where a point is near a limit).
        #expect(one.causes[..<12].allSatisfy { $0?.high == false } && one.causes[12...].allSatisfy { $0?.high == true })
        let two = SPC.chart(before + after, rebaseAt: [12])
        #expect(two.segments.count == 2)
        #expect(two.segments[1].limits.mean == 20 && two.segments[1].range == 12..<24)
        #expect(two.causes.allSatisfy { $0 == nil })
        #expect(SPC.chart(Array(before.prefix(11))).segments[0].trial)
        #expect(!SPC.chart(before).segments[0].trial)
        #expect(SPC.chart([]).segments.isEmpty)
        #expect(SPC.chart([5]).latestLimits?.meanMovingRange == 0)
    }

    @Test("variation and assurance icons")
    func icons() {
        #expect(SPC.Variation.of(nil, direction: .up) == .commonCause)
        #expect(SPC.Variation.of(.shift(high: true), direction: .down) == .concernHigh)
        #expect(SPC.Variation.of(.trend(increasing: false), direction: .down) == .improvementLow)
        #expect(SPC.Variation.of(.outside(high: true), direction: .up) == .improvementHigh)
        #expect(SPC.Variation.of(.twoInThree(high: false), direction: .up) == .concernLow)
        #expect(SPC.Variation.of(.shift(high: false), direction: .neutral) == .neutralLow)
        let l = SPC.Limits(mean: 10, meanMovingRange: 2)  // 4.68 … 15.32
        #expect(SPC.Assurance.of(target: 16, limits: l, direction: .down) == .consistentlyPassing)
        #expect(SPC.Assurance.of(target: 4, limits: l, direction: .down) == .consistentlyFailing)
        #expect(SPC.Assurance.of(target: 8, limits: l, direction: .down) == .hitAndMiss)
        #expect(SPC.Assurance.of(target: 4, limits: l, direction: .up) == .consistentlyPassing)
        #expect(SPC.Assurance.of(target: 16, limits: l, direction: .up) == .consistentlyFailing)
        #expect(SPC.Assurance.of(target: 16, limits: l, direction: .neutral) == nil)
        #expect(SPC.Assurance.of(target: nil, limits: l, direction: .up) == nil)
    }
}
