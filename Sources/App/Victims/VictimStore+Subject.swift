import Fluent
import Foundation
import SQLKit

/// The data subject's rights over a victim's record: access (everything held about one
/// person, found by name and date of birth across the holder's cases) and rectification
/// (a detail corrected with the value before kept, sealed, with the reason).
extension VictimStore {
    // MARK: Finding a person

    /// The holder's cases of the person with this name and date of birth (by the keyed hash
    /// stored with each case, under every configured key: no case is opened to search).
    func cases(ofPerson name: String, dateOfBirth: CalendarDay?, holder: Int, on db: any Database) async throws
        -> [Int]
    {
        let tags = try requireCipher().matchTags(Self.personKey(name: name, dateOfBirth: dateOfBirth))
        struct Row: Decodable { var id: Int }
        return try await db.sql.raw(
            """
            SELECT id FROM victim_cases WHERE organisation_id = \(bind: holder) AND person_match IN (\(binds: tags))
            ORDER BY id
            """
        ).rows(Row.self).map(\.id)
    }

    // MARK: Rectification

    struct Rectification: Sendable {
        var field: String
        var before: String
        var after: String
        var reason: String
        var madeAt: String
        var userName: String
    }

    /// The column that holds each correctable detail, sealed under the field's name.
    static let detailColumns: [String: (column: String, sealField: String)] = [
        "name": ("name_sealed", "name"), "date_of_birth": ("date_of_birth_sealed", "date_of_birth"),
        "phone": ("phone_sealed", "phone"), "email": ("email_sealed", "email"),
        "address": ("address_sealed", "address"), "contact_preferences": ("preferences_sealed", "preferences"),
    ]

    /// Corrects one detail of a case `viewer`'s organisation holds, keeping the value before
    /// (sealed) with the reason; a new name or date of birth also renews the hash that finds
    /// the person. False if the organisation holds no such case. The value is checked by the
    /// caller (`ReferralDraft.detailProblem`).
    func rectify(
        _ id: Int, field: String, value: String, reason: String, viewer: CurrentUser, on db: any Database
    ) async throws -> Bool {
        let cipher = try requireCipher()
        guard let target = Self.detailColumns[field], try await holds(id, viewer: viewer, on: db) else { return false }
        return try await db.transaction { tx -> Bool in
            struct Row: Decodable {
                var nameSealed: String; var dateOfBirthSealed: String; var phoneSealed: String; var emailSealed: String
                var addressSealed: String; var current: String
            }
            guard
                let row = try await tx.sql.raw(
                    """
                    SELECT name_sealed, date_of_birth_sealed, phone_sealed, email_sealed, address_sealed,
                      \(unsafeRaw: target.column) AS current FROM victim_cases WHERE id = \(bind: id)
                    """
                ).row(Row.self)
            else { return false }
            // At least one way to reach the victim stays (the referral's rule).
            var reach = ["phone": row.phoneSealed, "email": row.emailSealed, "address": row.addressSealed]
            if reach[field] != nil { reach[field] = value }
            guard reach.values.contains(where: { !$0.isEmpty }) else {
                throw FieldErrors(errors: [
                    .init(
                        field: "value", message: "Keep at least one way to contact the victim: phone, e-mail or address"
                    )
                ])
            }
            let before = row.current.isEmpty ? "" : try cipher.open(row.current, field: target.sealField)
            let sealed = value.isEmpty ? "" : try cipher.seal(value, field: target.sealField)
            var name = try cipher.open(row.nameSealed, field: "name")
            var dob =
                row.dateOfBirthSealed.isEmpty ? "" : try cipher.open(row.dateOfBirthSealed, field: "date_of_birth")
            if field == "name" { name = value }
            if field == "date_of_birth" { dob = value }
            let match = cipher.matchTags(Self.personKey(name: name, dateOfBirth: CalendarDay(dob))).first ?? ""
            try await tx.sql.raw(
                """
                UPDATE victim_cases SET \(unsafeRaw: target.column) = \(bind: sealed), person_match = \(bind: match),
                  updated_at = \(bind: now().stored)
                WHERE id = \(bind: id)
                """
            ).run()
            try await tx.sql.raw(
                """
                INSERT INTO victim_rectifications (case_id, field, before_sealed, after_sealed, reason_sealed, made_at, user_id)
                VALUES (\(bind: id), \(bind: field),
                  \(bind: before.isEmpty ? "" : try cipher.seal(before, field: "rectified_" + target.sealField)),
                  \(bind: value.isEmpty ? "" : try cipher.seal(value, field: "rectified_" + target.sealField)),
                  \(bind: try cipher.seal(reason, field: "rectification_reason")), \(bind: now().stored),
                  \(bind: viewer.id))
                """
            ).run()
            try await audit.record(
                "rectify", entity: "victim_cases", id: String(id), before: nil as String?, after: ["field": field],
                by: viewer, on: tx)
            return true
        }
    }

    /// The case's corrections, oldest first, opened (the case was read, and logged, to get here).
    func rectifications(ofCase id: Int, on db: any Database) async throws -> [Rectification] {
        let cipher = try requireCipher()
        struct Row: Decodable {
            var field: String; var beforeSealed: String; var afterSealed: String; var reasonSealed: String
            var madeAt: String; var userName: String?
        }
        return try await db.sql.raw(
            """
            SELECT r.field, r.before_sealed, r.after_sealed, r.reason_sealed, r.made_at, u.name AS user_name
            FROM victim_rectifications r LEFT JOIN users u ON u.id = r.user_id WHERE r.case_id = \(bind: id)
            ORDER BY r.id
            """
        ).rows(Row.self).map { r in
            let sealField = "rectified_" + (Self.detailColumns[r.field]?.sealField ?? r.field)
            return Rectification(
                field: r.field, before: r.beforeSealed.isEmpty ? "" : try cipher.open(r.beforeSealed, field: sealField),
                after: r.afterSealed.isEmpty ? "" : try cipher.open(r.afterSealed, field: sealField),
                reason: try cipher.open(r.reasonSealed, field: "rectification_reason"), madeAt: r.madeAt,
                userName: r.userName ?? "")
        }
    }

    /// The notes of the case's onward referrals by referral id, opened.
    func onwardNotes(ofCase id: Int, on db: any Database) async throws -> [Int: String] {
        let cipher = try requireCipher()
        struct Row: Decodable { var id: Int; var noteSealed: String }
        var out: [Int: String] = [:]
        for r in try await db.sql.raw(
            "SELECT id, note_sealed FROM victim_onward_referrals WHERE case_id = \(bind: id)"
        ).rows(Row.self) where !r.noteSealed.isEmpty {
            out[r.id] = try cipher.open(r.noteSealed, field: "onward_note")
        }
        return out
    }
}
