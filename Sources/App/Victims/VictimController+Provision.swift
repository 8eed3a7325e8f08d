import Analytics
import CrimeData
import Foundation
import Vapor

/// Needs against provision, for the Commissioner's office and the DA/SV coordinator
/// (`/victims/provision`): the referrals by month as an XmR chart, by crime type and local
/// authority; the needs assessed; and for each kind of specialist support, the services
/// commissioned, the onward referrals they received and what became of them, with the gaps
/// named. Counts from 1 to 4 are suppressed, as on every page outside the holding service.
extension VictimController {
    /// Which assessed need each kind of specialist support answers, for "high need, no service".
    static let needServed: [Victims.Specialist: Victims.Need] = [
        .idva: .safety, .mentalHealth: .health, .children: .family,
    ]

    /// The gaps in one kind of support: no service commissioned where referrals were made or
    /// high needs recorded; 10% or more of decided referrals declined for no capacity; a
    /// median wait for a decision over 5 days. Rates need 5 decided referrals to be judged.
    static func gaps(
        _ t: VictimStore.OnwardTally, providers: Int, highNeed: Int, threshold: Int, exactShare: Bool = true
    ) -> [String] {
        var out: [String] = []
        if providers == 0 && (t.referred > 0 || highNeed >= threshold) {
            out.append(
                t.referred > 0
                    ? "No service commissioned, though victims were referred for it"
                    : "No service commissioned, though high needs were assessed")
        }
        let decided = t.accepted + t.noCapacity + t.otherDecline
        if decided >= threshold && t.noCapacity * 10 >= decided {
            let share = Int((Double(t.noCapacity) / Double(decided) * 100).rounded())
            out.append(
                exactShare
                    ? "\(share)% of decided referrals declined for no capacity"
                    : "10% or more of decided referrals declined for no capacity")
        }
        if t.waits.count >= threshold, let m = median(t.waits), m > 5 {
            out.append("Median wait for a decision \(Format.number(m, decimals: 1)) days")
        }
        return out
    }

    /// A table's counts as shown when its total is shown elsewhere: each under the threshold
    /// suppressed, and when exactly one is, the smallest shown one withheld too, so the total
    /// less the others never gives the suppressed count away.
    static func tableTexts(_ values: [Int], _ s: Suppression) -> [String] {
        var texts = values.map(s.text)
        let hidden = values.indices.filter { s.hides(values[$0]) }
        if hidden.count == 1,
            let smallest = values.indices.filter({ !s.hides(values[$0]) && values[$0] > 0 })
                .min(by: { values[$0] < values[$1] })
        {
            texts[smallest] = "withheld"
        }
        return texts
    }

    static func median(_ xs: [Double]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        let mid = s.count / 2
        return s.count.isMultiple(of: 2) ? (s[mid - 1] + s[mid]) / 2 : s[mid]
    }

    @Sendable func provision(req: Request) async throws -> Response {
        let now = now()
        let today = CalendarDay(now)
        // The last 12 whole and current months for the tables; 24 for the chart.
        let yearAgo = VictimStore.monthsBefore(now.stored, months: 12)
        let chartFrom = String(VictimStore.monthsBefore(now.stored, months: 24).prefix(7)) + "-01T00:00:00Z"
        let byMonth = try await store.referralsByMonth(from: chartFrom, on: req.db)
        var months: [String] = []
        var m = CalendarDay(unchecked: today.year, month: today.month, day: 1)
        for _ in 0..<25 {
            months.insert(String(m.description.prefix(7)), at: 0)
            m =
                m.month == 1
                ? .init(unchecked: m.year - 1, month: 12, day: 1) : .init(unchecked: m.year, month: m.month - 1, day: 1)
        }
        // The chart: the 24 whole months before this one (this month is partial).
        // Months before the first referral are before the service, not months without any.
        let whole = Array(months.dropLast().drop { (byMonth[$0] ?? 0) == 0 })
        let values = whole.map { Double(byMonth[$0] ?? 0) }
        let hidden = whole.contains { suppression.hides(byMonth[$0] ?? 0) }
        var chartSVG = ""
        var variation = ""
        if !hidden {
            let measure = Measure(
                id: 0, slug: "victim-referrals", name: "Referrals to victim services",
                definition: "Referrals received a month (duplicates not counted)", unit: "referrals",
                frequency: .monthly, direction: .neutral, owner: "", sourceKind: .entered, categories: "",
                geographyKind: "", geographyId: "", perThousand: 0, activityType: "", baselineFirst: nil,
                baselineLast: nil, baselineValue: nil, targetKind: .none, targetValue: nil, targetBy: nil,
                fixLimitsAfter: nil, position: 0, createdAt: "")
            let reading = MeasureReading(
                measure,
                values: zip(whole, values).map { month, v in
                    MeasureValue(
                        measureId: 0, period: Int(month.replacingOccurrences(of: "-", with: "")) ?? 0, value: v,
                        numerator: nil, denominator: nil, computed: 1, source: "", enteredBy: nil, enteredAt: "")
                }, rebases: [])
            chartSVG = SPCChartSVG(reading: reading).render(id: "referrals-chart")
            variation = SPCStyle.label(reading.variation)
        }
        let lastYear = Array(months.suffix(12))
        let yearTotal = lastYear.reduce(0) { $0 + (byMonth[$1] ?? 0) }

        let byCrime = try await store.referrals(by: .crimeType, from: yearAgo, on: req.db)
        let byLA = try await store.referrals(by: .localAuthority, from: yearAgo, on: req.db)
        let laNames = try await store.localAuthorityNames(on: req.db)
        let needs = try await store.assessedNeeds(from: yearAgo, on: req.db)
        let tallies = try await store.onwardTallies(from: yearAgo, on: req.db)
        let providers = try await store.providers(on: today, on: req.db)
        let s = suppression

        var page = ProvisionPage(
            summary:
                "In the last 12 months: \(s.text(yearTotal)) referrals to victim services; \(s.text(needs.assessed)) cases assessed; \(s.text(tallies.values.reduce(0) { $0 + $1.referred })) onward referrals to specialist services.",
            chartSVG: chartSVG, hasChart: !chartSVG.isEmpty, variation: variation,
            months: lastYear.map {
                .init(
                    label: MeasureReading.monthName(Int($0.replacingOccurrences(of: "-", with: "")) ?? 0)
                        + ($0 == months.last ? " (so far)" : ""), value: s.text(byMonth[$0] ?? 0))
            },
            suppression: s.note)
        page.needs = Victims.Need.allCases.map { need in
            let l = needs.levels[need] ?? [:]
            let any = (l[.some] ?? 0) + (l[.high] ?? 0)
            return .init(
                label: need.label, some: s.text(l[.some] ?? 0), high: s.text(l[.high] ?? 0),
                // Some + high shown as a share would give away either one that is suppressed.
                share: needs.assessed >= s.threshold && !s.hides(any) && !s.hides(l[.some] ?? 0)
                    && !s.hides(l[.high] ?? 0)
                    ? "\(Int((Double(any) / Double(needs.assessed) * 100).rounded()))%" : "")
        }
        // Largest first; the suppressed ones by name, so their order says nothing of their size.
        func order(_ a: (key: String, value: Int), _ b: (key: String, value: Int)) -> Bool {
            let (x, y) = (s.hides(a.value) ? 0 : a.value, s.hides(b.value) ? 0 : b.value)
            return x != y ? x > y : a.key < b.key
        }
        let crimes = byCrime.sorted(by: order)
        page.crimeTypes = zip(crimes, Self.tableTexts(crimes.map(\.value), s)).map { row, text in
            .init(label: Victims.CrimeType(rawValue: row.key)?.label ?? row.key, value: text)
        }
        let las = byLA.sorted(by: order)
        page.localAuthorities = zip(las, Self.tableTexts(las.map(\.value), s)).map { row, text in
            .init(
                label: row.key.isEmpty ? "Not recorded" : laNames[row.key].map { "\($0) (\(row.key))" } ?? row.key,
                value: text)
        }
        page.services = Victims.Specialist.allCases.map { kind in
            let t = tallies[kind] ?? .init()
            let p = providers[kind] ?? []
            let high = Self.needServed[kind].map { needs.levels[$0]?[.high] ?? 0 } ?? 0
            // The parts add up to the referrals: with any part suppressed, only the total is
            // shown (as the compliance report does), and no share that would give a part away.
            let parts = [t.accepted, t.noCapacity, t.otherDecline, t.pending]
            let partHidden = parts.contains { s.hides($0) }
            let gaps = Self.gaps(
                t, providers: p.count, highNeed: high, threshold: s.threshold, exactShare: !partHidden)
            func part(_ n: Int) -> String { partHidden ? "" : s.text(n) }
            return .init(
                label: kind.label,
                providers: p.isEmpty
                    ? "None" : p.map { "\($0.name) (\(Grants.pounds($0.pence)))" }.joined(separator: "; "),
                referred: s.text(t.referred), accepted: part(t.accepted), noCapacity: part(t.noCapacity),
                otherDecline: part(t.otherDecline), pending: part(t.pending),
                medianWait: t.waits.count >= s.threshold
                    ? Self.median(t.waits).map { "\(Format.number($0, decimals: 1)) days" } ?? "" : "",
                gaps: gaps.joined(separator: "; "), hasGap: !gaps.isEmpty)
        }
        page.gapCount = page.services.filter(\.hasGap).count
        return try await req.render("victims/provision", page)
    }
}

struct ProvisionPage: Encodable {
    struct Pair: Encodable {
        var label: String
        var value: String
    }
    struct NeedRow: Encodable {
        var label: String
        var some: String
        var high: String
        var share: String
    }
    struct ServiceRow: Encodable {
        var label: String
        var providers: String
        var referred: String
        var accepted: String
        var noCapacity: String
        var otherDecline: String
        var pending: String
        var medianWait: String
        var gaps: String
        var hasGap: Bool
    }
    var title = "Victims' needs against provision"
    var summary: String
    var chartSVG: String
    var hasChart: Bool
    var variation: String
    var months: [Pair]
    var suppression: String
    var needs: [NeedRow] = []
    var crimeTypes: [Pair] = []
    var localAuthorities: [Pair] = []
    var services: [ServiceRow] = []
    var gapCount = 0
    var complianceHref = SiteURL.victimCompliance()
}
