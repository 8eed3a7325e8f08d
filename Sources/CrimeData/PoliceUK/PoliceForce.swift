import Foundation

/// A police force as data.police.uk identifies it (`/api/forces`).
public struct PoliceForce: Sendable, Hashable, Codable {
    public let id: String
    public let name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    /// The forces of England, Wales and Northern Ireland, as police.uk lists them.
    public static let known: [PoliceForce] = [
        ("avon-and-somerset", "Avon and Somerset Constabulary"), ("bedfordshire", "Bedfordshire Police"),
        ("cambridgeshire", "Cambridgeshire Constabulary"), ("cheshire", "Cheshire Constabulary"),
        ("city-of-london", "City of London Police"), ("cleveland", "Cleveland Police"),
        ("cumbria", "Cumbria Constabulary"), ("derbyshire", "Derbyshire Constabulary"),
        ("devon-and-cornwall", "Devon & Cornwall Police"), ("dorset", "Dorset Police"),
        ("durham", "Durham Constabulary"), ("dyfed-powys", "Dyfed-Powys Police"), ("essex", "Essex Police"),
        ("gloucestershire", "Gloucestershire Constabulary"), ("greater-manchester", "Greater Manchester Police"),
        ("gwent", "Gwent Police"), ("hampshire", "Hampshire Constabulary"),
        ("hertfordshire", "Hertfordshire Constabulary"), ("humberside", "Humberside Police"),
        ("kent", "Kent Police"), ("lancashire", "Lancashire Constabulary"),
        ("leicestershire", "Leicestershire Police"), ("lincolnshire", "Lincolnshire Police"),
        ("merseyside", "Merseyside Police"), ("metropolitan", "Metropolitan Police Service"),
        ("norfolk", "Norfolk Constabulary"), ("north-wales", "North Wales Police"),
        ("north-yorkshire", "North Yorkshire Police"), ("northamptonshire", "Northamptonshire Police"),
        ("northumbria", "Northumbria Police"), ("nottinghamshire", "Nottinghamshire Police"),
        ("northern-ireland", "Police Service of Northern Ireland"), ("south-wales", "South Wales Police"),
        ("south-yorkshire", "South Yorkshire Police"), ("staffordshire", "Staffordshire Police"),
        ("suffolk", "Suffolk Constabulary"), ("surrey", "Surrey Police"), ("sussex", "Sussex Police"),
        ("thames-valley", "Thames Valley Police"), ("warwickshire", "Warwickshire Police"),
        ("west-mercia", "West Mercia Police"), ("west-midlands", "West Midlands Police"),
        ("west-yorkshire", "West Yorkshire Police"), ("wiltshire", "Wiltshire Police"),
        ("btp", "British Transport Police"),
    ].map { PoliceForce(id: $0.0, name: $0.1) }

    /// The force for a "Falls within" name; an unknown name gets an id made from it.
    public static func forName(_ name: String) -> PoliceForce {
        if let force = known.first(where: { $0.name == name }) { return force }
        return PoliceForce(id: CrimeCategory.slug(forName: name), name: name)
    }

    /// The force for a police.uk id, e.g. from a file name `2016-07-west-yorkshire-street.csv`.
    public static func forID(_ id: String) -> PoliceForce? {
        known.first { $0.id == id }
    }

    /// The force's name as the ONS geography reference writes it in the LSOA table's
    /// `police_force` column ("Norfolk" for Norfolk Constabulary, "Metropolitan Police"
    /// for the Metropolitan Police Service).
    public var geographyName: String {
        if id == "metropolitan" { return "Metropolitan Police" }
        var n = name.replacingOccurrences(of: "&", with: "and")
        for suffix in [" Constabulary", " Police Service", " Police"] where n.hasSuffix(suffix) {
            n.removeLast(suffix.count)
            break
        }
        return n
    }
}
