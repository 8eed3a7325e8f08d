import Analytics
import CrimeData
import Fluent
import Foundation

/// Generates a deterministic, realistic synthetic police.uk data set for Norfolk
/// Constabulary and writes it as real police.uk files (street, outcomes, stop and search),
/// so the demo goes through the same import path as real downloads.
///
/// - 36 months, October 2022 to September 2025; about 6,500 street rows a month with the
///   category and last-outcome mix of a real police.uk month (`mix.csv`).
/// - Every incident sits on a real Norfolk postcode (`norfolk-postcodes.csv`), as police.uk
///   snaps incidents to map points; ASB and shoplifting concentrate around the eleven
///   Safer Norfolk town centres (`towns.csv`) with distance decay.
/// - Seasonal summer peak for ASB (about +30% in July–August), milder for crime.
/// - Planted campaign effects, July–September 2025, on ASB within 800 m of the centre:
///   see ``plantedEffects``. Other towns have none, so an honest evaluation must find
///   these and call the rest "not significant".
struct NorfolkDemo {
    static let firstMonth = 202_210
    static let monthCount = 36
    static let campaignMonths: Set<Int> = [202_507, 202_508, 202_509]
    static let streetRowsPerMonth = 6_500.0
    static let stopsPerMonth = 260.0
    /// Bumped when the generator changes, so old demo files are regenerated.
    static let version = "1"

    struct Effect {
        /// Share of ASB within 800 m of the centre prevented during the campaign.
        var reduction: Double
        /// Share of the prevented incidents that move to 800–1,600 m from the centre.
        var displaced: Double
    }

    /// The effects an evaluation of the demo should find.
    static let plantedEffects: [String: Effect] = [
        "Norwich": Effect(reduction: 0.30, displaced: 0),
        "King's Lynn": Effect(reduction: 0.30, displaced: 0),
        "Thetford": Effect(reduction: 0.35, displaced: 0),
        "Great Yarmouth": Effect(reduction: 0.40, displaced: 0.6),
    ]

    /// Share of each town in town-centre incidents.
    static let townWeights: [String: Double] = [
        "Norwich": 0.36, "Great Yarmouth": 0.12, "King's Lynn": 0.11, "Thetford": 0.07, "Gorleston-on-Sea": 0.06,
        "Dereham": 0.05, "Cromer": 0.05, "Diss": 0.04, "Downham Market": 0.04, "Sheringham": 0.03, "Holt": 0.03,
    ]

    static let streetNames = [
        "High Street", "Market Place", "Station Road", "Church Lane", "London Road", "King Street", "Queens Road",
        "Mill Lane", "The Street", "Victoria Road", "School Lane", "North Street", "Norwich Road", "Bridge Street",
        "Chapel Street", "Park Road", "Yarmouth Road", "Grove Road", "St Johns Road", "Cromer Road",
    ]
    static let placeNames = [
        "Shopping Area", "Parking Area", "Supermarket", "Nightclub", "Petrol Station", "Sports/Recreation Area",
        "Further/Higher Educational Building", "Pedestrian Subway", "Bus/Coach Station", "Theatre/Concert Hall",
    ]

    struct Postcode {
        var code: String
        var grid: GridPoint
        var lsoa: String
    }

    struct Town {
        var name: String
        var centre: GridPoint
        var near: WeightedPicker<Int>
        var ring: [Int]
    }

    /// The eleven Safer Norfolk town centres (name, centre, postcode sector), without
    /// building the generator.
    static func townCentres() throws -> [(name: String, centre: GridPoint, sector: String)] {
        guard let folder = Bundle.module.url(forResource: "demo", withExtension: nil) else {
            throw StoreError.database("demo resources are missing from the build")
        }
        return try readCSV(folder.appendingPathComponent("towns.csv")).map {
            ($0[0], GridPoint(easting: Double($0[2])!, northing: Double($0[3])!), $0[1])
        }
    }

    /// The grid position of a postcode in the bundled Norfolk list (spaces and case ignored).
    static func postcodeCentre(_ postcode: String) throws -> GridPoint? {
        guard let folder = Bundle.module.url(forResource: "demo", withExtension: nil) else {
            throw StoreError.database("demo resources are missing from the build")
        }
        let wanted = postcode.uppercased().filter { !$0.isWhitespace }
        return try readCSV(folder.appendingPathComponent("norfolk-postcodes.csv"))
            .first { $0[0].uppercased().filter { !$0.isWhitespace } == wanted }
            .map { GridPoint(easting: Double($0[1])!, northing: Double($0[2])!) }
    }

    /// Radius of the demo's town-centre areas, the same 800 m the planted effects use.
    static let townCentreRadius = 800.0

    /// Stores the eleven town-centre areas (replacing any of the same name) and counts
    /// their incidents. Returns the towns.
    @discardableResult
    static func createTownAreas(on db: any Database) async throws -> [(name: String, centre: GridPoint, sector: String)]
    {
        let store = AreaStore()
        let towns = try townCentres()
        for town in towns {
            let draft = AreaDraft(
                name: "\(town.name) town centre", kind: .radius, forceID: "norfolk",
                description: "Safer Norfolk campaign target area: within \(Int(townCentreRadius)) m of the centre of "
                    + "\(town.name) (postcode sector \(town.sector)).",
                shape: .circle(centre: town.centre, radius: townCentreRadius), radius: townCentreRadius)
            try await store.create(draft, replace: true, on: db)
        }
        try await store.refreshCounts(on: db)
        return towns
    }

    let postcodes: [Postcode]
    let towns: [Town]
    let lsoaNames: [String: String]
    let mix: [(category: String, share: Double, outcomes: WeightedPicker<String>)]

    init() throws {
        guard let folder = Bundle.module.url(forResource: "demo", withExtension: nil) else {
            throw StoreError.database("demo resources are missing from the build")
        }
        postcodes = try Self.readCSV(folder.appendingPathComponent("norfolk-postcodes.csv")).map {
            Postcode(code: $0[0], grid: GridPoint(easting: Double($0[1])!, northing: Double($0[2])!), lsoa: $0[3])
        }
        let all = postcodes
        towns = try Self.readCSV(folder.appendingPathComponent("towns.csv")).map { row in
            let centre = GridPoint(easting: Double(row[2])!, northing: Double(row[3])!)
            var near: [(Int, Double)] = []
            var ring: [Int] = []
            for (i, p) in all.enumerated() {
                let d = p.grid.distance(to: centre)
                if d < 2_500 { near.append((i, exp(-d / 500))) }
                if d >= 800 && d < 1_600 { ring.append(i) }
            }
            return Town(name: row[0], centre: centre, near: WeightedPicker(near), ring: ring)
        }
        let lsoas = try LSOAReference.bundled()
        lsoaNames = Dictionary(uniqueKeysWithValues: lsoas.map { ($0.code, $0.name) })
        var byCategory: [String: (rows: Double, outcomes: [(String, Double)])] = [:]
        var order: [String] = []
        for row in try Self.readCSV(folder.appendingPathComponent("mix.csv")) {
            if byCategory[row[0]] == nil {
                order.append(row[0])
                byCategory[row[0]] = (Double(row[1])!, [])
            }
            byCategory[row[0]]!.outcomes.append((row[2], Double(row[3])!))
        }
        let total = order.reduce(0) { $0 + byCategory[$1]!.rows }
        mix = order.map { ($0, byCategory[$0]!.rows / total, WeightedPicker(byCategory[$0]!.outcomes)) }
    }

    static func readCSV(_ url: URL) throws -> [[String]] {
        var rows: [[String]] = []
        let parser = CSVParser { row in if row.line > 1 { rows.append(row.strings) } }
        let data = try Data(contentsOf: url)
        try data.withUnsafeBytes { try parser.feed($0) }
        try parser.finish()
        return rows
    }

    static func month(_ index: Int) -> Int {
        let y = firstMonth / 100, m = firstMonth % 100 - 1 + index
        return (y + m / 12) * 100 + m % 12 + 1
    }

    /// Writes `YYYY-MM/YYYY-MM-norfolk-{street,outcomes,stop-and-search}.csv` under `folder`
    /// for the first `months` months (all 36 by default), and returns the street rows written.
    func write(to folder: URL, months: Int = NorfolkDemo.monthCount) throws -> Int {
        var rng = SplitMix64(seed: 20_250_701)
        var outcomesByMonth: [Int: [String]] = [:]
        var rows = 0
        let lastMonth = Self.month(months - 1)
        var geo: [Int: GeoPoint] = [:]
        func position(_ i: Int) -> GeoPoint {
            if let g = geo[i] { return g }
            let g = BritishNationalGrid.geo(from: postcodes[i].grid)
            geo[i] = g
            return g
        }
        let everywhere = WeightedPicker(postcodes.indices.map { ($0, 1.0) })
        let townPicker = WeightedPicker(
            towns.indices.map { (i: Int) -> (Int, Double) in (i, Self.townWeights[towns[i].name] ?? 0.02) })

        for t in 0..<months {
            let month = Self.month(t)
            let mm = ByteParsing.monthString(month)
            let calendar = Double(month % 100)
            let summer = cos(2 * .pi * (calendar - 7.5) / 12)
            var street = [PoliceFileKind.street.header.joined(separator: ",")]
            for (category, share, outcomes) in mix {
                let isASB = category == CrimeCategory.antiSocialBehaviour
                let seasonal = isASB ? 1 + 0.30 * summer : 1 + 0.08 * summer
                let trend = isASB ? 1 - 0.004 * Double(t) : 1.0
                let expected = Self.streetRowsPerMonth * share * seasonal * trend
                let n = rng.poisson(expected)
                let townShare = isASB ? 0.55 : (category == "Shoplifting" ? 0.70 : 0.30)
                for k in 0..<n {
                    var index: Int
                    if rng.unit() < townShare {
                        let town = towns[townPicker.pick(&rng)]
                        index = town.near.pick(&rng)
                        if isASB, Self.campaignMonths.contains(month), let effect = Self.plantedEffects[town.name],
                            postcodes[index].grid.distance(to: town.centre) < 800, rng.unit() < effect.reduction
                        {
                            guard rng.unit() < effect.displaced, !town.ring.isEmpty else { continue }
                            index = town.ring[Int(rng.next() % UInt64(town.ring.count))]
                        }
                    } else {
                        index = everywhere.pick(&rng)
                    }
                    let p = postcodes[index]
                    let g = position(index)
                    let place =
                        rng.unit() < 0.25
                        ? Self.placeNames[Int(rng.next() % UInt64(Self.placeNames.count))]
                        : Self.streetNames[
                            Int(UInt64(bitPattern: Int64(p.code.hashValueStable)) % UInt64(Self.streetNames.count))]
                    let lsoaName = lsoaNames[p.lsoa] ?? ""
                    var id = ""
                    var lastOutcome = ""
                    if !isASB {
                        id = Self.crimeID(month: month, category: category, k: k)
                        lastOutcome = outcomes.pick(&rng)
                        let delay = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3][Int(rng.next() % 10)]
                        var outcomeMonth = month
                        for _ in 0..<delay { outcomeMonth = Self.nextMonth(outcomeMonth) }
                        if outcomeMonth > lastMonth {
                            lastOutcome = "Under investigation"
                        } else if !lastOutcome.isEmpty {
                            let crime = id
                            func line(_ m: Int, _ type: String) -> String {
                                "\(crime),\(ByteParsing.monthString(m)),Norfolk Constabulary,Norfolk Constabulary,\(Self.coordinate(g.longitude)),\(Self.coordinate(g.latitude)),On or near \(place),\(p.lsoa),\(lsoaName),\(type)"
                            }
                            // Court outcomes follow a charge: two entries in the history.
                            if lastOutcome.hasPrefix("Offender") || lastOutcome.hasPrefix("Defendant") {
                                outcomesByMonth[month, default: []].append(line(month, "Suspect charged"))
                            }
                            outcomesByMonth[outcomeMonth, default: []].append(line(outcomeMonth, lastOutcome))
                        }
                    }
                    street.append(
                        "\(id),\(mm),Norfolk Constabulary,Norfolk Constabulary,\(Self.coordinate(g.longitude)),\(Self.coordinate(g.latitude)),On or near \(place),\(p.lsoa),\(lsoaName),\(category),\(lastOutcome),"
                    )
                }
            }
            // A few crimes police.uk publishes with no location.
            for k in 0..<rng.poisson(12) {
                street.append(
                    "\(Self.crimeID(month: month, category: "none", k: k)),\(mm),Norfolk Constabulary,Norfolk Constabulary,,,No location,,,Other crime,Under investigation,"
                )
            }
            rows += street.count - 1
            let dir = folder.appendingPathComponent(mm)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try (street.joined(separator: "\n") + "\n").write(
                to: dir.appendingPathComponent("\(mm)-norfolk-street.csv"), atomically: true, encoding: .utf8)
            try writeStops(month: month, to: dir, rng: &rng, everywhere: everywhere, position: position)
        }
        for t in 0..<months {
            let month = Self.month(t)
            let mm = ByteParsing.monthString(month)
            let lines = [PoliceFileKind.outcomes.header.joined(separator: ",")] + (outcomesByMonth[month] ?? [])
            try (lines.joined(separator: "\n") + "\n").write(
                to: folder.appendingPathComponent(mm).appendingPathComponent("\(mm)-norfolk-outcomes.csv"),
                atomically: true, encoding: .utf8)
        }
        try Self.version.write(to: folder.appendingPathComponent("VERSION"), atomically: true, encoding: .utf8)
        return rows
    }

    private func writeStops(
        month: Int, to dir: URL, rng: inout SplitMix64, everywhere: WeightedPicker<Int>, position: (Int) -> GeoPoint
    ) throws {
        let mm = ByteParsing.monthString(month)
        var lines = [PoliceFileKind.stopAndSearch.header.joined(separator: ",")]
        let objects = [
            ("Controlled drugs", "Misuse of Drugs Act 1971 (section 23)", 0.6),
            ("Offensive weapons", "Police and Criminal Evidence Act 1984 (section 1)", 0.2),
            ("Stolen goods", "Police and Criminal Evidence Act 1984 (section 1)", 0.2),
        ]
        let outcomes = WeightedPicker([
            ("A no further action disposal", 0.7), ("Arrest", 0.14), ("Community resolution", 0.1),
            ("Penalty Notice for Disorder", 0.03), ("Summons / charged by post", 0.03),
        ])
        for _ in 0..<rng.poisson(Self.stopsPerMonth) {
            let day = 1 + Int(rng.next() % 28), hour = Int(rng.next() % 24), minute = Int(rng.next() % 60)
            let date = String(format: "%@-%02dT%02d:%02d:00+00:00", mm, day, hour, minute)
            let hasPlace = rng.unit() < 0.85
            let g = hasPlace ? position(everywhere.pick(&rng)) : nil
            let object = objects[rng.unit() < 0.6 ? 0 : (rng.unit() < 0.5 ? 1 : 2)]
            let outcome = outcomes.pick(&rng)
            let person = rng.unit() < 0.9
            lines.append(
                [
                    person ? "Person search" : "Person and Vehicle search", date, "False", "",
                    g.map { Self.coordinate($0.latitude) } ?? "", g.map { Self.coordinate($0.longitude) } ?? "",
                    rng.unit() < 0.88 ? "Male" : "Female", ["10-17", "18-24", "25-34", "over 34"][Int(rng.next() % 4)],
                    "White - English/Welsh/Scottish/Northern Irish/British", "White", object.1, object.0, outcome,
                    outcome == "A no further action disposal" ? "False" : "True", "False",
                ].map(CSVWriter.field).joined(separator: ","))
        }
        try (lines.joined(separator: "\n") + "\n").write(
            to: dir.appendingPathComponent("\(mm)-norfolk-stop-and-search.csv"), atomically: true, encoding: .utf8)
    }

    static func nextMonth(_ m: Int) -> Int { m % 100 == 12 ? (m / 100 + 1) * 100 + 1 : m + 1 }

    static func coordinate(_ v: Double) -> String { String(format: "%.6f", v) }

    static func crimeID(month: Int, category: String, k: Int) -> String {
        var words: [UInt64] = []
        for part in 0..<4 {
            var h = StableHash(seed: UInt64(part) &+ 0xD3_0000)
            h.combine(month)
            h.combine(category)
            h.combine(k)
            words.append(UInt64(bitPattern: h.value))
        }
        return words.map { w in
            let s = String(w, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }
}

extension String {
    /// A hash that is the same on every run (unlike `hashValue`).
    var hashValueStable: Int64 {
        var h = StableHash(seed: 7)
        h.combine(self)
        return h.value & Int64.max
    }
}

/// SplitMix64: a small, fast, seedable generator (Steele, Lea and Flood 2014), so the
/// demo is the same on every machine.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A Poisson draw: Knuth's method for small means, a rounded normal for large ones.
    mutating func poisson(_ mean: Double) -> Int {
        if mean < 30 {
            let limit = exp(-mean)
            var k = 0
            var p = unit()
            while p > limit {
                k += 1
                p *= unit()
            }
            return k
        }
        let u1 = max(unit(), 1e-300), u2 = unit()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        return max(0, Int((mean + z * mean.squareRoot()).rounded()))
    }
}

/// Picks items with probability proportional to their weights (binary search on the
/// cumulative weights).
struct WeightedPicker<T> {
    let items: [T]
    let cumulative: [Double]

    init(_ weighted: [(T, Double)]) {
        items = weighted.map(\.0)
        var running = 0.0
        cumulative = weighted.map {
            running += $0.1
            return running
        }
    }

    func pick(_ rng: inout SplitMix64) -> T {
        let target = rng.unit() * (cumulative.last ?? 0)
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        return items[lo]
    }
}
