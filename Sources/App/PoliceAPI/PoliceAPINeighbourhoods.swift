import Analytics
import CrimeData
import Fluent
import Vapor

/// police.uk's neighbourhood methods, answered from SaferStreets' areas: an area of a
/// force is one of its "neighbourhoods", its slug the neighbourhood id. Areas without a
/// force belong to no neighbourhood list.
extension PoliceAPIController {
    @Sendable func neighbourhoods(req: Request) async throws -> Response {
        let force = try await knownForce(req.parameters.get("force") ?? "", on: req.db)
        let list = try await areas.list(on: req.db).filter { $0.forceID == force.id }
        return PoliceAPIBody.array(list) { area, out in
            PoliceAPIJSON.stringObject(["id": area.slug, "name": area.name], to: &out)
        }
    }

    @Sendable func neighbourhoodDetail(req: Request) async throws -> Response {
        let area = try await neighbourhood(
            force: req.parameters.get("force") ?? "", id: req.parameters.get("neighbourhood") ?? "", on: req.db)
        let centre = BritishNationalGrid.geo(from: area.centre)
        var out: [UInt8] = Array(#"{"url_force":"","contact_details":{},"name":"#.utf8)
        PoliceAPIJSON.string(area.name, to: &out)
        out.append(contentsOf: #","links":[],"centre":{"latitude":"#.utf8)
        PoliceAPIJSON.coordinate(centre.latitude, to: &out)
        out.append(contentsOf: #","longitude":"#.utf8)
        PoliceAPIJSON.coordinate(centre.longitude, to: &out)
        out.append(contentsOf: #"},"locations":[],"description":"#.utf8)
        PoliceAPIJSON.string(area.description, to: &out)
        out.append(contentsOf: #","id":"#.utf8)
        PoliceAPIJSON.string(area.slug, to: &out)
        out.append(contentsOf: #","population":"#.utf8)
        PoliceAPIJSON.string(String(area.population), to: &out)
        out.append(UInt8(ascii: "}"))
        return PoliceAPIBody.value(out)
    }

    /// The outline as police.uk gives it: the outer ring's points, latitude and longitude
    /// as strings. An area made of LSOAs has no outline here (none are bundled): empty.
    @Sendable func neighbourhoodBoundary(req: Request) async throws -> Response {
        let area = try await neighbourhood(
            force: req.parameters.get("force") ?? "", id: req.parameters.get("neighbourhood") ?? "", on: req.db)
        let ring = area.shape?.polygons.first?.first ?? []
        return PoliceAPIBody.array(ring.map(BritishNationalGrid.geo(from:))) { p, out in
            PoliceAPIJSON.stringObject(
                [
                    "latitude": PoliceAPIJSON.coordinateText(p.latitude),
                    "longitude": PoliceAPIJSON.coordinateText(p.longitude),
                ], to: &out)
        }
    }

    /// `locate-neighbourhood?q=lat,lng`: the smallest area with an outline that holds the
    /// point; 404 when none does, as police.uk answers outside its coverage.
    @Sendable func locateNeighbourhood(req: Request) async throws -> Response {
        let q = PoliceAPIParameters(request: req).string("q") ?? ""
        let parts = q.split(separator: ",")
        guard parts.count == 2, let lat = Double(parts[0].trimmingCharacters(in: .whitespaces)),
            let lng = Double(parts[1].trimmingCharacters(in: .whitespaces)),
            (-90...90).contains(lat), (-180...180).contains(lng)
        else { throw Abort(.badRequest, reason: "q must be “latitude,longitude”, e.g. q=52.6286,1.2925") }
        let g = BritishNationalGrid.grid(from: GeoPoint(longitude: lng, latitude: lat))
        let holding = try await areas.list(on: req.db)
            .filter { $0.forceID != nil && ($0.shape?.contains(g) ?? false) }
            .min { ($0.shape?.squareMetres ?? 0) < ($1.shape?.squareMetres ?? 0) }
        guard let area = holding, let force = area.forceID else {
            throw Abort(.notFound, reason: "no neighbourhood (area) holds \(lat),\(lng)")
        }
        var out: [UInt8] = []
        PoliceAPIJSON.stringObject(["force": force, "neighbourhood": area.slug], to: &out)
        return PoliceAPIBody.value(out)
    }

    func neighbourhood(force: String, id: String, on db: any Database) async throws -> AreaRecord {
        _ = try await knownForce(force, on: db)
        guard let area = try await areas.find(slug: id, on: db), area.forceID == force else {
            throw Abort(.notFound, reason: "no neighbourhood “\(id)” in \(force)")
        }
        return area
    }
}
