import Analytics
import CrimeData
import Fluent
import Vapor

/// The data.police.uk API over the data stored here (data.police.uk/docs): the same paths
/// under `/api/`, the same parameters, JSON shapes and default month (the latest), so a
/// police.uk client works once its base URL points here. Without police.uk's limits: no
/// rate limit, no 10,000-crime cap (large answers are streamed), and every month stored.
/// SaferStreets' areas stand in for police.uk's neighbourhoods.
struct PoliceAPIController: Sendable {
    let queries: PoliceAPIQueries
    let cache: StreetCrimeCache
    let areas: AreaStore

    // MARK: Forces, categories, dates

    @Sendable func forces(req: Request) async throws -> Response {
        let stored = try await queries.forcesWithData(on: req.db)
        var forces = PoliceForce.known
        for id in stored where !forces.contains(where: { $0.id == id }) { forces.append(PoliceForce(id: id, name: id)) }
        return PoliceAPIBody.array(forces) { force, out in
            PoliceAPIJSON.stringObject(["id": force.id, "name": force.name], to: &out)
        }
    }

    @Sendable func force(req: Request) async throws -> Response {
        let force = try await knownForce(req.parameters.get("id") ?? "", on: req.db)
        var out: [UInt8] = Array(#"{"description":null,"url":"","engagement_methods":[],"telephone":"101","id":"#.utf8)
        PoliceAPIJSON.string(force.id, to: &out)
        out.append(contentsOf: #","name":"#.utf8)
        PoliceAPIJSON.string(force.name, to: &out)
        out.append(UInt8(ascii: "}"))
        return PoliceAPIBody.value(out)
    }

    /// Senior officers, neighbourhood teams, events and priorities are not in the open
    /// data files: police.uk's shape, no entries.
    @Sendable func emptyList(req: Request) async throws -> Response {
        if let id = req.parameters.get("id") { _ = try await knownForce(id, on: req.db) }
        if let force = req.parameters.get("force"), let id = req.parameters.get("neighbourhood") {
            _ = try await neighbourhood(force: force, id: id, on: req.db)
        }
        return PoliceAPIBody.value(Array("[]".utf8))
    }

    @Sendable func crimeCategories(req: Request) async throws -> Response {
        _ = try PoliceAPIParameters(request: req).month()
        // `all-crime`, then the current categories (the first 14 of `known`; the rest are pre-2013).
        let categories = [CrimeCategory(slug: "all-crime", name: "All crime")] + CrimeCategory.known.prefix(14)
        return PoliceAPIBody.array(categories) { c, out in
            PoliceAPIJSON.stringObject(["url": c.slug, "name": c.name], to: &out)
        }
    }

    @Sendable func dates(req: Request) async throws -> Response {
        let months = try await queries.availability(on: req.db)
        return PoliceAPIBody.array(months) { m, out in
            out.append(contentsOf: #"{"date":"#.utf8)
            PoliceAPIJSON.string(ByteParsing.monthString(m.month), to: &out)
            out.append(contentsOf: #","stop-and-search":"#.utf8)
            PoliceAPIJSON.array(m.stopForces, to: &out) { force, out in PoliceAPIJSON.string(force, to: &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    @Sendable func lastUpdated(req: Request) async throws -> Response {
        guard let month = try await queries.latestMonth(on: req.db) else {
            throw Abort(.notFound, reason: "no police.uk street data has been imported")
        }
        var out: [UInt8] = []
        PoliceAPIJSON.stringObject(["date": ByteParsing.monthString(month) + "-01"], to: &out)
        return PoliceAPIBody.value(out)
    }

    // MARK: Crimes

    /// `crimes-street/{category}`: crimes within a mile of `lat`/`lng` or inside `poly`.
    @Sendable func crimesStreet(req: Request) async throws -> Response {
        let p = PoliceAPIParameters(request: req)
        let categories = try await categoryIDs(req.parameters.get("category") ?? "", on: req.db)
        let region = try p.region()
        let slices = try await streetSlices(month: try p.month(), on: req.db)
        var parts: [ArraySlice<UInt8>] = []
        for slice in slices {
            for i in slice.rows(northing: region.bounds.minNorthing, region.bounds.maxNorthing)
            where categories.contains(slice.categoryIDs[i])
                && region.contains(easting: slice.easting[i], northing: slice.northing[i])
            {
                parts.append(slice.object(i))
            }
        }
        return PoliceAPIBody.response(parts: parts)
    }

    /// `crimes-at-location`: the crimes at one map point, by `location_id`, or at the map
    /// point nearest `lat`/`lng`.
    @Sendable func crimesAtLocation(req: Request) async throws -> Response {
        let p = PoliceAPIParameters(request: req)
        let slices = try await streetSlices(month: try p.month(), on: req.db)
        var locationID = try p.locationID()
        if locationID == nil {
            guard let point = try p.point() else {
                throw Abort(.badRequest, reason: "give location_id, or lat and lng")
            }
            let g = BritishNationalGrid.grid(from: point)
            var best = Double.infinity
            for slice in slices {
                for i in 0..<slice.located {
                    let dx = slice.easting[i] - g.easting, dy = slice.northing[i] - g.northing
                    if dx * dx + dy * dy < best { best = dx * dx + dy * dy; locationID = slice.locationIDs[i] }
                }
            }
        }
        var parts: [ArraySlice<UInt8>] = []
        for slice in slices {
            for i in 0..<slice.located where slice.locationIDs[i] == locationID { parts.append(slice.object(i)) }
        }
        return PoliceAPIBody.response(parts: parts)
    }

    /// `crimes-no-location?category=&force=`: a force's crimes police.uk could not map.
    @Sendable func crimesNoLocation(req: Request) async throws -> Response {
        let p = PoliceAPIParameters(request: req)
        let force = try await knownForce(try p.required("force"), on: req.db)
        let categories = try await categoryIDs(try p.required("category"), on: req.db)
        let slices = try await streetSlices(month: try p.month(), forceID: force.id, on: req.db)
        var parts: [ArraySlice<UInt8>] = []
        for slice in slices {
            for i in slice.located..<slice.count where categories.contains(slice.categoryIDs[i]) {
                parts.append(slice.object(i))
            }
        }
        return PoliceAPIBody.response(parts: parts)
    }

    // MARK: Outcomes

    @Sendable func outcomesForCrime(req: Request) async throws -> Response {
        let id = req.parameters.get("id") ?? ""
        guard id.count == 64, PoliceAPIQueries.unhex(id) != nil else {
            throw Abort(.notFound, reason: "a crime's persistent id is 64 hexadecimal characters")
        }
        guard let crime = try await queries.crime(persistentID: id, on: req.db) else {
            throw Abort(.notFound, reason: "no crime with persistent id \(id)")
        }
        let outcomes = try await queries.outcomes(persistentID: id, on: req.db)
        var out: [UInt8] = Array(#"{"crime":"#.utf8)
        crime.write(to: &out, withOutcomeStatus: false)
        out.append(contentsOf: #","outcomes":"#.utf8)
        PoliceAPIJSON.array(outcomes, to: &out) { outcome, out in outcome.write(to: &out) }
        out.append(UInt8(ascii: "}"))
        return PoliceAPIBody.value(out)
    }

    /// `outcomes-at-location`: by `location_id`, within a mile of `lat`/`lng`, or in `poly`.
    @Sendable func outcomesAtLocation(req: Request) async throws -> Response {
        let p = PoliceAPIParameters(request: req)
        let month = try await resolvedMonth(try p.month(), kinds: PoliceAPIQueries.outcomeKinds, on: req.db)
        let rows: [(outcome: PoliceAPIJSON.Outcome, crime: PoliceAPIJSON.Crime)]
        if let id = try p.locationID() {
            rows = try await queries.outcomes(
                month: month, region: nil, point: PoliceLocationID.point(of: id), on: req.db)
        } else {
            rows = try await queries.outcomes(month: month, region: try p.region(), point: nil, on: req.db)
        }
        return PoliceAPIBody.array(rows) { row, out in row.outcome.write(to: &out, crime: row.crime) }
    }

    // MARK: Stop and search

    @Sendable func stopsStreet(req: Request) async throws -> Response {
        let p = PoliceAPIParameters(request: req)
        let region = try p.region()
        let month = try await resolvedMonth(try p.month(), kinds: PoliceAPIQueries.stopKinds, on: req.db)
        return stopsResponse(try await queries.stops(month: month, .region(region), on: req.db))
    }

    @Sendable func stopsAtLocation(req: Request) async throws -> Response {
        let p = PoliceAPIParameters(request: req)
        guard let id = try p.locationID(), let point = PoliceLocationID.point(of: id) else {
            throw Abort(.badRequest, reason: "location_id is required")
        }
        let month = try await resolvedMonth(try p.month(), kinds: PoliceAPIQueries.stopKinds, on: req.db)
        return stopsResponse(
            try await queries.stops(
                month: month, .point(latitude: point.latitude, longitude: point.longitude), on: req.db))
    }

    @Sendable func stopsNoLocation(req: Request) async throws -> Response {
        try await stopsOfForce(req: req, withoutLocationOnly: true)
    }

    @Sendable func stopsForce(req: Request) async throws -> Response {
        try await stopsOfForce(req: req, withoutLocationOnly: false)
    }

    func stopsOfForce(req: Request, withoutLocationOnly: Bool) async throws -> Response {
        let p = PoliceAPIParameters(request: req)
        let force = try await knownForce(try p.required("force"), on: req.db)
        let month = try await resolvedMonth(try p.month(), kinds: PoliceAPIQueries.stopKinds, on: req.db)
        return stopsResponse(
            try await queries.stops(
                month: month, .force(force.id, withoutLocationOnly: withoutLocationOnly), on: req.db))
    }

    func stopsResponse(_ stops: [PoliceAPIJSON.Stop]) -> Response {
        PoliceAPIBody.array(stops) { stop, out in stop.write(to: &out) }
    }

    // MARK: Helpers

    /// The street slices of a month (the latest stored when none is given), from the cache.
    func streetSlices(month: Int?, forceID: String? = nil, on db: any Database) async throws -> [StreetSlice] {
        let month = try await resolvedMonth(month, kinds: PoliceAPIQueries.streetKinds, on: db)
        let versions = try await queries.streetSlices(month: month, forceID: forceID, on: db)
        // A month not yet in memory is read slice by slice in parallel (one connection each).
        let (queries, cache) = (self.queries, self.cache)
        return try await withThrowingTaskGroup(of: (Int, StreetSlice).self) { group in
            for (n, version) in versions.enumerated() {
                group.addTask { (n, try await cache.slice(version) { try await queries.loadSlice(version, on: db) }) }
            }
            var slices = [StreetSlice?](repeating: nil, count: versions.count)
            for try await (n, slice) in group { slices[n] = slice }
            return slices.compactMap { $0 }
        }
    }

    /// Reads the latest month into memory, so that the first request after start-up is
    /// as quick as the rest.
    func warm(on db: any Database) async {
        _ = try? await streetSlices(month: nil, on: db)
    }

    func resolvedMonth(_ month: Int?, kinds: String, on db: any Database) async throws -> Int {
        if let month { return month }
        // With nothing stored, any month answers with an empty list, as police.uk does for
        // a place without crimes.
        return try await queries.latestMonth(kinds: kinds, on: db) ?? 190001
    }

    func categoryIDs(_ slug: String, on db: any Database) async throws -> CategorySet {
        guard let ids = try await queries.categoryIDs(slug: slug, on: db) else {
            throw Abort(.notFound, reason: "no crime category “\(slug)”: see /api/crime-categories")
        }
        return ids
    }

    func knownForce(_ id: String, on db: any Database) async throws -> PoliceForce {
        if let force = PoliceForce.forID(id) { return force }
        if try await queries.forcesWithData(on: db).contains(id) { return PoliceForce(id: id, name: id) }
        throw Abort(.notFound, reason: "no force “\(id)”: see /api/forces")
    }
}

/// Reads the latest street month into the police.uk API's cache in the background once the
/// server is up (not in tests: their data arrives after start-up).
struct PoliceAPIWarmUp: LifecycleHandler {
    let controller: PoliceAPIController

    func didBoot(_ application: Application) throws {
        let db = application.db
        Task { await controller.warm(on: db) }
    }
}
