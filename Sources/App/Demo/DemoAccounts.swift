import Fluent
import SQLKit
import Vapor

/// The demo's partnership: organisations of the Safer Norfolk campaign and one account per
/// role. Only the demo makes these (in its own database); a real installation starts with
/// no accounts and `saferstreets users create`.
enum DemoAccounts {
    struct Account {
        var email: String
        var password: String
        var role: Role
        var organisation: String
        var kind: OrganisationKind
    }

    static let organisations: [(String, OrganisationKind)] = [
        ("Norfolk Office of the Police and Crime Commissioner", .opcc),
        ("Norfolk Constabulary", .police),
        ("Norfolk County Council", .countyCouncil),
        ("Norwich City Council", .districtCouncil),
        ("Great Yarmouth Borough Council", .districtCouncil),
        ("King's Lynn and West Norfolk Borough Council", .districtCouncil),
        ("Norwich Business Improvement District", .businessImprovementDistrict),
        ("Norfolk Youth Service", .youthService),
        ("Change Grow Live Norfolk", .drugAndAlcoholService),
        ("Norfolk Fire and Rescue Service", .fireService),
        ("Office of the Chief Constable, Norfolk Constabulary", .police),
        ("Probation Service, Norfolk", .probation),
        ("Norfolk Integrated Care Board", .nhs),
        ("Norfolk Domestic Abuse Support Service", .voluntary),
        ("Norfolk Veterans' Support", .voluntary),
        ("Norfolk Women's Centre", .voluntary),
        ("Norfolk Sexual Violence Support", .voluntary),
        ("Norfolk Children's Recovery Service", .voluntary),
        ("Norfolk Restorative Justice Service", .voluntary),
        ("Norfolk Victim Care", .victimService),
    ]

    /// Demo passwords are fixed so the printed list stays true when the demo is re-run.
    static let accounts: [Account] = [
        Account(
            email: "admin@opcc.demo", password: "demo-opcc-chief", role: .opccAdmin,
            organisation: "Norfolk Office of the Police and Crime Commissioner", kind: .opcc),
        Account(
            email: "analyst@opcc.demo", password: "demo-opcc-figures", role: .opccStaff,
            organisation: "Norfolk Office of the Police and Crime Commissioner", kind: .opcc),
        Account(
            email: "inspector@police.demo", password: "demo-police-admin", role: .partnerAdmin,
            organisation: "Norfolk Constabulary", kind: .police),
        Account(
            email: "ranger@norwichbid.demo", password: "demo-bid-partner", role: .partnerUser,
            organisation: "Norwich Business Improvement District", kind: .businessImprovementDistrict),
        Account(
            email: "staff-officer@chiefconstable.demo", password: "demo-chief-answers", role: .partnerUser,
            organisation: "Office of the Chief Constable, Norfolk Constabulary", kind: .police),
        Account(
            email: "officer@probation.demo", password: "demo-probation-board", role: .partnerUser,
            organisation: "Probation Service, Norfolk", kind: .probation),
        Account(
            email: "panel@council.demo", password: "demo-scores-first", role: .partnerUser,
            organisation: "Norfolk County Council", kind: .countyCouncil),
        Account(
            email: "idva@dasupport.demo", password: "demo-support-service", role: .partnerUser,
            organisation: "Norfolk Domestic Abuse Support Service", kind: .voluntary),
        Account(
            email: "rj@rjservice.demo", password: "demo-restorative-meeting", role: .partnerUser,
            organisation: "Norfolk Restorative Justice Service", kind: .voluntary),
        Account(
            email: "caseworker@victimcare.demo", password: "demo-victim-care", role: .partnerUser,
            organisation: "Norfolk Victim Care", kind: .victimService),
        Account(
            email: "manager@victimcare.demo", password: "demo-victim-oversight", role: .partnerAdmin,
            organisation: "Norfolk Victim Care", kind: .victimService),
    ]

    /// Creates whatever is missing; safe to repeat.
    static func create(on db: any Database, pool: PasswordHasher) async throws -> [Account] {
        let store = UserStore(audit: AuditLog())
        for (name, kind) in organisations { _ = try await store.organisation(named: name, kind: kind, by: nil, on: db) }
        for a in accounts {
            struct Existing: Decodable { var id: Int; var passwordHash: String }
            if let existing = try await db.sql.raw("SELECT id, password_hash FROM users WHERE email = \(bind: a.email)")
                .row(Existing.self)
            {
                // A demo made before the demo passwords changed: give it the printed one.
                if !(try await Passwords.verify(a.password, hash: existing.passwordHash, on: pool)) {
                    let hash = try await Passwords.hash(a.password, on: pool)
                    try await db.sql.raw(
                        "UPDATE users SET password_hash = \(bind: hash) WHERE id = \(bind: existing.id)"
                    ).run()
                }
                continue
            }
            let org = try await store.organisation(named: a.organisation, kind: a.kind, by: nil, on: db)
            _ = try await store.createUser(
                email: a.email, name: a.email.split(separator: "@")[0].capitalized + " (demo)", role: a.role,
                organisation: org,
                password: a.password, by: nil, pool: pool, on: db)
        }
        return accounts
    }
}
