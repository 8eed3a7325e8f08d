import Analytics
import Foundation
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

    @Test("the ordered walks give each non-zero count and yearly sum once, in key order")
    func orderedWalks() {
        var state: UInt64 = 7
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var table = CountTable(capacity: 8)
        var reference: [IncidentCounter.Key: Int] = [:]
        for _ in 0..<40_000 {
            let month = Int32((2019 + next() % 3) * 100 + next() % 12 + 1)
            let key = IncidentCounter.Key(lsoa: next() % 2_500, month: month, category: UInt16(next() % 20))
            let delta = next() % 6 == 0 ? -1 : 1
            table.add(key, delta)
            reference[key, default: 0] += delta
        }
        let order = table.keyOrder()
        var monthly: [(IncidentCounter.Key, Int)] = []
        table.forEach(inOrder: order) { monthly.append(($0, $1)) }
        let expected = reference.filter { $0.value != 0 }.sorted {
            ($0.key.lsoa, $0.key.month, $0.key.category) < ($1.key.lsoa, $1.key.month, $1.key.category)
        }
        #expect(monthly.map(\.0) == expected.map(\.key))
        #expect(monthly.map(\.1) == expected.map(\.value))
        #expect(monthly.count > 10_000 && monthly.count < reference.count, "some counts cancel to zero")

        var years: [IncidentCounter.Key: Int] = [:]
        for (k, v) in expected {
            years[IncidentCounter.Key(lsoa: k.lsoa, month: k.month / 100, category: k.category), default: 0] += v
        }
        let expectedYears = years.filter { $0.value != 0 }.sorted {
            ($0.key.lsoa, $0.key.category, $0.key.month) < ($1.key.lsoa, $1.key.category, $1.key.month)
        }
        var yearly: [(IncidentCounter.Key, Int)] = []
        table.forEachYear(inOrder: order) { yearly.append(($0, $1)) }
        #expect(yearly.map(\.0) == expectedYears.map(\.key))
        #expect(yearly.map(\.1) == expectedYears.map(\.value))
    }

    @Test("an LSOA code written into bytes spells as lsoaCode does")
    func writtenCodes() {
        var codes = ["E01000001", "W01001958", "E01033768", "E00000000", "E99999999"]
        var state: UInt64 = 3
        for _ in 0..<1_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            codes.append((state >> 63 == 0 ? "E" : "W") + String(format: "%08d", Int(state >> 35) % 100_000_000))
        }
        var bytes = [UInt8](repeating: 0, count: 9)
        for code in codes {
            let packed = Array(code.utf8).withUnsafeBufferPointer { IncidentCounter.packLSOA($0) }
            let n = bytes.withUnsafeMutableBytes { IncidentCounter.writeLSOACode(packed, into: $0) }
            #expect(String(decoding: bytes[..<n], as: UTF8.self) == IncidentCounter.lsoaCode(packed))
            #expect(String(decoding: bytes[..<n], as: UTF8.self) == code)
        }
        #expect(bytes.withUnsafeMutableBytes { IncidentCounter.writeLSOACode(0, into: $0) } == 0)
    }
}
