import CrimeData
import Foundation

/// The police's referrals as a CSV file (for a force without an API connection): the JSON
/// batch's fields as columns, one referral a row, `enhanced` with `;` between categories.
/// Checked whole before anything is stored: every problem is named by line and column.
enum ReferralCSV {
    static let columns = [
        "reference", "crime_reference", "crime_type", "reported_on", "name", "date_of_birth", "phone", "email",
        "address", "contact_preferences", "language", "interpreter", "age_band", "enhanced", "consent", "consent_on",
        "consent_how", "local_authority",
    ]
    static let required: Set<String> = ["reference", "crime_type", "reported_on", "name", "age_band", "consent"]
    static let maximumRows = VictimController.maxBatch

    struct RowError: Sendable, Equatable {
        var line: Int
        var field: String
        var message: String
    }

    enum Failure: Error, Sendable, Equatable {
        /// The file as a whole: not CSV, too big, wrong header, no rows.
        case refused(String)
        case rows([RowError])
    }

    /// A template: the header and one made-up row.
    static let template =
        columns.joined(separator: ",") + "\n"
        + "NC-2026-000123,36/12345/26,burglary,2026-11-30,Sam Example,,07700 900123,,,Weekday evenings,English,no,"
        + "35-49,intimidated,not-declined,,,E07000148\n"

    static func read(_ bytes: [UInt8], today: CalendarDay, localAuthorities: Set<String>)
        -> Result<[ReferralDraft.Referral], Failure>
    {
        let table: CSVTable
        switch CSVTable.read(bytes, maximumRows: maximumRows, maximumColumns: 64) {
        case .success(let t): table = t
        case .failure(let refusal): return .failure(.refused(refusal.description))
        }
        let names = table.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = columns.filter { required.contains($0) && !names.contains($0) }
        let unknown = names.filter { !columns.contains($0) }.prefix(10).map { String($0.prefix(60)) }
        guard missing.isEmpty, unknown.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing columns \(missing.joined(separator: ", "))") }
            if !unknown.isEmpty { parts.append("unknown columns \(unknown.joined(separator: ", "))") }
            return .failure(
                .refused("the header does not fit a referrals file: \(parts.joined(separator: "; ")). See the template")
            )
        }
        guard !table.records.isEmpty else { return .failure(.refused("the file has a header but no referrals")) }
        let index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var checked: [ReferralDraft.Referral] = []
        var errors: [RowError] = []
        var seen: [String: Int] = [:]
        for record in table.records {
            let f = record.fields
            guard f.count == names.count else {
                errors.append(
                    .init(
                        line: record.line, field: "",
                        message: "has \(f.count) fields where the header has \(names.count)"))
                continue
            }
            func v(_ name: String) -> String { index[name].map { f[$0] } ?? "" }
            let draft = ReferralDraft(
                reference: v("reference"), crimeReference: v("crime_reference"), crimeType: v("crime_type"),
                reportedOn: v("reported_on"), name: v("name"), dateOfBirth: v("date_of_birth"), phone: v("phone"),
                email: v("email"), address: v("address"), contactPreferences: v("contact_preferences"),
                language: v("language"), interpreter: v("interpreter"), ageBand: v("age_band"),
                enhanced: v("enhanced").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty },
                consent: v("consent"), consentOn: v("consent_on"), consentHow: v("consent_how"),
                localAuthority: v("local_authority"))
            switch draft.check(today: today, localAuthorities: localAuthorities, needsReference: true) {
            case .success(let r):
                if let first = seen[r.reference] {
                    errors.append(
                        .init(line: record.line, field: "reference", message: "is used twice (line \(first) too)"))
                } else {
                    seen[r.reference] = record.line
                    checked.append(r)
                }
            case .failure(let e):
                errors += e.errors.map { RowError(line: record.line, field: $0.field, message: $0.message) }
            }
        }
        return errors.isEmpty ? .success(checked) : .failure(.rows(errors))
    }
}
