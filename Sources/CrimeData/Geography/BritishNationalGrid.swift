import Foundation

/// A position in British National Grid (EPSG:27700) metres.
public struct GridPoint: Sendable, Hashable, Codable {
    public var easting: Double
    public var northing: Double
    public init(easting: Double, northing: Double) {
        self.easting = easting
        self.northing = northing
    }

    /// Straight-line distance in metres.
    public func distance(to other: GridPoint) -> Double {
        ((easting - other.easting) * (easting - other.easting)
            + (northing - other.northing) * (northing - other.northing)).squareRoot()
    }
}

/// WGS84 longitude/latitude in degrees.
public struct GeoPoint: Sendable, Hashable, Codable {
    public var longitude: Double
    public var latitude: Double
    public init(longitude: Double, latitude: Double) {
        self.longitude = longitude
        self.latitude = latitude
    }
}

/// WGS84 ↔ British National Grid, the way PROJ does EPSG:4326 → EPSG:27700 without the
/// OSTN15 grid: the 7-parameter Helmert transformation EPSG:1314 ("OSGB36 to WGS 84 (6)",
/// position-vector convention, about 2 m accuracy against OSTN15) between the WGS84 and
/// Airy 1830 ellipsoids, then the National Grid's Transverse Mercator projection using
/// the series in Ordnance Survey, *A Guide to Coordinate Systems in Great Britain*
/// (2020), annex C. Agreement with pyproj is tested to 0.5 m (in practice millimetres).
public enum BritishNationalGrid {
    // Ellipsoids.
    static let airyA = 6_377_563.396, airyB = 6_356_256.909
    static let wgsA = 6_378_137.0, wgsF = 1 / 298.257_223_563
    // National Grid projection.
    static let f0 = 0.999_601_271_7
    static let lat0 = 49.0 * .pi / 180, lon0 = -2.0 * .pi / 180
    static let e0 = 400_000.0, n0 = -100_000.0
    // EPSG:1314, OSGB36 -> WGS84, position vector (rotations in arc-seconds, scale in ppm).
    static let tx = 446.448, ty = -125.157, tz = 542.06
    static let rx = 0.15 * .pi / 648_000, ry = 0.247 * .pi / 648_000, rz = 0.842 * .pi / 648_000
    static let s = -20.489e-6

    static let sinLat0 = sin(lat0), cosLat0 = cos(lat0)

    /// WGS84 degrees → BNG metres.
    ///
    /// The importer projects every located row, so this path avoids trigonometry where an
    /// identity does the same: Airy latitude is found by iterating on its tangent (the
    /// fixed point of the usual `atan2` iteration, with square roots only), and the
    /// projection takes sin, cos and tan of it, and the meridional arc's multiple-angle
    /// terms, from that one sine and cosine. Six calls to the maths library instead of
    /// about twenty-four; the results agree with the direct formulas to well under a
    /// micrometre.
    public static func grid(from p: GeoPoint) -> GridPoint {
        let wgsB = wgsA * (1 - wgsF)
        let (x, y, z) = cartesian(lat: p.latitude * .pi / 180, lon: p.longitude * .pi / 180, a: wgsA, b: wgsB)
        // Reverse of the position-vector Helmert (as PROJ's +inv +proj=helmert):
        // X_osgb = Rᵀ ((X_wgs − T) / (1 + s)).
        let k = 1 + s
        let dx = (x - tx) / k, dy = (y - ty) / k, dz = (z - tz) / k
        let ox = dx + rz * dy - ry * dz
        let oy = -rz * dx + dy + rx * dz
        let oz = ry * dx - rx * dy + dz
        let e2 = 1 - (airyB * airyB) / (airyA * airyA)
        let r = (ox * ox + oy * oy).squareRoot()
        guard r > 1 else {
            let (lat, lon) = geodetic(x: ox, y: oy, z: oz, a: airyA, b: airyB)
            return project(lat: lat, lon: lon)
        }
        // tan φ = (z + e² ν sin φ) / r, iterated from tan φ₀ = z / (r (1 − e²)).
        var t = oz / (r * (1 - e2))
        for _ in 0..<10 {
            let sinLat = t / (1 + t * t).squareRoot()
            let nu = airyA / (1 - e2 * sinLat * sinLat).squareRoot()
            let next = (oz + e2 * nu * sinLat) / r
            let done = abs(next - t) < 1e-14 * (1 + t * t)
            t = next
            if done { break }
        }
        let cosLat = 1 / (1 + t * t).squareRoot()
        return project(sinLat: t * cosLat, cosLat: cosLat, lat: atan(t), lon: atan2(oy, ox))
    }

    /// BNG metres → WGS84 degrees (used for the 2010–2012 police.uk layout).
    public static func geo(from g: GridPoint) -> GeoPoint {
        let (lat, lon) = unproject(easting: g.easting, northing: g.northing)
        let (x, y, z) = cartesian(lat: lat, lon: lon, a: airyA, b: airyB)
        // Forward position-vector Helmert: X_wgs = T + (1 + s) R X_osgb.
        let k = 1 + s
        let wx = tx + k * (x - rz * y + ry * z)
        let wy = ty + k * (rz * x + y - rx * z)
        let wz = tz + k * (-ry * x + rx * y + z)
        let wgsB = wgsA * (1 - wgsF)
        let (wlat, wlon) = geodetic(x: wx, y: wy, z: wz, a: wgsA, b: wgsB)
        return GeoPoint(longitude: wlon * 180 / .pi, latitude: wlat * 180 / .pi)
    }

    static func cartesian(lat: Double, lon: Double, a: Double, b: Double) -> (Double, Double, Double) {
        let e2 = 1 - (b * b) / (a * a)
        let sinLat = sin(lat), cosLat = cos(lat)
        let nu = a / (1 - e2 * sinLat * sinLat).squareRoot()
        return (nu * cosLat * cos(lon), nu * cosLat * sin(lon), (1 - e2) * nu * sinLat)
    }

    static func geodetic(x: Double, y: Double, z: Double, a: Double, b: Double) -> (Double, Double) {
        let e2 = 1 - (b * b) / (a * a)
        let p = (x * x + y * y).squareRoot()
        var lat = atan2(z, p * (1 - e2))
        for _ in 0..<10 {
            let sinLat = sin(lat)
            let nu = a / (1 - e2 * sinLat * sinLat).squareRoot()
            let next = atan2(z + e2 * nu * sinLat, p)
            if abs(next - lat) < 1e-14 {
                lat = next
                break
            }
            lat = next
        }
        return (lat, atan2(y, x))
    }

    /// The meridional arc M for latitude φ (OS guide, C1).
    static func meridionalArc(_ lat: Double) -> Double {
        let n = (airyA - airyB) / (airyA + airyB)
        let n2 = n * n, n3 = n2 * n
        let d = lat - lat0, sum = lat + lat0
        return airyB * f0
            * ((1 + n + 5.0 / 4 * n2 + 5.0 / 4 * n3) * d
                - (3 * n + 3 * n2 + 21.0 / 8 * n3) * sin(d) * cos(sum)
                + (15.0 / 8 * n2 + 15.0 / 8 * n3) * sin(2 * d) * cos(2 * sum)
                - 35.0 / 24 * n3 * sin(3 * d) * cos(3 * sum))
    }

    static func project(lat: Double, lon: Double) -> GridPoint {
        project(sinLat: sin(lat), cosLat: cos(lat), lat: lat, lon: lon)
    }

    /// The meridional arc from sin φ and cos φ: the multiple-angle terms of C1 by the
    /// angle-sum and double- and triple-angle identities.
    static func meridionalArc(lat: Double, sinLat: Double, cosLat: Double) -> Double {
        let n = (airyA - airyB) / (airyA + airyB)
        let n2 = n * n, n3 = n2 * n
        let sinD = sinLat * cosLat0 - cosLat * sinLat0, cosD = cosLat * cosLat0 + sinLat * sinLat0
        let sinS = sinLat * cosLat0 + cosLat * sinLat0, cosS = cosLat * cosLat0 - sinLat * sinLat0
        let sin2D = 2 * sinD * cosD, cos2S = cosS * cosS - sinS * sinS
        let sin3D = sinD * (3 - 4 * sinD * sinD), cos3S = cosS * (4 * cosS * cosS - 3)
        return airyB * f0
            * ((1 + n + 5.0 / 4 * n2 + 5.0 / 4 * n3) * (lat - lat0)
                - (3 * n + 3 * n2 + 21.0 / 8 * n3) * sinD * cosS
                + (15.0 / 8 * n2 + 15.0 / 8 * n3) * sin2D * cos2S
                - 35.0 / 24 * n3 * sin3D * cos3S)
    }

    static func project(sinLat: Double, cosLat: Double, lat: Double, lon: Double) -> GridPoint {
        let e2 = 1 - (airyB * airyB) / (airyA * airyA)
        let tanLat = sinLat / cosLat
        let q = 1 - e2 * sinLat * sinLat
        let nu = airyA * f0 / q.squareRoot()
        let rho = airyA * f0 * (1 - e2) / (q * q.squareRoot())
        let eta2 = nu / rho - 1
        let m = meridionalArc(lat: lat, sinLat: sinLat, cosLat: cosLat)
        let cos3 = cosLat * cosLat * cosLat, cos5 = cos3 * cosLat * cosLat
        let tan2 = tanLat * tanLat, tan4 = tan2 * tan2
        let i = m + n0
        let ii = nu / 2 * sinLat * cosLat
        let iii = nu / 24 * sinLat * cos3 * (5 - tan2 + 9 * eta2)
        let iiia = nu / 720 * sinLat * cos5 * (61 - 58 * tan2 + tan4)
        let iv = nu * cosLat
        let v = nu / 6 * cos3 * (nu / rho - tan2)
        let vi = nu / 120 * cos5 * (5 - 18 * tan2 + tan4 + 14 * eta2 - 58 * tan2 * eta2)
        let dl = lon - lon0
        let dl2 = dl * dl
        let north = i + ii * dl2 + iii * dl2 * dl2 + iiia * dl2 * dl2 * dl2
        let east = e0 + iv * dl + v * dl2 * dl + vi * dl2 * dl2 * dl
        return GridPoint(easting: east, northing: north)
    }

    static func unproject(easting: Double, northing: Double) -> (Double, Double) {
        let e2 = 1 - (airyB * airyB) / (airyA * airyA)
        var lat = (northing - n0) / (airyA * f0) + lat0
        var m = meridionalArc(lat)
        var guard_ = 0
        while abs(northing - n0 - m) >= 1e-5 && guard_ < 100 {
            lat += (northing - n0 - m) / (airyA * f0)
            m = meridionalArc(lat)
            guard_ += 1
        }
        let sinLat = sin(lat), cosLat = cos(lat), tanLat = tan(lat)
        let nu = airyA * f0 / (1 - e2 * sinLat * sinLat).squareRoot()
        let rho = airyA * f0 * (1 - e2) / pow(1 - e2 * sinLat * sinLat, 1.5)
        let eta2 = nu / rho - 1
        let tan2 = tanLat * tanLat, tan4 = tan2 * tan2, tan6 = tan4 * tan2
        let secLat = 1 / cosLat
        let nu3 = nu * nu * nu, nu5 = nu3 * nu * nu, nu7 = nu5 * nu * nu
        let vii = tanLat / (2 * rho * nu)
        let viii = tanLat / (24 * rho * nu3) * (5 + 3 * tan2 + eta2 - 9 * tan2 * eta2)
        let ix = tanLat / (720 * rho * nu5) * (61 + 90 * tan2 + 45 * tan4)
        let x = secLat / nu
        let xi = secLat / (6 * nu3) * (nu / rho + 2 * tan2)
        let xii = secLat / (120 * nu5) * (5 + 28 * tan2 + 24 * tan4)
        let xiia = secLat / (5040 * nu7) * (61 + 662 * tan2 + 1320 * tan4 + 720 * tan6)
        let de = easting - e0
        let de2 = de * de
        let phi = lat - vii * de2 + viii * de2 * de2 - ix * de2 * de2 * de2
        let lam = lon0 + x * de - xi * de2 * de + xii * de2 * de2 * de - xiia * de2 * de2 * de2 * de
        return (phi, lam)
    }
}

extension BritishNationalGrid {
    /// Remembers the projection of recently seen points. police.uk snaps every incident
    /// to one of some 750,000 map points, so a force-month repeats its points often.
    /// Direct-mapped (a point's slot is fixed by its hash; a new point evicts the old), so
    /// it never grows and a lookup is one probe.
    public struct Cache: Sendable {
        private struct Entry: Sendable {
            /// NaN bits: empty (a parsed coordinate is never NaN).
            var longitude = Double.nan.bitPattern
            var latitude = Double.nan.bitPattern
            var grid = GridPoint(easting: 0, northing: 0)
        }
        private var entries: [Entry]
        private let shift: UInt64

        /// - Parameter slots: rounded up to a power of two.
        public init(slots: Int = 1 << 16) {
            var size = 1
            while size < slots { size <<= 1 }
            entries = Array(repeating: Entry(), count: size)
            shift = UInt64(64 - size.trailingZeroBitCount)
        }

        /// The grid position of `p`, projected now or remembered.
        @inline(__always)
        public mutating func grid(from p: GeoPoint) -> GridPoint {
            let lon = p.longitude.bitPattern, lat = p.latitude.bitPattern
            let mixed = (lon &* 0x9E37_79B9_7F4A_7C15 ^ lat) &* 0xBF58_476D_1CE4_E5B9
            let i = Int(truncatingIfNeeded: mixed >> shift)
            if entries[i].longitude == lon && entries[i].latitude == lat { return entries[i].grid }
            let g = BritishNationalGrid.grid(from: p)
            entries[i] = Entry(longitude: lon, latitude: lat, grid: g)
            return g
        }
    }
}
