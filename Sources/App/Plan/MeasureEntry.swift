import Analytics
import CrimeData
import Foundation

/// Figures entered for measures police.uk does not hold, from a form, a CSV file or the
/// JSON API: each checked the same way, and stored all or none.
enum MeasureEntry {
    struct Problem: Sendable, Equatable {
        /// The CSV line, or the API record's index (from 0); nil for a form.
        var line: Int?
        var field: String
        var message: String
    }

    static let columns = ["measure", "period", "value", "source"]
    static let maximumRows = 10_000
    /// Figures are bounded so every page and file can show them.
    static let largest = 1e12

    /// One figure, checked against the measures it may be entered for.
    struct Problems: Error { var list: [Problem] }

    static func check(
        measure slug: String, period text: String, value valueText: String, source: String,
        measures: [String: Measure], line: Int?
    ) -> Result<EnteredValue, Problems> {
        var problems: [Problem] = []
        let m = measures[slug.trimmingCharacters(in: .whitespaces)]
        if m == nil {
            problems.append(Problem(line: line, field: "measure", message: "no measure “\(slug.prefix(60))”"))
        } else if m?.sourceKind != .entered {
            problems.append(
                Problem(
                    line: line, field: "measure",
                    message: "“\(slug.prefix(60))” is computed from police.uk data and cannot be entered"))
        }
        var period: Int?
        let p = text.trimmingCharacters(in: .whitespaces)
        if p.count == 7, let y = Int(p.prefix(4)), p.dropFirst(4).first == "-", let mo = Int(p.suffix(2)),
            MonthPeriod.isValid(y * 100 + mo), y <= 2200
        {
            period = y * 100 + mo
        }
        if period == nil {
            problems.append(Problem(line: line, field: "period", message: "give the month as YYYY-MM, e.g. 2025-07"))
        } else if let m, m.frequency == .quarterly, let q = period, (q % 100 - 1) % 3 != 0 {
            problems.append(
                Problem(
                    line: line, field: "period",
                    message: "“\(m.name)” is quarterly: give the quarter's first month (01, 04, 07 or 10)"))
        }
        let value = Double(valueText.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ""))
        if value == nil || !(value?.isFinite ?? false) || abs(value ?? 0) > largest {
            problems.append(Problem(line: line, field: "value", message: "give the figure as a number"))
        }
        if source.count > 200 {
            problems.append(Problem(line: line, field: "source", message: "the source is up to 200 characters"))
        }
        guard problems.isEmpty, let m, let period, let value else { return .failure(Problems(list: problems)) }
        return .success(
            EnteredValue(
                measure: m, period: period, value: value,
                source: source.trimmingCharacters(in: .whitespaces)))
    }

    /// A CSV file of figures: header `measure,period,value,source` (source optional, any order).
    static func read(_ bytes: [UInt8], measures: [String: Measure]) -> Result<[EnteredValue], MeasureEntryFailure> {
        let table: CSVTable
        switch CSVTable.read(bytes, maximumRows: maximumRows, maximumColumns: 16) {
        case .success(let t): table = t
        case .failure(let r): return .failure(.refused(r.description))
        }
        let missing = ["measure", "period", "value"].filter { !table.header.contains($0) }
        let unknown = table.header.filter { !columns.contains($0) }.prefix(10).map { String($0.prefix(60)) }
        guard missing.isEmpty, unknown.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !unknown.isEmpty { parts.append("unknown \(unknown.joined(separator: ", "))") }
            return .failure(
                .refused("the header must be measure,period,value,source: " + parts.joined(separator: "; ")))
        }
        guard !table.records.isEmpty else { return .failure(.refused("the file has a header but no records")) }
        var out: [EnteredValue] = []
        var problems: [Problem] = []
        var seen: [String: Int] = [:]
        for r in table.records {
            guard r.fields.count == table.header.count else {
                problems.append(
                    Problem(
                        line: r.line, field: "",
                        message: "has \(r.fields.count) fields; the header has \(table.header.count)"))
                continue
            }
            var v: [String: String] = [:]
            for (n, f) in zip(table.header, r.fields) { v[n] = f }
            switch check(
                measure: v["measure"] ?? "", period: v["period"] ?? "", value: v["value"] ?? "",
                source: v["source"] ?? "", measures: measures, line: r.line)
            {
            case .success(let e):
                let key = "\(e.measure.slug) \(e.period)"
                if let first = seen[key] {
                    problems.append(
                        Problem(
                            line: r.line, field: "period",
                            message: "the same measure and period as line \(first)"))
                } else {
                    seen[key] = r.line
                    out.append(e)
                }
            case .failure(let p): problems += p.list
            }
        }
        return problems.isEmpty ? .success(out) : .failure(.rows(problems))
    }
}

enum MeasureEntryFailure: Error {
    case refused(String)
    case rows([MeasureEntry.Problem])
}
