import Foundation

/// The application form's fields, to and from the stored answers (pure). Every field name
/// starts with the question's id: `q12` (text, number, yes/no), `q12-line3-item` and
/// `q12-line3-y2` (budget), `q12-out1-name` and `q12-out1-target` (outputs), `q12-area-<slug>`
/// and `q12-lads` (places).
enum GrantForms {
    static let budgetLines = 8
    static let budgetYears = 3
    static let commitments = 6

    /// The answers the form carries, as stored (JSON for the structured kinds), and what
    /// could not be read (an amount that is not money, a target that is not a number).
    static func answers(from form: [String: String], questions: [Grants.Question]) -> ([Int: String], [FieldError]) {
        var out: [Int: String] = [:]
        var problems: [FieldError] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func value(_ key: String) -> String { (form[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        for q in questions {
            let key = "q\(q.id)"
            switch q.kind {
            case .eligibility, .text, .number:
                if let v = form[key] { out[q.id] = v.trimmingCharacters(in: .whitespacesAndNewlines) }
            case .budget:
                var lines: [Grants.BudgetLine] = []
                for k in 1...budgetLines {
                    let item = value("\(key)-line\(k)-item")
                    let years = (1...budgetYears).map { value("\(key)-line\(k)-y\($0)") }
                    if item.isEmpty && years.allSatisfy(\.isEmpty) { continue }
                    var pence: [Int] = []
                    for (j, y) in years.enumerated() {
                        if y.isEmpty {
                            pence.append(0)
                        } else if let p = Grants.pence(y) {
                            pence.append(p)
                        } else {
                            problems.append(
                                FieldError(
                                    field: "\(key)-line\(k)-y\(j + 1)",
                                    message: "Budget line \(k), year \(j + 1): give an amount in pounds, e.g. 12,500"))
                            pence.append(0)
                        }
                    }
                    if item.isEmpty {
                        problems.append(
                            FieldError(field: "\(key)-line\(k)-item", message: "Budget line \(k): say what it is for"))
                    }
                    lines.append(.init(item: item, years: pence))
                }
                if form.keys.contains(where: { $0.hasPrefix("\(key)-line") }) {
                    out[q.id] = String(decoding: (try? encoder.encode(lines)) ?? Data("[]".utf8), as: UTF8.self)
                }
            case .outputs:
                var items: [Grants.Commitment] = []
                for k in 1...commitments {
                    let name = value("\(key)-out\(k)-name")
                    let target = value("\(key)-out\(k)-target").replacingOccurrences(of: ",", with: "")
                    if name.isEmpty && target.isEmpty { continue }
                    guard !name.isEmpty, let t = Double(target), t.isFinite, t >= 0 else {
                        problems.append(
                            FieldError(
                                field: "\(key)-out\(k)-name",
                                message: "Output \(k): give what will be achieved and its target as a number"))
                        continue
                    }
                    items.append(.init(name: name, target: t))
                }
                if form.keys.contains(where: { $0.hasPrefix("\(key)-out") }) {
                    out[q.id] = String(decoding: (try? encoder.encode(items)) ?? Data("[]".utf8), as: UTF8.self)
                }
            case .places:
                guard form.keys.contains(where: { $0.hasPrefix("\(key)-area-") }) || form["\(key)-lads"] != nil else {
                    continue
                }
                var places = form.keys.filter { $0.hasPrefix("\(key)-area-") }.map {
                    "area:" + $0.dropFirst("\(key)-area-".count)
                }.sorted()
                for code in value("\(key)-lads").split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
                    let c = code.uppercased()
                    if c.count == 9, ["E06", "E07", "E08", "E09", "W06"].contains(String(c.prefix(3))),
                        c.dropFirst(3).allSatisfy(\.isNumber)
                    {
                        places.append("lad:\(c)")
                    } else {
                        problems.append(
                            FieldError(
                                field: "\(key)-lads",
                                message: "“\(c.prefix(20))” is not a local authority code (e.g. E07000148)"))
                    }
                }
                out[q.id] = String(decoding: (try? encoder.encode(places)) ?? Data("[]".utf8), as: UTF8.self)
            }
        }
        return (out, problems)
    }

    /// A stored answer as the form's fields (to fill the form again).
    static func fields(_ answers: [Int: String], questions: [Grants.Question]) -> [String: String] {
        var out: [String: String] = [:]
        for q in questions {
            let key = "q\(q.id)"
            guard let a = answers[q.id] else { continue }
            switch q.kind {
            case .eligibility, .text, .number: out[key] = a
            case .budget:
                let lines = (try? JSONDecoder().decode([Grants.BudgetLine].self, from: Data(a.utf8))) ?? []
                for (k, l) in lines.prefix(budgetLines).enumerated() {
                    out["\(key)-line\(k + 1)-item"] = l.item
                    for (j, p) in l.years.prefix(budgetYears).enumerated() where p != 0 {
                        out["\(key)-line\(k + 1)-y\(j + 1)"] =
                            p % 100 == 0 ? String(p / 100) : String(format: "%.2f", Double(p) / 100)
                    }
                }
            case .outputs:
                let items = (try? JSONDecoder().decode([Grants.Commitment].self, from: Data(a.utf8))) ?? []
                for (k, c) in items.prefix(commitments).enumerated() {
                    out["\(key)-out\(k + 1)-name"] = c.name
                    out["\(key)-out\(k + 1)-target"] = HotspotExport.number(c.target)
                }
            case .places:
                let places = (try? JSONDecoder().decode([String].self, from: Data(a.utf8))) ?? []
                for p in places where p.hasPrefix("area:") { out["\(key)-area-\(p.dropFirst(5))"] = "on" }
                out["\(key)-lads"] = places.filter { $0.hasPrefix("lad:") }.map { String($0.dropFirst(4)) }.joined(
                    separator: ", ")
            }
        }
        return out
    }

    /// An answer in words, for the read-only views (panel, officer, a submitted application).
    static func readable(_ answer: String?, _ q: Grants.Question, areaNames: [String: String]) -> [String] {
        guard let a = answer, !a.isEmpty else { return ["Not answered"] }
        switch q.kind {
        case .eligibility: return [a == "yes" ? "Yes" : a == "no" ? "No" : a]
        case .text, .number: return [a]
        case .budget:
            let lines = (try? JSONDecoder().decode([Grants.BudgetLine].self, from: Data(a.utf8))) ?? []
            let total = lines.flatMap(\.years).reduce(0, +)
            return lines.map { l in
                "\(l.item): "
                    + l.years.enumerated().map { "year \($0 + 1) \(Grants.pounds($1))" }.joined(separator: ", ")
            } + ["Total \(Grants.pounds(total))"]
        case .outputs:
            let items = (try? JSONDecoder().decode([Grants.Commitment].self, from: Data(a.utf8))) ?? []
            return items.map { "\($0.name): \(HotspotExport.number($0.target))" }
        case .places:
            let places = (try? JSONDecoder().decode([String].self, from: Data(a.utf8))) ?? []
            return places.map { p in
                p.hasPrefix("area:")
                    ? areaNames[String(p.dropFirst(5))] ?? String(p.dropFirst(5)) : String(p.dropFirst(4))
            }
        }
    }
}
