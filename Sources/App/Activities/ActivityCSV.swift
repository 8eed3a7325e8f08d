import CrimeData
import Foundation

/// Activity records from a CSV file (RFC 4180, UTF-8, optional BOM): a header naming the
/// columns of ``ActivityDraft/csvColumns(_:)`` in any order, then one record per row. Every
/// row is checked; any problem means nothing is stored.
enum ActivityCSV {
    struct RowError: Sendable { var line: Int; var field: String; var message: String }

    enum Failure: Error {
        /// The file as a whole is wrong (not CSV, wrong header, empty).
        case refused(String)
        /// Some rows are wrong: every problem, with its line and column.
        case rows([RowError])
    }

    static let maximumRows = 100_000
    /// No activity type has more than about 20 columns; a few spare for comments.
    static let maximumColumns = 64

    static func read(
        _ bytes: [UInt8], type: ActivityType, areas: [String: Int], campaigns: [String: Int], today: CalendarDay
    ) -> Result<[ActivityDraft.Checked], Failure> {
        let table: CSVTable
        switch CSVTable.read(bytes, maximumRows: maximumRows, maximumColumns: maximumColumns) {
        case .success(let t): table = t
        case .failure(let refusal): return .failure(.refused(refusal.description))
        }
        let names = table.header
        let expected = ActivityDraft.csvColumns(type)
        let required = Set(expected).subtracting(["time", "area", "location", "campaign", "visibility"])
            .subtracting(type.fields.filter { !$0.required }.map(\.name))
        let missing = expected.filter { required.contains($0) && !names.contains($0) }
        let allUnknown = names.filter { !expected.contains($0) }
        // Name a few, never thousands: the message goes back to the browser.
        let unknown =
            allUnknown.count <= 10
            ? allUnknown.map { String($0.prefix(60)) }
            : allUnknown.prefix(10).map { String($0.prefix(60)) } + ["and \(allUnknown.count - 10) more"]
        guard missing.isEmpty, unknown.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty {
                parts.append("missing column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))")
            }
            if !unknown.isEmpty {
                parts.append("unknown column\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", "))")
            }
            return .failure(
                .refused(
                    "the header does not fit a \(type.label.lowercased()) file: " + parts.joined(separator: "; ")
                        + ". Download the template for the columns"))
        }
        guard !table.records.isEmpty else { return .failure(.refused("the file has a header but no records")) }
        var checked: [ActivityDraft.Checked] = []
        checked.reserveCapacity(table.records.count)
        var errors: [RowError] = []
        for record in table.records {
            let (line, fields) = (record.line, record.fields)
            guard fields.count == names.count else {
                errors.append(
                    RowError(
                        line: line, field: "", message: "has \(fields.count) fields; the header has \(names.count)"))
                continue
            }
            var value: [String: String] = [:]
            for (n, v) in zip(names, fields) { value[n] = v }
            var draft = ActivityDraft(
                type: type.slug, date: value["date"] ?? "", time: value["time"] ?? "", area: value["area"] ?? "",
                location: value["location"] ?? "", campaign: value["campaign"] ?? "",
                visibility: value["visibility"] ?? "")
            for f in type.fields { draft.fields[f.name] = value[f.name] }
            switch draft.check(areas: areas, campaigns: campaigns, today: today) {
            case .success(let c): checked.append(c)
            case .failure(let e): errors += e.errors.map { RowError(line: line, field: $0.field, message: $0.message) }
            }
        }
        return errors.isEmpty ? .success(checked) : .failure(.rows(errors))
    }

    /// A template: the header and one example row.
    static func template(_ type: ActivityType, today: CalendarDay) -> String {
        let columns = ActivityDraft.csvColumns(type)
        let example: [String] = columns.map { c in
            switch c {
            case "date": return today.description
            case "time": return "19:30"
            case "area": return ""
            case "location": return "Market Place"
            case "campaign": return ""
            case "visibility": return "shared"
            default:
                guard let f = type.fields.first(where: { $0.name == c }) else { return "" }
                switch f.kind {
                case .integer(let lo, _): return String(max(lo, 1))
                case .number(let lo, _): return String(max(lo, 1).formatted())
                case .text: return "Describe it here"
                case .date: return today.description
                case .choice(let options): return options[0]
                }
            }
        }
        return CSVWriter.record(columns) + CSVWriter.record(example)
    }
}
