/// The counts of many places packed as one text value by the database
/// (``AnalysisQueries/placeCounts(_:on:)``): `place=category:current:previous:year_earlier`,
/// a place's categories joined by commas and places by semicolons, e.g.
/// `E01011234=1:10:8:9,3:2:0:1;E01011235=1:4:4:5`. Read byte by byte: one value decodes in
/// a fraction of the time that a row per place and category took.
enum PackedCounts {
    /// Every well-formed group whose category has a slug in `slugs`, in the order written.
    /// A malformed group (a missing field, a number that is not one) is left out rather
    /// than trusted; so is a place with an empty name.
    static func parse(_ text: String, slugs: [Int: String]) -> [AnalysisQueries.PeriodCounts] {
        var out: [AnalysisQueries.PeriodCounts] = []
        var text = text
        text.withUTF8 { bytes in
            var i = 0
            let n = bytes.count
            while i < n {
                // The place: up to '='.
                let start = i
                while i < n && bytes[i] != UInt8(ascii: "=") && bytes[i] != UInt8(ascii: ";") { i += 1 }
                guard i < n, bytes[i] == UInt8(ascii: "=") else {
                    i += 1
                    continue
                }
                let place = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                // Its groups: up to ';'.
                while i < n && bytes[i] != UInt8(ascii: ";") {
                    var fields: (Int, Int, Int, Int) = (0, 0, 0, 0)
                    var count = 0
                    var valid = true
                    while i < n && bytes[i] != UInt8(ascii: ",") && bytes[i] != UInt8(ascii: ";") {
                        guard let (value, next) = number(bytes, from: i) else {
                            valid = false
                            while i < n && bytes[i] != UInt8(ascii: ",") && bytes[i] != UInt8(ascii: ";") { i += 1 }
                            break
                        }
                        switch count {
                        case 0: fields.0 = value
                        case 1: fields.1 = value
                        case 2: fields.2 = value
                        case 3: fields.3 = value
                        default: valid = false
                        }
                        count += 1
                        i = next
                        if i < n && bytes[i] == UInt8(ascii: ":") { i += 1 }
                    }
                    if valid, count == 4, !place.isEmpty, let slug = slugs[fields.0] {
                        out.append(
                            .init(
                                place: place, slug: slug, current: fields.1, previous: fields.2,
                                yearEarlier: fields.3))
                    }
                    if i < n && bytes[i] == UInt8(ascii: ",") { i += 1 }
                }
                i += 1
            }
        }
        return out
    }

    /// A decimal integer (optionally negative) starting at `i`, and the index after it;
    /// nil when there is no digit or it does not fit.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, Int)? {
        var i = start
        let negative = i < bytes.count && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var value = 0
        let digits = i
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(bytes[i] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = a
            i += 1
        }
        guard i > digits else { return nil }
        // A number ends at a separator; "12x" is not a number.
        if i < bytes.count, bytes[i] != UInt8(ascii: ":"), bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: ";")
        {
            return nil
        }
        return (negative ? -value : value, i)
    }
}
