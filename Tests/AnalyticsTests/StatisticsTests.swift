import Analytics
import Foundation
import Testing

@Suite("statistics against scipy, statsmodels and pymannkendall")
struct StatisticsTests {
    @Test("Benjamini–Hochberg and Holm equal statsmodels multipletests to 1e-12")
    func multipleTesting() throws {
        let rows = try Fixture.lines("multiple-testing").dropFirst()
        let p = rows.map { Double($0[0])! }
        let bh = PValueCorrection.benjaminiHochberg.adjust(p)
        let holm = PValueCorrection.holm.adjust(p)
        for (i, r) in rows.enumerated() {
            #expect(close(bh[i], Double(r[1])!, 1e-12), "BH \(i)")
            #expect(close(holm[i], Double(r[2])!, 1e-12), "Holm \(i)")
        }
        #expect(PValueCorrection.none.adjust(p) == p)
    }

    @Test("NaN p-values are not tests: they stay NaN and do not count in m")
    func nanIgnored() {
        let adjusted = PValueCorrection.benjaminiHochberg.adjust([0.01, .nan, 0.04])
        #expect(adjusted[1].isNaN)
        #expect(close(adjusted[0], 0.02, 1e-15) && close(adjusted[2], 0.04, 1e-15))
    }

    @Test("Mann-Kendall S, Var(S) with ties, Z, p and tau equal pymannkendall")
    func mannKendall() throws {
        for r in try Fixture.lines("mann-kendall").dropFirst() {
            let series = r[0].split(separator: " ").map { Double($0)! }
            let mk = MannKendall(series)
            #expect(mk.s == Double(r[1])!)
            #expect(close(mk.variance, Double(r[2])!, 1e-9))
            #expect(close(mk.z, Double(r[3])!, 1e-12), "z for \(r[0])")
            #expect(close(mk.p, Double(r[4])!, 1e-12), "p for \(r[0])")
            #expect(close(mk.tau, Double(r[5])!, 1e-12))
        }
    }

    @Test("exact two-sided binomial test equals scipy binomtest")
    func binomial() throws {
        for r in try Fixture.lines("binomial-test").dropFirst() {
            let (k, n, q, expected) = (Int(r[0])!, Int(r[1])!, Double(r[2])!, Double(r[3])!)
            let p = CountComparison.binomialTwoSidedP(k: k, n: n, p: q)
            #expect(abs(p - expected) <= 1e-9 * max(1e-300, expected) + 1e-300, "k=\(k) n=\(n): \(p) vs \(expected)")
        }
    }

    @Test("normal quantile and two-sided tail equal scipy.stats.norm")
    func normal() throws {
        for r in try Fixture.lines("normal").dropFirst() {
            #expect(close(Normal.quantile(Double(r[0])!), Double(r[1])!, 1e-12), "ppf(\(r[0]))")
            let expected = Double(r[3])!
            #expect(abs(Normal.twoSidedP(Double(r[2])!) - expected) <= 1e-13 * expected, "two-sided(\(r[2]))")
        }
        // Outside (0, 1) the quantile answers rather than trapping, as scipy's ppf does.
        #expect(Normal.quantile(0) == -.infinity && Normal.quantile(1) == .infinity)
        #expect(Normal.quantile(-0.1).isNaN && Normal.quantile(1.5).isNaN && Normal.quantile(.nan).isNaN)
    }

    @Test("count comparison: rate ratio and its 95% interval by the log method")
    func countComparison() {
        let c = CountComparison(current: 60, baseline: 100)
        #expect(close(c.rateRatio!, 0.6, 1e-15))
        let se = (1.0 / 60 + 1.0 / 100).squareRoot()
        #expect(close(c.lower95!, 0.6 * exp(-1.959963984540054 * se), 1e-12))
        #expect(close(c.percentChange!, -40, 1e-12))
        #expect(c.isSignificant())
        #expect(CountComparison(current: 5, baseline: 0).rateRatio == nil)
        #expect(CountComparison(current: 0, baseline: 0).p == 1)
    }
}
