import Foundation

/// How map colours look to readers with a colour-vision deficiency, to check that a
/// palette's classes stay apart: Machado, Oliveira and Fernandes (2009), "A physiologically-
/// based model for simulation of color vision deficiency", severity 1.0 matrices applied to
/// linear sRGB; differences as CIEDE2000 (Sharma, Wu and Dalal 2005) in CIELAB (D65).
enum ColourVision: CaseIterable, Sendable {
    case protanopia, deuteranopia, tritanopia

    private var matrix: [[Double]] {
        switch self {
        case .protanopia:
            [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
        case .deuteranopia:
            [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
        case .tritanopia:
            [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
        }
    }

    /// `#rrggbb` as sRGB components from 0 to 1; nil for anything else.
    static func rgb(_ hex: String) -> [Double]? {
        let digits = hex.hasPrefix("#") ? hex.dropFirst() : Substring(hex)
        guard digits.count == 6, let v = UInt32(digits, radix: 16) else { return nil }
        return [Double((v >> 16) & 0xff) / 255, Double((v >> 8) & 0xff) / 255, Double(v & 0xff) / 255]
    }

    static func linear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
    /// Linear to sRGB; below 0 the straight segment continues (as colorspacious does).
    static func gamma(_ c: Double) -> Double {
        c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1 / 2.4) - 0.055
    }

    /// The colour as this reader sees it, in sRGB (not clipped: it may leave 0…1).
    func simulate(_ rgb: [Double]) -> [Double] {
        let lin = rgb.map(Self.linear)
        return matrix.map { row in
            let v = row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2]
            return Self.gamma(v)
        }
    }

    /// CIELAB (D65) of an sRGB colour, clipped to 0…1 first.
    static func lab(_ rgb: [Double]) -> [Double] {
        let l = rgb.map { linear(min(max($0, 0), 1)) }
        let x = (0.4124564 * l[0] + 0.3575761 * l[1] + 0.1804375 * l[2]) / 0.95047
        let y = 0.2126729 * l[0] + 0.7151522 * l[1] + 0.0721750 * l[2]
        let z = (0.0193339 * l[0] + 0.1191920 * l[1] + 0.9503041 * l[2]) / 1.08883
        func f(_ t: Double) -> Double { t > 216 / 24389 ? cbrt(t) : (24389 / 27 * t + 16) / 116 }
        return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))]
    }

    /// CIEDE2000 between two sRGB colours.
    static func deltaE(_ a: [Double], _ b: [Double]) -> Double { deltaE2000(lab(a), lab(b)) }

    /// CIEDE2000 between two CIELAB colours (kL = kC = kH = 1), as Sharma, Wu and Dalal (2005)
    /// set it out, their equations numbered in the comments.
    static func deltaE2000(_ p: [Double], _ q: [Double]) -> Double {
        let (l1, a1, b1, l2, a2, b2) = (p[0], p[1], p[2], q[0], q[1], q[2])
        let rad = Double.pi / 180
        let cBar = (hypot(a1, b1) + hypot(a2, b2)) / 2  // (2), (3)
        let g = 0.5 * (1 - sqrt(pow(cBar, 7) / (pow(cBar, 7) + pow(25, 7))))  // (4)
        let (a1p, a2p) = ((1 + g) * a1, (1 + g) * a2)  // (5)
        let (c1p, c2p) = (hypot(a1p, b1), hypot(a2p, b2))  // (6)
        func hue(_ b: Double, _ a: Double) -> Double {  // (7)
            if a == 0 && b == 0 { return 0 }
            let h = atan2(b, a) / rad
            return h < 0 ? h + 360 : h
        }
        let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p))
        let dLp = l2 - l1  // (8)
        let dCp = c2p - c1p  // (9)
        var dhp = 0.0  // (10)
        if c1p * c2p != 0 {
            dhp = h2p - h1p
            if dhp > 180 { dhp -= 360 } else if dhp < -180 { dhp += 360 }
        }
        let dHp = 2 * sqrt(c1p * c2p) * sin(dhp / 2 * rad)  // (11)
        let lBarP = (l1 + l2) / 2  // (12)
        let cBarP = (c1p + c2p) / 2  // (13)
        var hBarP = h1p + h2p  // (14)
        if c1p * c2p != 0 {
            if abs(h1p - h2p) <= 180 {
                hBarP /= 2
            } else {
                hBarP = hBarP < 360 ? (hBarP + 360) / 2 : (hBarP - 360) / 2
            }
        }
        let t =
            1 - 0.17 * cos((hBarP - 30) * rad) + 0.24 * cos(2 * hBarP * rad) + 0.32 * cos((3 * hBarP + 6) * rad)
            - 0.20 * cos((4 * hBarP - 63) * rad)  // (15)
        let dTheta = 30 * exp(-pow((hBarP - 275) / 25, 2))  // (16)
        let rC = 2 * sqrt(pow(cBarP, 7) / (pow(cBarP, 7) + pow(25, 7)))  // (17)
        let sL = 1 + 0.015 * pow(lBarP - 50, 2) / sqrt(20 + pow(lBarP - 50, 2))  // (18)
        let sC = 1 + 0.045 * cBarP  // (19)
        let sH = 1 + 0.015 * cBarP * t  // (20)
        let rT = -sin(2 * dTheta * rad) * rC  // (21)
        let (x, y, z) = (dLp / sL, dCp / sC, dHp / sH)
        return sqrt(x * x + y * y + z * z + rT * y * z)  // (22)
    }

    /// The smallest ΔE between any two of the colours, as seen with `vision` (nil: typical
    /// colour vision).
    static func closest(_ colours: [String], as vision: ColourVision?) -> Double {
        let seen = colours.compactMap(rgb).map { vision?.simulate($0) ?? $0 }
        var least = Double.infinity
        for i in seen.indices {
            for j in seen.indices where j > i { least = min(least, deltaE(seen[i], seen[j])) }
        }
        return least
    }
}
