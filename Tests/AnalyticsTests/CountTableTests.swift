import Analytics
import Testing

@Suite("count table")
struct CountTableTests {
    @Test("counts, deltas and categories past 16 agree with a Dictionary, in runs and scattered")
    func againstDictionary() {
        var state: UInt64 = 1
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var table = CountTable(capacity: 8)
        var reference: [IncidentCounter.Key: Int] = [:]
        var previous = IncidentCounter.Key(lsoa: 1, month: 201_601, category: 0)
        for i in 0..<50_000 {
            // Mostly runs of one LSOA and month, as police.uk files are; sometimes anywhere.
            let key =
                i % 7 == 0 || next() % 4 == 0
                ? IncidentCounter.Key(
                    lsoa: next() % 3_000, month: Int32(201_600 + next() % 12 + 1), category: UInt16(next() % 40))
                : IncidentCounter.Key(lsoa: previous.lsoa, month: previous.month, category: UInt16(next() % 20))
            let delta = next() % 5 == 0 ? -1 : Int(next() % 3) + 1
            table.add(key, delta)
            reference[key, default: 0] += delta
            previous = key
        }
        var seen: [IncidentCounter.Key: Int] = [:]
        table.forEach { k, v in
            #expect(seen[k] == nil, "each key once")
            seen[k] = v
        }
        #expect(seen == reference)
        #expect(table.count == reference.count)
    }
}
