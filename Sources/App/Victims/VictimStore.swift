import CrimeData
import Crypto
import Fluent
import Foundation
import SQLKit

/// Victims' cases in the database: referrals received (sealed field by field before they are
/// written), cases read only through their holding organisation, contacts, and the read log.
/// Every read that returns a person's details goes through `openCase`, which writes the read
/// log in the same call; nothing here returns a case to someone outside its organisation.
struct VictimStore: Sendable {
    /// Nil when no data key is configured: then no case can be stored or read.
    let cipher: FieldCipher?
    let audit: AuditLog
    var now: @Sendable () -> Date = { Date() }

    enum Failure: Error, CustomStringConvertible {
        case noKey
        /// A stored record that cannot be read as written (which one, and what is wrong).
        case damaged(String)
        var description: String {
            switch self {
            case .noKey: "Victims' records need a data key: set SAFERSTREETS_DATA_KEYS (README, Configuration)."
            case .damaged(let what): "A stored victims' record cannot be read: \(what)."
            }
        }
    }

    func requireCipher() throws -> FieldCipher {
        guard let cipher else { throw Failure.noKey }
        return cipher
    }

    // MARK: Organisations

    struct Service: Decodable, Sendable {
        var id: Int
        var slug: String
        var name: String
        var kind: String
    }

    func organisation(_ id: Int, on db: any Database) async throws -> Service? {
        try await db.sql.raw("SELECT id, slug, name, kind FROM organisations WHERE id = \(bind: id)").row(Service.self)
    }

    /// The victim services (organisations that hold cases), by name.
    func services(on db: any Database) async throws -> [Service] {
        try await db.sql.raw(
            "SELECT id, slug, name, kind FROM organisations WHERE kind = \(bind: OrganisationKind.victimService.rawValue) ORDER BY name"
        ).rows(Service.self)
    }

    func localAuthorities(on db: any Database) async throws -> Set<String> {
        struct Row: Decodable { var ladCode: String }
        return Set(try await db.sql.raw("SELECT DISTINCT lad_code FROM lsoas").rows(Row.self).map(\.ladCode))
    }

    // MARK: Receiving referrals

    struct Received: Sendable, Equatable {
        var created = 0
        /// Sent before (the same force reference): nothing changed.
        var unchanged = 0
        /// The same crime reference and person as a case already held: stored and linked.
        var duplicates = 0
    }

    /// Stores checked referrals for `holder`, all or none: a reference the sender used before
    /// is skipped (the batch is safe to send again), a second referral of the same person for
    /// the same crime is linked to the first.
    func receive(
        _ referrals: [ReferralDraft.Referral], holder: Int, referredBy: Int?, source: Victims.Source,
        by user: CurrentUser?, on db: any Database
    ) async throws -> Received {
        let cipher = try requireCipher()
        let now = now().stored
        return try await db.transaction { tx -> Received in
            var result = Received()
            // Sent before: the sender's references already stored.
            var seen = Set<String>()
            if let referredBy {
                let refs = referrals.map(\.reference).filter { !$0.isEmpty }
                for chunk in refs.chunks(of: 500) {
                    struct Row: Decodable { var reference: String }
                    let rows = try await tx.sql.raw(
                        """
                        SELECT reference FROM victim_cases WHERE referred_by = \(bind: referredBy)
                          AND reference IN (\(binds: Array(chunk)))
                        """
                    ).rows(Row.self)
                    seen.formUnion(rows.map(\.reference))
                }
            }
            var unseen: [ReferralDraft.Referral] = []
            for r in referrals {
                if !r.reference.isEmpty, !seen.insert(r.reference).inserted {
                    result.unchanged += 1
                    continue
                }
                unseen.append(r)
            }
            // Keyed hashes (one per data key) on every core.
            let tags = try await concurrentMap(unseen) { cipher.matchTags(Self.personKey($0)) }
            let fresh = Array(zip(unseen, tags))
            // Cases already held for the same crime reference and person (under any key),
            // keyed `crime reference|match tag`; the first held for a key wins.
            var existing: [String: Int] = [:]
            func readOriginals(_ crimeRefs: Set<String>) async throws {
                for chunk in Array(crimeRefs).chunks(of: 500) {
                    struct Row: Decodable { var id: Int; var crimeReference: String; var personMatch: String }
                    let rows = try await tx.sql.raw(
                        """
                        SELECT id, crime_reference, person_match FROM victim_cases
                        WHERE organisation_id = \(bind: holder) AND duplicate_of IS NULL
                          AND crime_reference IN (\(binds: Array(chunk)))
                        """
                    ).rows(Row.self)
                    for row in rows where existing[row.crimeReference + "|" + row.personMatch] == nil {
                        existing[row.crimeReference + "|" + row.personMatch] = row.id
                    }
                }
            }
            try await readOriginals(Set(fresh.map(\.0.crimeReference).filter { !$0.isEmpty }))
            func original(_ r: ReferralDraft.Referral, _ tags: [String]) -> Int? {
                guard !r.crimeReference.isEmpty else { return nil }
                return tags.lazy.compactMap { existing[r.crimeReference + "|" + $0] }.first
            }
            // First the new cases, then the duplicates (which need their original's id).
            var firsts: [(ReferralDraft.Referral, [String])] = []
            var later: [(ReferralDraft.Referral, [String])] = []
            var batchKeys = Set<String>()
            for (r, tags) in fresh {
                let key = r.crimeReference + "|" + tags[0]
                if original(r, tags) != nil || (!r.crimeReference.isEmpty && batchKeys.contains(key)) {
                    later.append((r, tags))
                } else {
                    batchKeys.insert(key)
                    firsts.append((r, tags))
                }
            }
            try await insert(
                firsts.map { ($0.0, $0.1[0], nil) }, cipher: cipher, holder: holder, referredBy: referredBy,
                source: source, by: user, now: now, on: tx)
            if !later.isEmpty {
                // The originals this batch just stored, for their duplicates to point at.
                try await readOriginals(Set(later.map(\.0.crimeReference)))
                try await insert(
                    later.map { ($0.0, $0.1[0], original($0.0, $0.1)) }, cipher: cipher, holder: holder,
                    referredBy: referredBy, source: source, by: user, now: now, on: tx)
            }
            result.created = firsts.count
            result.duplicates = later.count
            // Date the new cases' clocks (the ones just stored: received now, no contact yet).
            struct New: Decodable { var id: Int }
            try await recomputeClocks(
                try await tx.sql.raw(
                    """
                    SELECT id FROM victim_cases WHERE organisation_id = \(bind: holder) AND status = 'open'
                      AND received_at = \(bind: now) AND first_contact_at IS NULL
                    """
                ).rows(New.self).map(\.id), on: tx)
            try await audit.record(
                "receive", entity: "victim_referrals", id: source.rawValue, before: nil as String?,
                after: [
                    "holder": String(holder), "created": String(result.created),
                    "duplicates": String(result.duplicates), "unchanged": String(result.unchanged),
                ], by: user, on: tx)
            return result
        }
    }

    private func insert(
        _ rows: [(ReferralDraft.Referral, match: String, duplicateOf: Int?)], cipher: FieldCipher, holder: Int,
        referredBy: Int?, source: Victims.Source, by user: CurrentUser?, now: String, on db: any Database
    ) async throws {
        // Sealed on every core first: AES-GCM of six fields of thousands of referrals.
        let sealed = try await concurrentMap(rows.map(\.0)) { try SealedDetails($0, cipher: cipher) }
        for (chunk, sealedChunk) in zip(rows.chunks(of: 200), sealed.chunks(of: 200)) {
            var insert = db.sql.insert(into: "victim_cases").columns(
                "organisation_id", "referred_by", "source", "reference", "crime_reference", "crime_type", "reported_on",
                "received_at", "person_match", "duplicate_of", "name_sealed", "date_of_birth_sealed", "phone_sealed",
                "email_sealed", "address_sealed", "preferences_sealed", "language", "interpreter", "age_band",
                "enhanced", "explicit_consent", "consent_on", "consent_how", "local_authority", "status", "created_by",
                "updated_at")
            for ((r, match, duplicateOf), s) in zip(chunk, sealedChunk) {
                insert = insert.values(
                    SQLBind(holder), SQLBind(referredBy), SQLBind(source.rawValue),
                    SQLBind(r.reference.isEmpty ? nil : r.reference), SQLBind(r.crimeReference),
                    SQLBind(r.crimeType.rawValue), SQLBind(r.reportedOn.description), SQLBind(now), SQLBind(match),
                    SQLBind(duplicateOf), SQLBind(s.name), SQLBind(s.dateOfBirth), SQLBind(s.phone),
                    SQLBind(s.email), SQLBind(s.address), SQLBind(s.preferences),
                    SQLBind(r.language), SQLBind(r.interpreter ? 1 : 0), SQLBind(r.ageBand.rawValue),
                    SQLBind(Victims.stored(r.enhanced)), SQLBind(r.explicitConsent ? 1 : 0),
                    SQLBind(r.consentOn?.description), SQLBind(r.consentHow?.rawValue), SQLBind(r.localAuthority),
                    SQLBind(duplicateOf == nil ? "open" : "duplicate"), SQLBind(user?.id), SQLBind(now))
            }
            try await insert.run()
        }
    }

    /// A referral's contact details sealed for storing (an empty value stays empty).
    struct SealedDetails: Sendable {
        var name, dateOfBirth, phone, email, address, preferences: String

        init(_ r: ReferralDraft.Referral, cipher: FieldCipher) throws {
            func seal(_ value: String, _ field: String) throws -> String {
                value.isEmpty ? "" : try cipher.seal(value, field: field)
            }
            name = try seal(r.name, "name")
            dateOfBirth = try seal(r.dateOfBirth?.description ?? "", "date_of_birth")
            phone = try seal(r.phone, "phone")
            email = try seal(r.email, "email")
            address = try seal(r.address, "address")
            preferences = try seal(r.contactPreferences, "preferences")
        }
    }

    /// What identifies a person for recognising a second referral: the name (case and spaces
    /// ignored) and the date of birth when given.
    static func personKey(_ r: ReferralDraft.Referral) -> String {
        personKey(name: r.name, dateOfBirth: r.dateOfBirth)
    }

    static func personKey(name: String, dateOfBirth: CalendarDay?) -> String {
        name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ") + "|"
            + (dateOfBirth?.description ?? "")
    }

    // MARK: Lists (no personal details)

    struct Summary: Decodable, Sendable {
        var id: Int
        var source: String
        var crimeReference: String
        var crimeType: String
        var reportedOn: String
        var receivedAt: String
        var ageBand: String
        var enhanced: String
        var status: String
        var duplicateOf: Int?
        var firstContactAt: String?
        var assignedName: String?
    }

    /// Whose cases: one case worker's, or those assigned to no one.
    enum Assignee: Sendable, Equatable {
        case user(Int)
        case unassigned

        /// The condition on `victim_cases c`.
        var condition: SQLQueryString {
            switch self {
            case .user(let id): "AND c.assigned_to = \(bind: id)"
            case .unassigned: "AND c.assigned_to IS NULL"
            }
        }
    }

    /// The holding organisation's cases, newest first: references, types, dates and status,
    /// never a name or contact detail (those need a purpose and are logged). `offset` pages
    /// through them; first contact is stored on the case (recomputeClocks), not looked up.
    func cases(
        holder: Int, status: String?, assignee: Assignee? = nil, limit: Int, offset: Int = 0, on db: any Database
    ) async throws -> [Summary] {
        let byStatus: SQLQueryString = status.map { "AND c.status = \(bind: $0)" } ?? ""
        let rows = try await db.sql.raw(
            """
            SELECT c.id, c.source, c.crime_reference, c.crime_type, c.reported_on, c.received_at, c.age_band, c.enhanced,
              c.status, c.duplicate_of, c.first_contact_at, u.name AS assigned_name
            FROM victim_cases c LEFT JOIN users u ON u.id = c.assigned_to
            WHERE c.organisation_id = \(bind: holder) \(byStatus) \(assignee?.condition ?? "")
            ORDER BY c.received_at DESC, c.id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
            """
        ).all()
        // By column: SQLKit's row decoder converts every key's case on every row.
        return try rows.map { r in
            Summary(
                id: try r.decode(column: "id", as: Int.self), source: try r.decode(column: "source", as: String.self),
                crimeReference: try r.decode(column: "crime_reference", as: String.self),
                crimeType: try r.decode(column: "crime_type", as: String.self),
                reportedOn: try r.decode(column: "reported_on", as: String.self),
                receivedAt: try r.decode(column: "received_at", as: String.self),
                ageBand: try r.decode(column: "age_band", as: String.self),
                enhanced: try r.decode(column: "enhanced", as: String.self),
                status: try r.decode(column: "status", as: String.self),
                duplicateOf: try r.decode(column: "duplicate_of", as: Int?.self),
                firstContactAt: try r.decode(column: "first_contact_at", as: String?.self),
                assignedName: try r.decode(column: "assigned_name", as: String?.self))
        }
    }

    /// The holder's cases by status (one case worker's, or no one's), from the counts the
    /// database keeps (`CreateVictimCaseCounts`), not by counting the cases.
    func counts(holder: Int, assignee: Assignee? = nil, on db: any Database) async throws -> [String: Int] {
        struct Row: Decodable { var status: String; var n: Int }
        let whose: SQLQueryString =
            switch assignee {
            case nil: ""
            case .user(let id): "AND assignee = \(bind: id)"
            case .unassigned: "AND assignee = 0"
            }
        let rows = try await db.sql.raw(
            """
            SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM victim_case_counts
            WHERE organisation_id = \(bind: holder) \(whose) GROUP BY status
            """
        ).rows(Row.self)
        return Dictionary(rows.map { ($0.status, $0.n) }, uniquingKeysWith: +)
    }

    // MARK: Assignment

    struct Worker: Decodable, Sendable {
        var id: Int
        var name: String
    }

    /// The holding organisation's people, by name: who a case may be assigned to.
    func caseWorkers(holder: Int, on db: any Database) async throws -> [Worker] {
        try await db.sql.raw(
            "SELECT id, name FROM users WHERE organisation_id = \(bind: holder) ORDER BY name, id"
        ).rows(Worker.self)
    }

    /// Who the case is assigned to, if anyone (the caller has checked the viewer holds it).
    func assignee(ofCase id: Int, on db: any Database) async throws -> Worker? {
        try await db.sql.raw(
            """
            SELECT u.id, u.name FROM victim_cases c JOIN users u ON u.id = c.assigned_to WHERE c.id = \(bind: id)
            """
        ).row(Worker.self)
    }

    /// Assigns the viewer's organisation's case to one of its people (or to no one); false if
    /// the organisation holds no such case or the person is not one of its own.
    func assign(_ id: Int, to worker: Int?, viewer: CurrentUser, on db: any Database) async throws -> Bool {
        guard try await holds(id, viewer: viewer, on: db) else { return false }
        if let worker,
            !(try await caseWorkers(holder: viewer.organisationID, on: db).contains { $0.id == worker })
        {
            return false
        }
        try await db.transaction { tx in
            let before = try await assignee(ofCase: id, on: tx)?.id
            try await tx.sql.raw(
                "UPDATE victim_cases SET assigned_to = \(bind: worker) WHERE id = \(bind: id)"
            ).run()
            try await audit.record(
                "assign", entity: "victim_cases", id: String(id), before: ["to": before.map(String.init) ?? ""],
                after: ["to": worker.map(String.init) ?? ""], by: viewer, on: tx)
        }
        return true
    }

    /// Whether any case is stored (the server refuses to start without a key when one is).
    static func anyCase(on db: any Database) async throws -> Bool {
        struct Row: Decodable { var id: Int }
        return try await db.sql.raw("SELECT id FROM victim_cases LIMIT 1").row(Row.self) != nil
    }
}

extension FieldCipher {
    /// Keyed hashes of `text` under every configured key, the current key's first: equal
    /// text gives an equal tag under the same key, and the tag says nothing without the key.
    func matchTags(_ text: String) -> [String] {
        matchKeys.map { id, key in
            "\(id):" + ByteParsing.hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
        }
    }
}
