import Analytics
import Testing

@Suite("area ranking and month periods")
struct AreaRankingTests {
    @Test("rate per 1,000, share of force, harm and ordering")
    func ranking() {
        let areas = [
            AreaRanking.Input(
                id: "a", name: "Alpha", population: 2000, current: ["anti-social-behaviour": 40],
                previous: ["anti-social-behaviour": 80], yearEarlier: ["anti-social-behaviour": 40]),
            AreaRanking.Input(
                id: "b", name: "Beta", population: 10_000, current: ["anti-social-behaviour": 100, "robbery": 2],
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

    @Test(
        "periods at the edge of the range never trap: 1900-12 a year earlier, a 1901 baseline, reversed and absurd months"
    )
    func periodsAtTheEdges() {
        // Before the fix `yearEarlier` of 1900-12 trapped in a precondition and took the server down.
        let p = MonthPeriod(first: 190_012, last: 190_012)
        #expect(p.yearEarlier == MonthPeriod(first: 189_912, last: 189_912))
        #expect(p.yearEarlier.count == 1 && p.yearEarlier.months == [189_912])
        #expect(MonthPeriod(ending: 190_101, count: 24).first == 189_902)
        #expect(p.previous.previous.months == [190_010])
        #expect(MonthPeriod(first: 202_503, last: 202_501).count == 0)
        #expect(MonthPeriod(first: 202_503, last: 202_501).months.isEmpty)
        #expect(MonthPeriod.add(-1, to: 101) == 12 && MonthPeriod.add(-13, to: 101) == -88)  // before year 1: no trap
        #expect(MonthPeriod(first: Int.min, last: Int.max).count >= 0)
        #expect(MonthPeriod.add(Int.max, to: Int.max) > 0)
        #expect(MonthPeriod.isSupported(190_001) && MonthPeriod.isSupported(999_912))
        #expect(
            !MonthPeriod.isSupported(189_912) && !MonthPeriod.isSupported(202_513)
                && !MonthPeriod.isSupported(1_000_001))
    }
    @Test("a period split into whole calendar years and the months outside them covers each month exactly once")
    func wholeYears() {
        let p = MonthPeriod(first: 202_101, last: 202_312)
        #expect(p.byWholeYears.years == 2021...2023 && p.byWholeYears.months.isEmpty)
        let q = MonthPeriod(first: 202_007, last: 202_306).byWholeYears
        #expect(q.years == 2021...2022)
        #expect(q.months == [MonthPeriod(first: 202_007, last: 202_012), MonthPeriod(first: 202_301, last: 202_306)])
        #expect(MonthPeriod(first: 202_202, last: 202_301).byWholeYears.years == nil)
        #expect(MonthPeriod(first: 202_503, last: 202_501).byWholeYears.months.isEmpty)
        #expect(MonthPeriod(first: Int.min, last: Int.max).byWholeYears.years == nil)
        // Every period of up to 7 years starting in 2018 or 2019, month by month.
        let starts = MonthPeriod(first: 201_801, last: 201_912).months
        for first in starts {
            for length in 1...84 {
                let period = MonthPeriod(ending: MonthPeriod.add(length - 1, to: first), count: length)
                let split = period.byWholeYears
                let fromYears = (split.years.map { Array($0) } ?? []).flatMap { y in (1...12).map { y * 100 + $0 } }
                let covered = (fromYears + split.months.flatMap(\.months)).sorted()
                #expect(covered == period.months, "\(period)")
                if covered != period.months { return }
            }
        }
    }
}
