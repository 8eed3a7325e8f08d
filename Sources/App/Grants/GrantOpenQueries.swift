import Fluent
import Foundation
import SQLKit

/// What the open grants pages and the 360Giving files read: every award with its
/// application, recipient organisation and fund, the amount paid, the places served (as
/// local authorities with their ONS codes) and what accepted returns say was achieved. A
/// handful of set queries whatever the number of grants (10,000 grants export in well under a
/// second; BENCHMARKS.md, issue 17).
struct GrantOpenQueries: Sendable {
    struct AwardRow: Sendable {
        var id: Int
        var applicationId: Int
        var fundId: Int
        var title: String
        var amountPence: Int
        var amountRequestedPence: Int
        var awardDate: String
        var startsOn: String
        var endsOn: String
        var lastModified: String
        var organisationId: Int
        var organisationName: String
        var orgIdentifier: String
    }

    /// A local authority a grant serves.
    struct Authority: Sendable, Hashable {
        var code: String
        var name: String
    }

    /// A grant's places: stored areas by slug, and the local authorities the grant serves
    /// (named ones, and those the areas lie in).
    struct Places: Sendable {
        var areas: [String] = []
        var authorities: [Authority] = []
    }

    struct Achievement: Decodable, Sendable {
        var awardId: Int
        var name: String
        var unit: String
        var target: Double
        var achieved: Double
    }

    func awards(fund: Int? = nil, award: Int? = nil, on db: any Database) async throws -> [AwardRow] {
        let byFund: SQLQueryString = fund.map { "AND w.fund_id = \(bind: $0)" } ?? ""
        let byAward: SQLQueryString = award.map { "AND w.id = \(bind: $0)" } ?? ""
        return try await db.sql.raw(
            """
            SELECT w.id, w.application_id, w.fund_id, a.title, w.amount_pence, a.amount_requested_pence, w.award_date,
              w.starts_on, w.ends_on, w.last_modified, o.id AS organisation_id, o.name AS organisation_name,
              o.org_identifier
            FROM awards w JOIN applications a ON a.id = w.application_id JOIN organisations o ON o.id = a.organisation_id
            WHERE 1 = 1 \(byFund) \(byAward) ORDER BY w.award_date, w.id
            """
        ).all().map(AwardRow.init(row:))
    }

    /// Award id → pence paid.
    func paid(on db: any Database) async throws -> [Int: Int] {
        let rows = try await db.sql.raw(
            "SELECT award_id, CAST(SUM(amount_pence) AS BIGINT) AS pence FROM award_payments GROUP BY award_id"
        ).all()
        var paid: [Int: Int] = [:]
        paid.reserveCapacity(rows.count)
        for r in rows {
            paid[try r.decode(column: "award_id", as: Int.self), default: 0] += try r.decode(
                column: "pence", as: Int.self)
        }
        return paid
    }

    /// Application id → its answers to the first text question (what the project does) and to
    /// the places question, for awarded applications only (all of them, or one).
    func answers(application: Int? = nil, on db: any Database) async throws -> (
        summaries: [Int: String], places: [Int: String]
    ) {
        let one: SQLQueryString = application.map { "AND x.application_id = \(bind: $0)" } ?? ""
        let rows = try await db.sql.raw(
            """
            SELECT x.application_id, q.kind, x.answer FROM application_answers x
            JOIN round_questions q ON q.id = x.question_id JOIN awards w ON w.application_id = x.application_id
            WHERE q.kind IN ('text', 'places') \(one) ORDER BY x.application_id, q.position
            """
        ).all()
        var summaries: [Int: String] = [:]
        var places: [Int: String] = [:]
        summaries.reserveCapacity(rows.count / 2)
        places.reserveCapacity(rows.count / 2)
        // By column, not through a Decodable row: the row decoder's snake-case key conversion
        // for every field of 20,000 rows was most of a 10,000-grant export's time.
        for r in rows {
            let application = try r.decode(column: "application_id", as: Int.self)
            switch try r.decode(column: "kind", as: String.self) {
            case "text" where summaries[application] == nil:
                summaries[application] = try r.decode(column: "answer", as: String.self)
            case "places" where places[application] == nil:
                places[application] = try r.decode(column: "answer", as: String.self)
            default: break
            }
        }
        return (summaries, places)
    }

    /// Local authority names by ONS code, and each stored area's local authorities (those its
    /// LSOAs lie in).
    func geography(on db: any Database) async throws -> (names: [String: String], areas: [String: [Authority]]) {
        struct Name: Decodable { var ladCode: String; var ladName: String }
        let names = try await db.sql.raw("SELECT DISTINCT lad_code, lad_name FROM lsoas").rows(Name.self)
        struct AreaRow: Decodable { var slug: String; var ladCode: String; var ladName: String }
        let rows = try await db.sql.raw(
            """
            SELECT DISTINCT a.slug, l.lad_code, l.lad_name FROM areas a JOIN area_lsoas x ON x.area_id = a.id
            JOIN lsoas l ON l.code = x.lsoa_code ORDER BY a.slug, l.lad_code
            """
        ).rows(AreaRow.self)
        var areas = Dictionary(grouping: rows, by: \.slug).mapValues {
            $0.map { Authority(code: $0.ladCode, name: $0.ladName) }
        }
        // A small area may hold no LSOA's centre: it lies in the authority of the LSOA nearest
        // its own centre.
        struct Bare: Decodable { var slug: String; var centreEasting: Double; var centreNorthing: Double }
        let bare = try await db.sql.raw(
            """
            SELECT slug, centre_easting, centre_northing FROM areas a
            WHERE NOT EXISTS (SELECT 1 FROM area_lsoas x WHERE x.area_id = a.id)
            """
        ).rows(Bare.self)
        for a in bare {
            let (e, n) = (a.centreEasting, a.centreNorthing)
            let nearest = try await db.sql.raw(
                """
                SELECT lad_code, lad_name FROM lsoas
                WHERE easting BETWEEN \(bind: e - 5_000) AND \(bind: e + 5_000)
                  AND northing BETWEEN \(bind: n - 5_000) AND \(bind: n + 5_000)
                ORDER BY (easting - \(bind: e)) * (easting - \(bind: e)) + (northing - \(bind: n)) * (northing - \(bind: n))
                LIMIT 1
                """
            ).row(Name.self)
            if let nearest { areas[a.slug] = [Authority(code: nearest.ladCode, name: nearest.ladName)] }
        }
        return (Dictionary(names.map { ($0.ladCode, $0.ladName) }, uniquingKeysWith: { a, _ in a }), areas)
    }

    /// What accepted returns say each award's indicators achieved (kept on the indicator).
    func achievements(award: Int? = nil, on db: any Database) async throws -> [Achievement] {
        let byAward: SQLQueryString = award.map { "AND award_id = \(bind: $0)" } ?? ""
        return try await db.sql.raw(
            "SELECT award_id, name, unit, target, achieved FROM award_indicators WHERE 1 = 1 \(byAward) ORDER BY award_id, id"
        ).rows(Achievement.self)
    }

    /// The organisation the OPCC is (the funder and publisher).
    func funder(on db: any Database) async throws -> (name: String, identifier: String, id: Int)? {
        struct Row: Decodable { var id: Int; var name: String; var orgIdentifier: String }
        return try await db.sql.raw(
            "SELECT id, name, org_identifier FROM organisations WHERE kind = 'opcc' ORDER BY id LIMIT 1"
        ).row(Row.self).map { ($0.name, $0.orgIdentifier, $0.id) }
    }
}

extension GrantOpenQueries.AwardRow {
    /// A row of `awards(fund:award:on:)`, read by column (see `answers`).
    init(row r: any SQLRow) throws {
        self.init(
            id: try r.decode(column: "id", as: Int.self),
            applicationId: try r.decode(column: "application_id", as: Int.self),
            fundId: try r.decode(column: "fund_id", as: Int.self),
            title: try r.decode(column: "title", as: String.self),
            amountPence: try r.decode(column: "amount_pence", as: Int.self),
            amountRequestedPence: try r.decode(column: "amount_requested_pence", as: Int.self),
            awardDate: try r.decode(column: "award_date", as: String.self),
            startsOn: try r.decode(column: "starts_on", as: String.self),
            endsOn: try r.decode(column: "ends_on", as: String.self),
            lastModified: try r.decode(column: "last_modified", as: String.self),
            organisationId: try r.decode(column: "organisation_id", as: Int.self),
            organisationName: try r.decode(column: "organisation_name", as: String.self),
            orgIdentifier: try r.decode(column: "org_identifier", as: String.self))
    }
}

extension GrantOpenQueries.Places {
    /// A stored places answer (`["area:norwich-city-centre", "lad:E07000148"]`) as areas and
    /// local authorities, each authority once.
    init(answer: String?, names: [String: String], areaAuthorities: [String: [GrantOpenQueries.Authority]]) {
        let items = answer.map(Self.stringList) ?? []
        var seen = Set<String>()
        for p in items {
            if p.hasPrefix("area:") {
                let slug = String(p.dropFirst(5))
                areas.append(slug)
                for a in areaAuthorities[slug] ?? [] where seen.insert(a.code).inserted { authorities.append(a) }
            } else if p.hasPrefix("lad:") {
                let code = String(p.dropFirst(4))
                if seen.insert(code).inserted { authorities.append(.init(code: code, name: names[code] ?? code)) }
            }
        }
    }
}

extension GrantOpenQueries.Places {
    /// A stored JSON list of strings. The places answers the app writes (`["area:x","lad:E0…"]`,
    /// no escapes) are split directly; anything else goes through `JSONDecoder` (a decoder per
    /// answer was a fifth of a 10,000-grant export). Not a list: empty.
    static func stringList(_ text: String) -> [String] {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.utf8.count >= 4, t.hasPrefix("[\""), t.hasSuffix("\"]"), !t.contains("\\") {
            let inner = t.dropFirst(2).dropLast(2)
            let parts = inner.components(separatedBy: "\",\"")
            if !parts.contains(where: { $0.contains("\"") }) { return parts }
        }
        if t == "[]" { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(t.utf8))) ?? []
    }
}
