import Analytics
import Testing

@Suite("area ranking and month periods")
struct AreaRankingTests {
    @Test("rate per 1,000, share of force, harm and ordering")
    func ranking() {
        let areas = [
            AreaRanking.Input(id: "a", name: "Alpha", population: 2000, current: ["anti-social-behaviour": 40],
                              previous: ["anti-social-behaviour": 80], yearEarlier: ["anti-social-behaviour": 40]),
            AreaRanking.Input(id: "b", name: "Beta", population: 10_000, current: ["anti-social-behaviour": 100, "robbery": 2],
                              previous: ["anti-social-behaviour": 100], yearEarlier: [:]),
            AreaRanking.Input(id: "c", name: "Gamma", population: nil, current: [:], previous: [:], yearEarlier: [:]),
        ]
        let rows = AreaRanking.rank(areas, forceTotal: 1000)
        #expect(rows.map(\.id) == ["a", "b", "c"])
        #expect(rows[0].ratePer1000 == 20)
        #expect(rows[1].ratePer1000 == 10.2)
        #expect(rows[1].shareOfForce == 0.102)
        #expect(rows[1].harm == 100 + 2 * 15)
        #expect(rows[0].versusPrevious.isSignificant())
        #expect(rows[0].versusPrevious.rateRatio == 0.5)
        #expect(rows[2].ratePer1000 == nil)
        #expect(AreaRanking.rank(areas, forceTotal: nil, sortBy: .count).map(\.id) == ["b", "a", "c"])
    }

    @Test("periods: previous months and the same months a year earlier, across a year boundary")
    func periods() {
        let p = MonthPeriod(ending: 202_502, count: 3)
        #expect(p.first == 202_412 && p.count == 3)
        #expect(p.months == [202_412, 202_501, 202_502])
        #expect(p.previous == MonthPeriod(first: 202_409, last: 202_411))
        #expect(p.yearEarlier == MonthPeriod(first: 202_312, last: 202_402))
        #expect(p.description == "2024-12 to 2025-02")
    }
}
