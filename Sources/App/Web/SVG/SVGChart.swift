import Analytics
import CrimeData
import Foundation

/// A monthly bar chart drawn as SVG, with a period shaded (the months analysed, or a
/// campaign), axis ticks at round numbers and one label per quarter.
struct SVGChart {
    var months: [Int]
    var values: [Int]
    var shaded: MonthPeriod?
    var shadedLabel = "Selected period"
    var width = 760.0
    var height = 260.0

    func render(title: String, id: String = "chart") -> String {
        let left = 48.0, right = 12.0, top = 24.0, bottom = 44.0
        let plotW = width - left - right, plotH = height - top - bottom
        let maxValue = max(1, values.max() ?? 1)
        let step = Self.niceStep(Double(maxValue) / 4)
        let yMax = (Double(maxValue) / step).rounded(.up) * step
        let barW = plotW / Double(max(1, months.count))
        func y(_ v: Double) -> Double { ((top + plotH - v / yMax * plotH) * 10).rounded() / 10 }
        let total = values.reduce(0, +)
        let description =
            "Monthly counts from \(months.first.map(ByteParsing.monthString) ?? "") to "
            + "\(months.last.map(ByteParsing.monthString) ?? ""), \(Format.count(total)) in all; highest "
            + "\(Format.count(maxValue))."
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" id="\(id)" class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" \
            role="img" aria-labelledby="\(id)-title \(id)-desc" font-family="Arial, Helvetica, sans-serif">
            <title id="\(id)-title">\(SVG.escape(title))</title><desc id="\(id)-desc">\(SVG.escape(description))</desc>

            """
        if let shaded, let a = months.firstIndex(where: { shaded.contains($0) }),
            let b = months.lastIndex(where: { shaded.contains($0) })
        {
            let x0 = left + Double(a) * barW, x1 = left + Double(b + 1) * barW
            s += """
                <rect x="\(x0)" y="\(top)" width="\(x1 - x0)" height="\(plotH)" fill="#ffdd00" fill-opacity="0.35"/>\
                <text x="\(x0 + 4)" y="\(top - 8)" font-size="12" fill="#0b0c0c">\(SVG.escape(shadedLabel))</text>

                """
        }
        var tick = 0.0
        while tick <= yMax + step / 2 {
            s += """
                <line x1="\(left)" x2="\(width - right)" y1="\(y(tick))" y2="\(y(tick))" stroke="#b1b4b6" stroke-width="0.5"/>\
                <text x="\(left - 6)" y="\(y(tick) + 4)" font-size="11" text-anchor="end" fill="#505a5f">\(Format.count(Int(tick)))</text>

                """
            tick += step
        }
        for (k, (m, v)) in zip(months, values).enumerated() {
            let x0 = left + Double(k) * barW
            s +=
                "<rect x=\"\((x0 + barW * 0.1).rounded(to: 1))\" y=\"\(y(Double(v)))\" width=\"\((barW * 0.8).rounded(to: 1))\" height=\"\((top + plotH - y(Double(v))).rounded(to: 1))\" fill=\"#1d70b8\"><title>\(ByteParsing.monthString(m)): \(Format.count(v))</title></rect>\n"
            if m % 100 == 1 || (k == 0) || (m % 100 - 1) % 3 == 0 && barW >= 12 {
                let label = m % 100 == 1 || k == 0 ? ByteParsing.monthString(m) : Self.monthNames[m % 100 - 1]
                let lx = (x0 + barW / 2).rounded(to: 1)
                s +=
                    "<text x=\"\(lx)\" y=\"\(height - bottom + 16)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#505a5f\">\(label)</text>\n"
            }
        }
        s +=
            "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(top + plotH)\" y2=\"\(top + plotH)\" stroke=\"#0b0c0c\"/>\n"
        return s + "</svg>"
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// 1, 2 or 5 × 10ⁿ at or above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        let power = pow(10, floor(log10(max(raw, 1))))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
    }
}

extension Double {
    func rounded(to decimals: Int) -> Double {
        let f = Foundation.pow(10, Double(decimals))
        return (self * f).rounded() / f
    }
}
