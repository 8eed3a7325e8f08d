import Foundation

/// One activity record as entered in a form, a CSV row or the API, before it is checked.
struct ActivityDraft: Sendable {
    var type: String
    var date: String
    var time: String = ""
    /// A stored area's slug, or empty.
    var area: String = ""
    /// Free text: a street, a postcode, a landmark.
    var location: String = ""
    var campaign: String = ""
    var visibility: String = "private"
    /// The type's own fields, by name.
    var fields: [String: String] = [:]

    /// A record that passed every check, ready to store.
    struct Checked: Sendable {
        var type: ActivityType
        var date: CalendarDay
        var time: String?
        var areaID: Int?
        var campaignID: Int?
        var location: String
        var visibility: ActivityVisibility
        var quantity: Double
        var details: [String: String]
    }

    /// Checks every field; the field names in the errors are the CSV column names.
    /// `areas` and `campaigns` map slugs to ids the user may use.
    func check(areas: [String: Int], campaigns: [String: Int], today: CalendarDay) -> Result<Checked, FieldErrors> {
        var e: [FieldError] = []
        guard let t = ActivityType.named(type) else {
            return .failure(
                FieldErrors(errors: [
                    FieldError(
                        field: "type",
                        message:
                            "“\(type)” is not an activity type; use one of \(ActivityType.all.map(\.slug).joined(separator: ", "))"
                    )
                ]))
        }
        let day = CalendarDay(date)
        if day == nil { e.append(FieldError(field: "date", message: "Enter the date as YYYY-MM-DD")) }
        if let day, today < day { e.append(FieldError(field: "date", message: "The date is in the future")) }
        var timeValue: String?
        let trimmedTime = time.trimmingCharacters(in: .whitespaces)
        if !trimmedTime.isEmpty {
            let p = trimmedTime.split(separator: ":")
            if p.count == 2, let h = Int(p[0]), let m = Int(p[1]), (0...23).contains(h), (0...59).contains(m),
                p[1].count == 2
            {
                timeValue = String(format: "%02d:%02d", h, m)
            } else {
                e.append(FieldError(field: "time", message: "Enter the time as HH:MM, 24-hour"))
            }
        }
        var areaID: Int?
        if !area.isEmpty {
            if let id = areas[area] {
                areaID = id
            } else {
                e.append(FieldError(field: "area", message: "“\(area)” is not a named area"))
            }
        }
        if area.isEmpty && location.trimmingCharacters(in: .whitespaces).isEmpty {
            e.append(FieldError(field: "location", message: "Give an area or a location"))
        }
        if location.count > 200 {
            e.append(FieldError(field: "location", message: "Keep the location under 200 characters"))
        }
        var campaignID: Int?
        if !campaign.isEmpty {
            if let id = campaigns[campaign] {
                campaignID = id
            } else {
                e.append(
                    FieldError(
                        field: "campaign", message: "“\(campaign)” is not a campaign your organisation is part of"))
            }
        }
        let vis = ActivityVisibility(rawValue: visibility.isEmpty ? "private" : visibility)
        if vis == nil { e.append(FieldError(field: "visibility", message: "Visibility is private, shared or public")) }
        var details: [String: String] = [:]
        var quantity = 0.0
        for f in t.fields {
            let raw = (fields[f.name] ?? "").trimmingCharacters(in: .whitespaces)
            if raw.isEmpty {
                if f.required { e.append(FieldError(field: f.name, message: "Enter \(f.label.lowercased())")) }
                continue
            }
            switch f.kind {
            case .integer(let lo, let hi):
                guard let v = Int(raw), v >= lo, v <= hi else {
                    e.append(
                        FieldError(field: f.name, message: "\(f.label) must be a whole number from \(lo) to \(hi)"));
                    continue
                }
                if f.name == t.quantityField { quantity = Double(v) }
            case .number(let lo, let hi):
                guard let v = Double(raw), v.isFinite, v >= lo, v <= hi else {
                    e.append(
                        FieldError(
                            field: f.name,
                            message: "\(f.label) must be a number from \(lo.formatted()) to \(hi.formatted())"));
                    continue
                }
                if f.name == t.quantityField { quantity = v }
            case .text(let max):
                if raw.count > max {
                    e.append(FieldError(field: f.name, message: "\(f.label) must be under \(max) characters")); continue
                }
            case .date:
                if CalendarDay(raw) == nil {
                    e.append(FieldError(field: f.name, message: "\(f.label): enter a date as YYYY-MM-DD")); continue
                }
            case .choice(let options):
                if !options.contains(raw) {
                    e.append(
                        FieldError(field: f.name, message: "\(f.label) is one of \(options.joined(separator: ", "))"));
                    continue
                }
            }
            details[f.name] = raw
        }
        if t.slug == "pspo", let a = details["starts_on"].flatMap(CalendarDay.init),
            let b = details["expires_on"].flatMap(CalendarDay.init), b < a
        {
            e.append(FieldError(field: "expires_on", message: "The order must expire after it starts"))
        }
        guard e.isEmpty, let day, let vis else { return .failure(FieldErrors(errors: e)) }
        return .success(
            Checked(
                type: t, date: day, time: timeValue, areaID: areaID, campaignID: campaignID,
                location: location.trimmingCharacters(in: .whitespaces), visibility: vis, quantity: quantity,
                details: details))
    }

    /// The CSV columns for a type: the same names the errors use.
    static func csvColumns(_ t: ActivityType) -> [String] {
        ["date"] + (t.hasTime ? ["time"] : []) + ["area", "location", "campaign"] + t.fields.map(\.name) + [
            "visibility"
        ]
    }
}
