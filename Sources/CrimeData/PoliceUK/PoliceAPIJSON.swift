import Foundation

/// The JSON of the data.police.uk API (data.police.uk/docs), written byte by byte so that
/// a server can answer with the same shapes police.uk serves without building objects per
/// crime: field names, nesting and types as police.uk has them (latitude and longitude
/// as strings, `persistent_id` empty for ASB, `outcome_status` null when there is none,
/// `location` and `location_type` null for crimes without a location).
public enum PoliceAPIJSON {
    /// A police.uk crime (the objects of `crimes-street`, `crimes-at-location`,
    /// `crimes-no-location`, and the `crime` of the outcome methods).
    public struct Crime: Sendable, Equatable {
        public var category: String
        /// 64 lowercase hex characters; empty for ASB (police.uk gives it none).
        public var persistentID: String
        public var id: Int64
        /// `YYYY-MM`.
        public var month: String
        public var context: String
        public var location: Location?
        /// "Force", or "BTP" for British Transport Police locations.
        public var locationType: String
        public var locationSubtype: String
        /// The latest outcome: its name and its month (`YYYY-MM`).
        public var outcome: (category: String, date: String)?

        public init(
            category: String, persistentID: String, id: Int64, month: String, context: String,
            location: Location?, locationType: String = "Force", locationSubtype: String = "",
            outcome: (category: String, date: String)?
        ) {
            self.category = category
            self.persistentID = persistentID
            self.id = id
            self.month = month
            self.context = context
            self.location = location
            self.locationType = locationType
            self.locationSubtype = locationSubtype
            self.outcome = outcome
        }

        public static func == (a: Crime, b: Crime) -> Bool {
            a.category == b.category && a.persistentID == b.persistentID && a.id == b.id && a.month == b.month
                && a.context == b.context && a.location == b.location && a.locationType == b.locationType
                && a.locationSubtype == b.locationSubtype && a.outcome?.category == b.outcome?.category
                && a.outcome?.date == b.outcome?.date
        }

        /// The crime as `crimes-street` serves it, `outcome_status` included.
        public func write(to out: inout [UInt8]) {
            write(to: &out, withOutcomeStatus: true)
        }

        /// The outcome methods' `crime` object has no `outcome_status`.
        public func write(to out: inout [UInt8], withOutcomeStatus: Bool) {
            out.append(contentsOf: #"{"category":"#.utf8)
            PoliceAPIJSON.string(category, to: &out)
            out.append(contentsOf: #","persistent_id":"#.utf8)
            PoliceAPIJSON.string(persistentID, to: &out)
            out.append(contentsOf: #","location_subtype":"#.utf8)
            PoliceAPIJSON.string(locationSubtype, to: &out)
            out.append(contentsOf: #","id":"#.utf8)
            out.append(contentsOf: String(id).utf8)
            out.append(contentsOf: #","location":"#.utf8)
            if let location { location.write(to: &out) } else { out.append(contentsOf: "null".utf8) }
            out.append(contentsOf: #","context":"#.utf8)
            PoliceAPIJSON.string(context, to: &out)
            out.append(contentsOf: #","month":"#.utf8)
            PoliceAPIJSON.string(month, to: &out)
            out.append(contentsOf: #","location_type":"#.utf8)
            if location == nil {
                out.append(contentsOf: "null".utf8)
            } else {
                PoliceAPIJSON.string(locationType, to: &out)
            }
            if withOutcomeStatus {
                out.append(contentsOf: #","outcome_status":"#.utf8)
                if let outcome {
                    out.append(contentsOf: #"{"category":"#.utf8)
                    PoliceAPIJSON.string(outcome.category, to: &out)
                    out.append(contentsOf: #","date":"#.utf8)
                    PoliceAPIJSON.string(outcome.date, to: &out)
                    out.append(UInt8(ascii: "}"))
                } else {
                    out.append(contentsOf: "null".utf8)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// An anonymised map point: police.uk's `location` object.
    public struct Location: Sendable, Equatable {
        public var latitude: Double
        public var longitude: Double
        /// The "On or near …" text of the CSV files.
        public var streetName: String

        public init(latitude: Double, longitude: Double, streetName: String) {
            self.latitude = latitude
            self.longitude = longitude
            self.streetName = streetName
        }

        /// The point's id: police.uk numbers its map points; SaferStreets derives the number
        /// from the point itself (see `PoliceLocationID`), so the same point always has the
        /// same id and `location_id` finds it again.
        public var id: Int64 { PoliceLocationID.make(latitude: latitude, longitude: longitude) }

        public func write(to out: inout [UInt8]) {
            out.append(contentsOf: #"{"latitude":"#.utf8)
            PoliceAPIJSON.coordinate(latitude, to: &out)
            out.append(contentsOf: #","street":{"id":"#.utf8)
            out.append(contentsOf: String(id).utf8)
            out.append(contentsOf: #","name":"#.utf8)
            PoliceAPIJSON.string(streetName, to: &out)
            out.append(contentsOf: #"},"longitude":"#.utf8)
            PoliceAPIJSON.coordinate(longitude, to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// One outcome of a crime's history (`outcomes-for-crime`, `outcomes-at-location`).
    public struct Outcome: Sendable, Equatable {
        public var name: String
        /// `YYYY-MM`.
        public var date: String

        public init(name: String, date: String) {
            self.name = name
            self.date = date
        }

        /// `{"category":{"code","name"},"date","person_id":null}`, then `crime` when given.
        public func write(to out: inout [UInt8], crime: Crime? = nil) {
            out.append(contentsOf: #"{"category":{"code":"#.utf8)
            PoliceAPIJSON.string(PoliceOutcomeCode.code(forName: name), to: &out)
            out.append(contentsOf: #","name":"#.utf8)
            PoliceAPIJSON.string(name, to: &out)
            out.append(contentsOf: #"},"date":"#.utf8)
            PoliceAPIJSON.string(date, to: &out)
            out.append(contentsOf: #","person_id":null"#.utf8)
            if let crime {
                out.append(contentsOf: #","crime":"#.utf8)
                crime.write(to: &out, withOutcomeStatus: false)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A stop and search (`stops-street`, `stops-at-location`, `stops-no-location`,
    /// `stops-force`). Text fields hold the CSV's values; empty ones are written as null
    /// where police.uk writes null.
    public struct Stop: Sendable, Equatable {
        public var type: String
        /// `2024-01-04T07:41:00+00:00`.
        public var datetime: String
        /// The CSV's "Part of a policing operation": "True", "False" or empty.
        public var partOfOperation: String
        public var operationName: String
        public var location: Location?
        public var gender: String
        public var ageRange: String
        public var selfDefinedEthnicity: String
        public var officerDefinedEthnicity: String
        public var legislation: String
        public var objectOfSearch: String
        public var outcome: String
        public var outcomeLinkedToObject: String
        public var removalOfMoreThanOuterClothing: String

        public init(
            type: String, datetime: String, partOfOperation: String, operationName: String, location: Location?,
            gender: String, ageRange: String, selfDefinedEthnicity: String, officerDefinedEthnicity: String,
            legislation: String, objectOfSearch: String, outcome: String, outcomeLinkedToObject: String,
            removalOfMoreThanOuterClothing: String
        ) {
            self.type = type
            self.datetime = datetime
            self.partOfOperation = partOfOperation
            self.operationName = operationName
            self.location = location
            self.gender = gender
            self.ageRange = ageRange
            self.selfDefinedEthnicity = selfDefinedEthnicity
            self.officerDefinedEthnicity = officerDefinedEthnicity
            self.legislation = legislation
            self.objectOfSearch = objectOfSearch
            self.outcome = outcome
            self.outcomeLinkedToObject = outcomeLinkedToObject
            self.removalOfMoreThanOuterClothing = removalOfMoreThanOuterClothing
        }

        public func write(to out: inout [UInt8]) {
            func field(_ name: String, first: Bool = false) {
                if !first { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: name.utf8)
                out.append(contentsOf: "\":".utf8)
            }
            func nullable(_ value: String) {
                if value.isEmpty { out.append(contentsOf: "null".utf8) } else { PoliceAPIJSON.string(value, to: &out) }
            }
            func boolean(_ value: String) {
                switch value.lowercased() {
                case "true": out.append(contentsOf: "true".utf8)
                case "false": out.append(contentsOf: "false".utf8)
                default: out.append(contentsOf: "null".utf8)
                }
            }
            out.append(UInt8(ascii: "{"))
            field("age_range", first: true); nullable(ageRange)
            field("officer_defined_ethnicity"); nullable(officerDefinedEthnicity)
            field("involved_person"); out.append(contentsOf: (type == "Vehicle search" ? "false" : "true").utf8)
            field("self_defined_ethnicity"); nullable(selfDefinedEthnicity)
            field("gender"); nullable(gender)
            field("legislation"); nullable(legislation)
            field("outcome_linked_to_object_of_search"); boolean(outcomeLinkedToObject)
            field("datetime"); PoliceAPIJSON.string(datetime, to: &out)
            field("outcome_object")
            out.append(contentsOf: #"{"id":"#.utf8)
            PoliceAPIJSON.string(outcome.isEmpty ? "" : PoliceOutcomeCode.stopCode(forName: outcome), to: &out)
            out.append(contentsOf: #","name":"#.utf8)
            PoliceAPIJSON.string(outcome, to: &out)
            out.append(UInt8(ascii: "}"))
            field("location")
            if let location { location.write(to: &out) } else { out.append(contentsOf: "null".utf8) }
            field("object_of_search"); nullable(objectOfSearch)
            field("operation"); boolean(partOfOperation)
            field("outcome"); PoliceAPIJSON.string(outcome, to: &out)
            field("type"); PoliceAPIJSON.string(type, to: &out)
            field("operation_name"); nullable(operationName)
            field("removal_of_more_than_outer_clothing"); boolean(removalOfMoreThanOuterClothing)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON array of items each written by `write`.
    public static func array<S: Sequence>(
        _ items: S, to out: inout [UInt8], _ write: (S.Element, inout [UInt8]) -> Void
    ) {
        out.append(UInt8(ascii: "["))
        for (n, item) in items.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            write(item, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// An object of string values, keys in the order given: `{"id":"…","name":"…"}`.
    public static func stringObject(_ pairs: KeyValuePairs<String, String>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (n, pair) in pairs.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            string(pair.key, to: &out)
            out.append(UInt8(ascii: ":"))
            string(pair.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A JSON string literal (RFC 8259 escaping; non-ASCII written as UTF-8).
    public static func string(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A coordinate as police.uk writes it: a string with six decimals ("52.629831").
    public static func coordinate(_ value: Double, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: coordinateText(value).utf8)
        out.append(UInt8(ascii: "\""))
    }

    public static func coordinateText(_ value: Double) -> String {
        let micro = Int64((value * 1_000_000).rounded())
        let sign = micro < 0 ? "-" : ""
        let whole = abs(micro) / 1_000_000, fraction = abs(micro) % 1_000_000
        let digits = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: 6 - digits.count) + digits
    }
}

/// Map point ids. police.uk numbers its anonymised map points; a local copy of the open
/// data has only the points' coordinates (six decimals in the CSV files), so the id is
/// made from them: `(latitude − 40)·10⁶ · 10⁸ + (longitude + 20)·10⁶` for points within
/// 40–70° N and 20° W–20° E (police.uk's data lies inside: England, Wales and Northern
/// Ireland). Below 3·10¹⁵, under 2⁵³, so every JSON client reads it exactly; reversible,
/// so `location_id` needs no table. A point outside that box has id 0.
public enum PoliceLocationID {
    static let scale = 100_000_000 as Int64

    public static func make(latitude: Double, longitude: Double) -> Int64 {
        guard latitude >= 40, latitude < 70, longitude >= -20, longitude < 20 else { return 0 }
        let lat = Int64(((latitude - 40) * 1_000_000).rounded())
        let lng = Int64(((longitude + 20) * 1_000_000).rounded())
        return lat * scale + lng
    }

    /// The point an id stands for, or nil when the number cannot be one.
    public static func point(of id: Int64) -> (latitude: Double, longitude: Double)? {
        guard id > 0, id < 30_000_000 * scale, id % scale < 40_000_000 else { return nil }
        return (Double(id / scale) / 1_000_000 + 40, Double(id % scale) / 1_000_000 - 20)
    }
}

/// police.uk's outcome codes (data.police.uk/docs/method/outcomes-for-crime) for the
/// outcome names of the CSV files; a name police.uk adds later gets a code made from it.
public enum PoliceOutcomeCode {
    public static let crimeCodes: [String: String] = [
        "Under investigation": "under-investigation",
        "Awaiting court outcome": "awaiting-court-result",
        "Court result unavailable": "court-result-unavailable",
        "Court case unable to proceed": "unable-to-proceed",
        "Local resolution": "local-resolution",
        "Investigation complete; no suspect identified": "no-further-action",
        "Offender deprived of property": "deprived-of-property",
        "Offender fined": "fined",
        "Offender given absolute discharge": "absolute-discharge",
        "Offender given a caution": "cautioned",
        "Offender given a drugs possession warning": "drugs-possession-warning",
        "Offender given penalty notice": "penalty-notice-issued",
        "Offender given community sentence": "community-penalty",
        "Offender given conditional discharge": "conditional-discharge",
        "Offender given suspended prison sentence": "suspended-sentence",
        "Offender sent to prison": "imprisoned",
        "Offender otherwise dealt with": "other",
        "Offender ordered to pay compensation": "compensation",
        "Suspect charged as part of another case": "sentenced-in-another-case",
        "Suspect charged": "charged",
        "Defendant found not guilty": "not-guilty",
        "Defendant sent to Crown Court": "sent-to-crown-court",
        "Unable to prosecute suspect": "unable-to-prosecute",
        "Formal action is not in the public interest": "formal-action-not-in-public-interest",
        "Action to be taken by another organisation": "action-taken-by-another-organisation",
        "Further investigation is not in the public interest": "further-investigation-not-in-public-interest",
        "Further action is not in the public interest": "further-action-not-in-public-interest",
        "Offender given a community resolution": "community-resolution",
        "Status update unavailable": "status-update-unavailable",
    ]

    public static let stopCodes: [String: String] = [
        "A no further action disposal": "bu-no-further-action",
        "Nothing found - no further action": "bu-no-further-action",
        "Arrest": "bu-arrest",
        "Community resolution": "bu-community-resolution",
        "Summons / charged by post": "bu-summons",
        "Penalty Notice for Disorder": "bu-penalty-notice",
        "Khat or Cannabis warning": "bu-khat-or-cannabis-warning",
        "Caution (simple or conditional)": "bu-caution",
    ]

    public static func code(forName name: String) -> String {
        crimeCodes[name] ?? CrimeCategory.slug(forName: name)
    }

    public static func stopCode(forName name: String) -> String {
        stopCodes[name] ?? "bu-" + CrimeCategory.slug(forName: name)
    }
}
