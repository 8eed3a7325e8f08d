import Analytics
import Foundation
import Testing

/// Golden values from `scripts/fixtures/evaluation_reference.py` (numpy, scipy,
/// statsmodels) and the worked example of Wheeler & Ratcliffe (2018).
@Suite("evaluation statistics against published examples and statsmodels")
struct EvaluationTests {
    static func numbers(_ s: String) -> [Double] { s.split(separator: " ").map { Double($0)! } }

    @Test("Wheeler & Ratcliffe's worked example: WDD −118, variance 1,568, z −2.98")
    func publishedWDD() throws {
        let m = DisplacementMeasures(EvaluationCounts(207, 110, 178, 157, 308, 318, 150, 140))
        let wdd = try #require(m.wdd.value)
        #expect(wdd.difference == -118)
        #expect(wdd.variance == 1_568)
        #expect((wdd.z * 100).rounded() / 100 == -2.98)
    }

    @Test("the area-weighted WDD equals ptools' test of wdd(area_weights = c(0.9, 1.2, 1.6, 1.5))")
    func areaWeightedWDD() throws {
        // ptools divides each count by its area's weight; here the controls are put on the
        // treated and buffer areas' scales: C by 1.2/0.9 and C′ by 1.5/1.6, and the whole
        // difference then divided by 1.2 for the area and 1.5 for the buffer. With the area
        // and buffer weights equal to 1 that is ptools' formula, so weight them directly.
        let r = 1 / 1.2, d = 1 / 1.5
        func w(_ n: Int, _ k: Double) -> WeightedCount {
            WeightedCount(value: Double(n) * k, variance: Double(n) * k * k)
        }
        let m = DisplacementMeasures(
            EvaluationCounts(
                treatedBefore: w(207, r), treatedAfter: w(110, r), bufferBefore: w(178, d), bufferAfter: w(157, d),
                controlBefore: WeightedCount(308), controlAfter: WeightedCount(318),
                bufferControlBefore: WeightedCount(150),
                bufferControlAfter: WeightedCount(140)),
            controlScale: 1 / 0.9, bufferControlScale: 1 / 1.6)
        let wdd = try #require(m.wdd.value)
        #expect(abs(wdd.difference - -99.69444444) < 1e-8)
        #expect(abs(wdd.variance.squareRoot() - 35.4280755) < 1e-7)
        #expect(abs(wdd.z - -2.813995483) < 1e-9)
    }

    @Test("GE, NE, success and buffer measures, WDQ, TNE, WDD and RES equal the independent computation to 1e-12")
    func displacementGolden() throws {
        for r in try Fixture.lines("displacement").dropFirst() {
            let c = r[0..<8].map { Int($0)! }
            let m = DisplacementMeasures(EvaluationCounts(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]))
            let g = r.map { $0.isEmpty ? nil : Double($0) }
            let label = "counts \(c)"
            func near(_ a: Double?, _ b: Double?, _ tol: Double = 1e-12) -> Bool {
                guard let a, let b else { return a == nil && b == nil }
                return abs(a - b) <= tol * max(1, abs(b))
            }
            #expect(near(m.grossPercent.value, g[8]), "\(label) GE")
            #expect(near(m.netEffect.value, g[9]), "\(label) NE")
            #expect(near(m.successMeasure.value, g[10]), "\(label) success")
            #expect(near(m.bufferMeasure.value, g[11]), "\(label) buffer")
            #expect(near(m.wdq.value, g[12]), "\(label) WDQ")
            #expect(near(m.totalNetEffect.value, g[13]), "\(label) TNE")
            let wdd = try #require(m.wdd.value)
            #expect(near(wdd.difference, g[14]) && near(wdd.variance, g[15]) && near(wdd.z, g[16]), "\(label) WDD")
            #expect(near(wdd.p, g[17], 1e-10), "\(label) WDD p")
            let res = try #require(m.res.value)
            #expect(
                near(res.ratio, g[18]) && near(res.lower95, g[19], 1e-10) && near(res.upper95, g[20], 1e-10),
                "\(label) RES")
            #expect(near(res.p, g[21], 1e-9), "\(label) RES p")
            let buffer = try #require(m.bufferRES.value)
            #expect(
                near(buffer.ratio, g[22]) && near(buffer.lower95, g[23], 1e-10) && near(buffer.upper95, g[24], 1e-10),
                "\(label) buffer RES")
        }
    }

    @Test("zero and tiny counts are not estimable, with the reason, never infinity")
    func notEstimable() {
        let zeroControl = DisplacementMeasures(EvaluationCounts(20, 10, 5, 5, 0, 12, 8, 9))
        #expect(zeroControl.netEffect.reason == "no incidents in the comparison area before")
        #expect(zeroControl.wdq.reason != nil && zeroControl.res.reason != nil)
        #expect(zeroControl.wdd.value != nil, "WDD is a difference of counts: still defined")
        let zeroAfter = DisplacementMeasures(EvaluationCounts(20, 0, 5, 5, 30, 32, 8, 9))
        #expect(zeroAfter.res.reason == "no incidents in the area during")
        let tiny = DisplacementMeasures(EvaluationCounts(4, 3, 5, 5, 30, 32, 8, 9))
        #expect(tiny.res.reason == "too few incidents in the area (7) to estimate an effect")
        let worse = DisplacementMeasures(EvaluationCounts(20, 30, 5, 5, 30, 32, 8, 9))
        #expect(worse.wdq.reason == "the area did not improve against its comparison area")
        #expect(worse.reading == .noEffectToDisplace)
        #expect(DisplacementMeasures(EvaluationCounts(0, 0, 0, 0, 0, 0, 0, 0)).wdd.reason != nil)
    }

    @Test("the reading: displacement, no change, diffusion, and displacement larger than the effect")
    func readings() {
        // A 40% cut in the area against a flat control.
        #expect(
            DisplacementMeasures(EvaluationCounts(500, 300, 400, 400, 1_000, 1_000, 1_000, 1_000)).reading == .noChange)
        #expect(
            DisplacementMeasures(EvaluationCounts(500, 300, 400, 520, 1_000, 1_000, 1_000, 1_000)).reading
                == .displacement)
        #expect(
            DisplacementMeasures(EvaluationCounts(500, 300, 400, 300, 1_000, 1_000, 1_000, 1_000)).reading == .diffusion
        )
        #expect(
            DisplacementMeasures(EvaluationCounts(500, 300, 400, 700, 1_000, 1_000, 1_000, 1_000)).reading
                == .displacementExceedsEffect)
    }

    @Test("harm-weighted counts carry Σw²n as their variance into WDD and RES")
    func weighted() throws {
        // One category of weight 3: the same as counts scaled by 3, variance by 9.
        func w(_ n: Int) -> WeightedCount { WeightedCount(value: 3 * Double(n), variance: 9 * Double(n)) }
        let scaled = DisplacementMeasures(
            EvaluationCounts(
                treatedBefore: w(207), treatedAfter: w(110), bufferBefore: w(178), bufferAfter: w(157),
                controlBefore: w(308),
                controlAfter: w(318), bufferControlBefore: w(150), bufferControlAfter: w(140)))
        let plain = DisplacementMeasures(EvaluationCounts(207, 110, 178, 157, 308, 318, 150, 140))
        #expect(
            abs(try #require(scaled.wdd.value).z - (try #require(plain.wdd.value).z)) < 1e-12,
            "scaling every count by 3 scales WDD and its SE alike")
        let a = try #require(scaled.res.value), b = try #require(plain.res.value)
        #expect(abs(a.ratio - b.ratio) < 1e-12 && abs(a.lower95 - b.lower95) < 1e-12)
    }

    @Test("Poisson difference in differences and its pre-trend check equal statsmodels GLM with scale X2")
    func poissonDiD() throws {
        for r in try Fixture.lines("did").dropFirst() {
            let t = Self.numbers(r[1]), c = Self.numbers(r[2]), during = Self.numbers(r[3]).map { $0 == 1 }
            let did = try #require(PoissonDiD.estimate(treated: t, comparison: c, during: during).value, "case \(r[0])")
            let g = r[4...].map { Double($0)! }
            #expect(abs(did.rateRatio.ratio - g[0]) < 1e-8, "case \(r[0]) IRR \(did.rateRatio.ratio) vs \(g[0])")
            #expect(
                abs(did.rateRatio.lower95 - g[1]) < 1e-7 && abs(did.rateRatio.upper95 - g[2]) < 1e-7,
                "case \(r[0]) interval")
            #expect(abs(did.rateRatio.p - g[3]) < 1e-7, "case \(r[0]) p")
            #expect(abs(did.dispersion - g[4]) < 1e-6, "case \(r[0]) dispersion")
            let trend = try #require(did.preTrend.value)
            #expect(abs(trend.monthlyRatio.ratio - g[5]) < 1e-8, "case \(r[0]) pre-trend")
            #expect(abs(trend.monthlyRatio.lower95 - g[6]) < 1e-7 && abs(trend.monthlyRatio.upper95 - g[7]) < 1e-7)
            #expect(abs(trend.monthlyRatio.p - g[8]) < 1e-7, "case \(r[0]) pre-trend p")
        }
    }

    @Test("a DiD without incidents in the treated area during the campaign is not estimable")
    func didNotEstimable() {
        let d = PoissonDiD.estimate(
            treated: [3, 4, 2, 5, 0, 0], comparison: [30, 31, 29, 33, 30, 28],
            during: [false, false, false, false, true, true])
        #expect(d.reason == "no incidents in the area or the comparison area before or during the campaign")
    }

    @Test("annual trend and correlation equal statsmodels and numpy")
    func trendAndCorrelation() throws {
        for r in try Fixture.lines("trend").dropFirst() {
            let a = Self.numbers(r[0]), b = Self.numbers(r[1])
            #expect(abs(try #require(ComparisonSelection.annualTrend(a)) - Double(r[2])!) < 1e-7)
            #expect(abs(try #require(ComparisonSelection.correlation(a, b)) - Double(r[3])!) < 1e-12)
        }
    }

    @Test("dose response equals statsmodels WLS with the dispersion floored at 1")
    func doseResponse() throws {
        for r in try Fixture.lines("dose").dropFirst() {
            let dose = Self.numbers(r[0]), y = Self.numbers(r[1]), se = Self.numbers(r[2])
            let fit = try #require(
                DoseResponse.fit(dose.indices.map { .init(dose: dose[$0], logRES: y[$0], standardError: se[$0]) }).value
            )
            let g = r[3...].map { Double($0)! }
            #expect(
                abs(fit.perUnit.ratio - g[0]) < 1e-10 && abs(fit.perUnit.lower95 - g[1]) < 1e-10
                    && abs(fit.perUnit.upper95 - g[2]) < 1e-10)
            #expect(abs(fit.perUnit.p - g[3]) < 1e-9)
            #expect(abs(fit.dispersion - g[4]) < 1e-9)
        }
        #expect(
            DoseResponse.fit([.init(dose: 1, logRES: 0.1, standardError: 0.1)]).reason
                == "fewer than three areas with an estimable effect")
    }

    @Test("comparison selection recovers the candidates that share the treated area's path and stops at its level")
    func selection() {
        // Treated: rising with a summer peak. Candidates: five with the same path at a fifth of
        // the level, five falling, five flat.
        let months = 24
        let path = (0..<months).map { t in 100 * pow(1.02, Double(t)) * (1 + 0.3 * sin(Double(t) / 12 * 2 * .pi)) }
        let treated = path.map { $0.rounded() }
        var candidates: [ComparisonSelection.Candidate] = []
        for k in 0..<5 {
            candidates.append(.init(id: "same-\(k)", series: path.map { ($0 / 5 + Double(k % 2)).rounded() }))
            candidates.append(
                .init(id: "falling-\(k)", series: (0..<months).map { 40 * pow(0.96, Double($0)) + Double(k) }))
            candidates.append(.init(id: "flat-\(k)", series: [Double](repeating: 20 + Double(k), count: months)))
        }
        let chosen = ComparisonSelection.select(treated: treated, candidates: candidates, levelMultiple: 1)
        #expect(Set(chosen) == Set((0..<5).map { "same-\($0)" }), "\(chosen)")
        let group = (0..<months).map { t in candidates.filter { chosen.contains($0.id) }.reduce(0) { $0 + $1.series[t] }
        }
        let match = ComparisonSelection.match(treated: treated, comparison: group)
        #expect(match.grade == "good")
        #expect(abs(match.levelRatio - 1) < 0.05)
    }
}
