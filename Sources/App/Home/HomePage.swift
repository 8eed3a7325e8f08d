import CrimeData
import Foundation

/// The home page: what data is loaded. Everything pre-formatted; the template only loops.
struct HomePage: Encodable {
    struct DataSet: Encodable {
        var label: String
        var rows: String
        var slices: String
    }

    struct ForceCoverage: Encodable {
        var id: String
        var name: String
        var firstMonth: String
        var lastMonth: String
        var months: String
        var years: [YearRow]
    }

    struct YearRow: Encodable {
        var year: String
        var cells: [Cell]
    }

    struct Cell: Encodable {
        var month: String
        /// "street 2,345 · outcomes 1,200", or "no data".
        var title: String
        var state: String
    }

    struct ImportLine: Encodable {
        var when: String
        var origin: String
        var status: String
        var summary: String
        var isProblem: Bool
    }

    var title = "Data loaded"
    var dataSets: [DataSet]
    var forces: [ForceCoverage]
    var lastImport: ImportLine?
    var lsoas: String
    var isEmpty: Bool
    /// Whether the viewer may import police.uk files (OPCC staff): the link is shown only then.
    var canImport = false
    let monthNames = SVGChart.monthNames

    init(slices: [DataCoverageQueries.SliceRow], lastImport: DataCoverageQueries.LastImport?, lsoas: Int) {
        let kinds: [(String, String)] = [
            ("street", "Street-level crime and ASB"), ("outcomes", "Outcomes"), ("stop-and-search", "Stop and search"),
        ]
        dataSets = kinds.map { kind, label in
            let rows = slices.filter { $0.kind == kind }
            return DataSet(
                label: label, rows: Format.count(rows.reduce(0) { $0 + $1.rowCount }),
                slices: Format.count(rows.count))
        }
        self.lsoas = Format.count(lsoas)
        isEmpty = slices.isEmpty
        let byForce = Dictionary(grouping: slices, by: \.forceId)
        forces = byForce.keys.sorted().map { id in
            let rows = byForce[id]!
            let months = Set(rows.map(\.month))
            let years = Set(rows.map { $0.month / 100 }).sorted()
            let yearRows = years.map { year in
                YearRow(
                    year: String(year),
                    cells: (1...12).map { m in
                        let month = year * 100 + m
                        let here = rows.filter { $0.month == month }
                        let label = ByteParsing.monthString(month)
                        if here.isEmpty { return Cell(month: label, title: "\(label): no data", state: "empty") }
                        let parts = here.sorted { $0.kind > $1.kind }.map { "\($0.kind) \(Format.count($0.rowCount))" }
                        let full = here.contains { $0.kind == "street" }
                        return Cell(
                            month: label, title: "\(label): " + parts.joined(separator: " · "),
                            state: full ? "full" : "partial")
                    })
            }
            return ForceCoverage(
                id: id, name: rows[0].forceName, firstMonth: ByteParsing.monthString(months.min()!),
                lastMonth: ByteParsing.monthString(months.max()!), months: Format.count(months.count), years: yearRows)
        }
        if let i = lastImport {
            self.lastImport = ImportLine(
                when: Format.dateTime(i.finishedAt ?? i.startedAt), origin: i.origin, status: i.status,
                summary: i.message,
                isProblem: i.filesRefused > 0 || i.rejected > 0)
        }
    }
}

/// Formatting for pages, in GOV.UK style: thousands separators; "22 November 2026, 14:05 UTC".
enum Format {
    static func dateTime(_ iso: String) -> String {
        // The stored form (`YYYY-MM-DDTHH:MM:SSZ`, `Date.stored`) by its digits: making two
        // Foundation formatters per call was most of a 500-row case list's time (tested to
        // give what the formatters give).
        if let fast = storedDateTime(iso) { return fast }
        guard let date = ISO8601DateFormatter().date(from: iso) else { return iso }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "d MMMM yyyy, HH:mm 'UTC'"
        return f.string(from: date)
    }

    /// `2026-11-22T14:05:09Z` → "22 November 2026, 14:05 UTC"; nil for any other form.
    static func storedDateTime(_ text: String) -> String? {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 90 else {
            return nil
        }
        func number(_ from: Int, _ count: Int) -> Int? {
            var n = 0
            for k in from..<(from + count) {
                guard b[k] >= 48, b[k] <= 57 else { return nil }
                n = n * 10 + Int(b[k] - 48)
            }
            return n
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), hour < 24, minute < 60, second < 60,
            let valid = CalendarDay("\(text.prefix(10))"), valid.day == day, valid.month == month, year >= 1900
        else { return nil }
        return "\(valid.long), \(text.dropFirst(11).prefix(5)) UTC"
    }

    /// "2026-10-14" → "14 October 2026" (anything else as given).
    static func day(_ ymd: String) -> String { CalendarDay(ymd)?.long ?? ymd }

    /// A number with thousands separators and a fixed number of decimals.
    static func number(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return "–" }
        let text = String(format: "%.\(decimals)f", abs(v))
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let integer = Int(parts[0]) else { return (v < 0 ? "−" : "") + text }
        let whole = count(integer)
        let sign = v < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "−" : ""
        return sign + whole + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// A reported figure for reading: "2,826", "12.5" (up to two decimals, trailing zeros dropped).
    static func figure(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        if v == v.rounded() && abs(v) < 1e15 { return count(Int(v)) }
        var text = number(v, decimals: 2)
        while text.hasSuffix("0") { text.removeLast() }
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    /// "1 cell", "2,345 cells".
    static func counted(_ n: Int, _ singular: String, _ plural: String) -> String {
        "\(count(n)) \(n == 1 ? singular : plural)"
    }

    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)  // magnitude, not abs: abs(Int.min) traps
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}
