@testable import App
import Analytics
import Testing

/// The maps' palettes stay distinguishable for colour-blind readers. The simulation is checked
/// against colorspacious 1.1.2 (PyPI), computed outside the project:
///   cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": T, "severity": 100}, "sRGB1")
/// CIEDE2000 against pairs of Sharma, Wu and Dalal's (2005) published test data (the values
/// agree with colour-science 0.4's `delta_E(method="CIE 2000")`), and the palettes' closest
/// pairs against colorspacious's simulation, clipped to 0…1, then
///   colour.delta_E(cspace_convert(a, "sRGB1", "CIELab"), cspace_convert(b, "sRGB1", "CIELab"), method="CIE 2000")
@Suite("map palettes and colour-blind readers")
struct PaletteTests {
    @Test("the Machado (2009) simulation agrees with colorspacious")
    func simulation() throws {
        let golden: [(ColourVision, String, [Double])] = [
            (.protanopia, "#85c99e", [0.786056, 0.748398, 0.610281]),
            (.protanopia, "#2166ac", [0.266316, 0.419765, 0.685446]),
            (.protanopia, "#fd8d3c", [0.680477, 0.606667, 0.192804]),
            (.deuteranopia, "#85c99e", [0.742488, 0.71844, 0.629106]),
            (.deuteranopia, "#2166ac", [0.175184, 0.370578, 0.669094]),
            (.deuteranopia, "#fd8d3c", [0.785619, 0.705861, 0.231023]),
            (.tritanopia, "#85c99e", [0.471415, 0.783199, 0.741143]),
            (.tritanopia, "#2166ac", [-0.837949, 0.465368, 0.50351]),
            (.tritanopia, "#fd8d3c", [1.085133, 0.458448, 0.487363]),
        ]
        for (vision, hex, expected) in golden {
            let seen = vision.simulate(try #require(ColourVision.rgb(hex)))
            for (a, b) in zip(seen, expected) { #expect(abs(a - b) < 2e-4, "\(vision) \(hex): \(seen)") }
        }
    }

    @Test("CIEDE2000 gives Sharma, Wu and Dalal's published differences")
    func ciede2000() {
        let pairs: [([Double], [Double], Double)] = [
            ([50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425),
            ([50, 3.1571, -77.2803], [50, 0, -82.7485], 2.8615),
            ([50, 0, 0], [50, -1, 2], 2.3669),
            ([50, 2.5, 0], [73, 25, -18], 27.1492),
            ([50, 2.5, 0], [61, -5, 29], 22.8977),
            ([60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644),
            ([22.7233, 20.0904, -46.694], [23.0331, 14.973, -42.5619], 2.0373),
        ]
        for (a, b, expected) in pairs {
            let found = ColourVision.deltaE2000(a, b)
            #expect(abs(found - expected) < 1e-4, "\(a) \(b): \(found)")
            #expect(abs(ColourVision.deltaE2000(b, a) - expected) < 1e-4, "symmetric")
        }
    }

    static let palettes: [(String, [String])] = [
        ("hot and cold spots", HotspotClass.allCases.compactMap(HotspotMaps.fill) + [HotspotMaps.studyAreaFill]),
        ("density", HotspotMaps.densityFills),
        ("counts", ["#ffffff"] + SVGMap.countFills),
        ("report verdicts", ReportPage.verdictFill.values.sorted() + ["#fbd5b5"]),
    ]

    @Test("every palette's closest two classes are at least ΔE₀₀ 5 apart, for every reader")
    func distinguishable() {
        for (name, colours) in Self.palettes {
            for vision in [nil] + ColourVision.allCases.map(Optional.some) {
                let least = ColourVision.closest(colours, as: vision)
                #expect(least >= 5, "\(name) as seen with \(vision.map { "\($0)" } ?? "typical vision"): ΔE \(least)")
            }
        }
        // The closest pairs found by colorspacious (see above).
        let hotCold = Self.palettes[0].1
        #expect(abs(ColourVision.closest(hotCold, as: .protanopia) - 5.945) < 0.01)
        #expect(abs(ColourVision.closest(HotspotMaps.densityFills, as: .deuteranopia) - 5.332) < 0.01)
        #expect(abs(ColourVision.closest(["#ffffff"] + SVGMap.countFills, as: .protanopia) - 7.228) < 0.01)
        // The report's old green and pink (before this check) were not: 4.6 for a deuteranope.
        #expect(abs(ColourVision.closest(["#85c99e", "#f4a29a"], as: .deuteranopia) - 4.600) < 0.01)
    }
}
