import Foundation

/// One 2011 Lower layer Super Output Area with its parents, centroid and population.
public struct LSOA: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    public var msoaCode: String
    public var msoaName: String
    public var localAuthorityCode: String
    public var localAuthorityName: String
    /// Police force area name as in the ONS lookup, or for districts the lookup leaves
    /// blank (Wales, 68 English districts) the force area the district lies in.
    public var policeForce: String
    /// Mean position of the live postcodes inside the LSOA, BNG metres.
    public var centroid: GridPoint
    /// 2011 Census usual resident population.
    public var population: Int
    public var households: Int
    public var hectares: Double
}

/// The bundled ONS reference for every LSOA in England and Wales (see README,
/// "Licences and attribution"; built by `scripts/build_geography.py`).
public enum LSOAReference {
    /// Reads the bundled reference file.
    public static func bundled() throws -> [LSOA] {
        guard let url = Bundle.module.url(forResource: "lsoa-2011", withExtension: "csv") else {
            throw GeographyError.missingResource("lsoa-2011.csv")
        }
        return try load(contentsOf: url)
    }

    /// Reads a file in the bundled layout (header `lsoa_code,lsoa_name,…,hectares`).
    public static func load(contentsOf url: URL) throws -> [LSOA] {
        var result: [LSOA] = []
        result.reserveCapacity(35_000)
        var problem: GeographyError?
        let parser = CSVParser { row in
            if row.line == 1 {
                if row.string(0) != "lsoa_code" || row.count != 12 {
                    problem = .badLine(file: url.lastPathComponent, line: 1, reason: "unexpected header")
                }
                return
            }
            guard problem == nil else { return }
            guard row.count == 12,
                let e = ByteParsing.decimal(row.bytes(7)), let n = ByteParsing.decimal(row.bytes(8)),
                let pop = ByteParsing.decimal(row.bytes(9)), let hh = ByteParsing.decimal(row.bytes(10)),
                let ha = ByteParsing.decimal(row.bytes(11))
            else {
                problem = .badLine(
                    file: url.lastPathComponent, line: row.line,
                    reason: "expected 12 fields with numbers in the last five")
                return
            }
            result.append(
                LSOA(
                    code: row.string(0), name: row.string(1), msoaCode: row.string(2), msoaName: row.string(3),
                    localAuthorityCode: row.string(4), localAuthorityName: row.string(5), policeForce: row.string(6),
                    centroid: GridPoint(easting: e, northing: n), population: Int(pop), households: Int(hh),
                    hectares: ha))
        }
        try withReadOnlyFile(url.path) { fd, _ in try parser.parse(fileDescriptor: fd) }
        if let problem { throw problem }
        return result
    }
}

public enum GeographyError: Error, CustomStringConvertible {
    case missingResource(String)
    case badLine(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .missingResource(let name): "geography reference \(name) not found"
        case .badLine(let file, let line, let reason): "\(file), line \(line): \(reason)"
        }
    }
}
