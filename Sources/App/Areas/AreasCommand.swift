import Analytics
import CrimeData
import Fluent
import Foundation
import SQLKit
import Vapor

/// `saferstreets areas list|add|import|export|delete`: named areas from the command line.
///
///     saferstreets areas add --name "Norwich centre" --town Norwich --radius 800
///     saferstreets areas add --name "Market" --centre 622900,308500 --radius 300
///     saferstreets areas add --name "Cromer beat" --postcode "NR27 9HB" --radius 500
///     saferstreets areas add --name "Norwich LA" --local-authority E07000148
///     saferstreets areas import --file boundaries.geojson --force norfolk
///     saferstreets areas export --file areas.geojson
///     saferstreets areas delete --slug norwich-centre
struct AreasCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "list, add, import, export or delete")
        var action: String
        @Option(name: "name", help: "add: the area's name")
        var name: String?
        @Option(name: "radius", help: "add: radius in metres around --centre, --town or --postcode")
        var radius: Double?
        @Option(name: "centre", help: "add: centre as easting,northing (British National Grid metres)")
        var centre: String?
        @Option(name: "town", help: "add: centre on one of the Safer Norfolk town centres, e.g. Norwich")
        var town: String?
        @Option(name: "postcode", help: "add: centre on a postcode (the bundled list covers Norfolk)")
        var postcode: String?
        @Option(name: "lsoas", help: "add: LSOA codes, comma-separated")
        var lsoas: String?
        @Option(name: "msoa", help: "add: every LSOA of this MSOA code")
        var msoa: String?
        @Option(name: "local-authority", help: "add: every LSOA of this local authority code")
        var localAuthority: String?
        @Option(name: "force", help: "police.uk force id the area belongs to, e.g. norfolk")
        var force: String?
        @Option(name: "description", help: "add: a sentence about the area")
        var description: String?
        @Flag(name: "replace", help: "add, import: replace an area of the same name")
        var replace: Bool
        @Option(
            name: "file", help: "import: the GeoJSON file to read; export: the file to write (default: standard output)"
        )
        var file: String?
        @Option(name: "slug", help: "delete: the area to delete")
        var slug: String?
    }

    var help: String { "List, add, import (GeoJSON), export (GeoJSON) or delete named areas" }

    func run(using context: CommandContext, signature s: Signature) async throws {
        let app = context.application
        let store = AreaStore()
        try await reportingFailure(context) {
            switch s.action {
            case "list":
                for a in try await store.list(on: app.db) {
                    context.console.print(
                        "\(a.slug)\t\(a.name)\t\(AreaController.kindText(a))\t\(a.lsoaCount) LSOAs\t\(a.population) residents"
                    )
                }
            case "add":
                let area = try await store.create(try draft(s, on: app.db), replace: s.replace, on: app.db)
                try await store.refreshCounts(on: app.db)
                context.console.print(
                    "added \(area.slug): \(area.lsoaCount) LSOAs, \(Format.count(area.population)) residents")
            case "import":
                guard let path = s.file else {
                    throw CommandFailure(message: "areas import: give --file boundaries.geojson")
                }
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                    throw CommandFailure(message: "\(path): cannot be read")
                }
                let boundaries = try GeoJSON.boundaries(from: data, file: path)
                // Check every name first, so a duplicate refuses the whole file.
                if !s.replace {
                    let existing = Set(try await store.list(on: app.db).map(\.slug))
                    if let clash = boundaries.first(where: { existing.contains(CrimeCategory.slug(forName: $0.name)) })
                    {
                        throw AreaError.duplicate(clash.name)
                    }
                }
                for b in boundaries {
                    let shape = try AreaShape(
                        polygons: b.polygons.map { $0.map { $0.map(BritishNationalGrid.grid(from:)) } })
                    let area = try await store.create(
                        AreaDraft(name: b.name, kind: .polygon, forceID: s.force, shape: shape), replace: s.replace,
                        on: app.db)
                    context.console.print(
                        "imported \(area.slug): \(area.lsoaCount) LSOAs, \(Format.count(area.population)) residents")
                }
                try await store.refreshCounts(on: app.db)
            case "export":
                let areas = try await store.list(on: app.db)
                let text = AreaController.featureCollection(areas) + "\n"
                if let path = s.file {
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                    context.console.print("wrote \(areas.filter { $0.shape != nil }.count) boundaries to \(path)")
                } else {
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            case "delete":
                guard let slug = s.slug else { throw CommandFailure(message: "areas delete: give --slug") }
                try await store.delete(slug: slug, on: app.db)
                context.console.print("deleted \(slug)")
            default:
                throw CommandFailure(message: "areas: the action is list, add, import, export or delete")
            }
        }
    }

    private func draft(_ s: Signature, on db: any Database) async throws -> AreaDraft {
        guard let name = s.name else { throw CommandFailure(message: "areas add: --name is required") }
        var d = AreaDraft(name: name, kind: .lsoas, forceID: s.force, description: s.description ?? "")
        if let codes = s.lsoas {
            d.lsoaCodes = codes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
            return d
        }
        if let msoa = s.msoa {
            d.kind = .msoa
            d.lsoaCodes = try await db.sql.raw("SELECT code FROM lsoas WHERE msoa_code = \(bind: msoa.uppercased())")
                .all(decodingColumn: "code", as: String.self)
            guard !d.lsoaCodes.isEmpty else {
                throw CommandFailure(message: "--msoa: \(msoa) is not an MSOA code in the ONS reference")
            }
            return d
        }
        if let la = s.localAuthority {
            d.kind = .localAuthority
            d.lsoaCodes = try await db.sql.raw("SELECT code FROM lsoas WHERE lad_code = \(bind: la.uppercased())")
                .all(decodingColumn: "code", as: String.self)
            guard !d.lsoaCodes.isEmpty else {
                throw CommandFailure(
                    message: "--local-authority: \(la) is not a local authority code in the ONS reference")
            }
            return d
        }
        guard let radius = s.radius, radius >= 50, radius <= 20_000 else {
            throw CommandFailure(
                message:
                    "areas add: give --radius (50 to 20,000 m) with --centre, --town or --postcode, or give --lsoas, --msoa or --local-authority"
            )
        }
        let centre: GridPoint
        if let text = s.centre {
            let parts = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, (0...700_000).contains(parts[0]), (0...1_300_000).contains(parts[1]) else {
                throw CommandFailure(
                    message: "--centre: give easting,northing in British National Grid metres, e.g. 622900,308500")
            }
            centre = GridPoint(easting: parts[0], northing: parts[1])
        } else if let town = s.town {
            let towns = try NorfolkDemo.townCentres()
            guard let t = towns.first(where: { $0.name.caseInsensitiveCompare(town) == .orderedSame }) else {
                throw CommandFailure(
                    message: "--town: \(town) is not one of \(towns.map(\.name).joined(separator: ", "))")
            }
            centre = t.centre
        } else if let postcode = s.postcode {
            guard let p = try NorfolkDemo.postcodeCentre(postcode) else {
                throw CommandFailure(
                    message: "--postcode: \(postcode) is not in the bundled postcode list (Norfolk only); use --centre")
            }
            centre = p
        } else {
            throw CommandFailure(message: "areas add: a radius needs --centre, --town or --postcode")
        }
        d.kind = .radius
        d.radius = radius
        d.shape = .circle(centre: centre, radius: radius)
        return d
    }
}
