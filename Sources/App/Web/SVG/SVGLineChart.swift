import Analytics
import CrimeData
import Foundation

/// Monthly series as lines (the treated area against its comparison, before, during and
/// after a campaign), with shaded periods, round-number ticks, a legend and a table-like
/// description for screen readers.
struct SVGLineChart {
    struct Series {
        var label: String
        var values: [Double]
        var colour: String
        var dashed = false
    }

    struct Band {
        var period: MonthPeriod
        var label: String
        var fill: String
    }

    var months: [Int]
    var series: [Series]
    var bands: [Band] = []
    /// How a value that is not a number reads in the chart's description.
    var missingText = "not shown"
    var width = 760.0
    var height = 280.0

    func render(title: String, id: String) -> String {
        let left = 48.0, right = 12.0, top = 28.0, bottom = 66.0
        let plotW = width - left - right, plotH = height - top - bottom
        let maxValue = max(1, series.flatMap(\.values).filter(\.isFinite).max() ?? 1)
        let step = SVGChart.niceStep(maxValue / 4)
        let yMax = (maxValue / step).rounded(.up) * step
        let dx = plotW / Double(max(1, months.count - 1))
        func x(_ k: Int) -> Double { (left + Double(k) * dx).rounded(to: 1) }
        func y(_ v: Double) -> Double { (top + plotH - v / yMax * plotH).rounded(to: 1) }
        let description = series.map { s in
            "\(s.label): "
                + zip(months, s.values).map {
                    "\(ByteParsing.monthString($0)) " + ($1.isFinite ? Format.number($1, decimals: 0) : missingText)
                }.joined(separator: ", ")
        }.joined(separator: ". ")
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" id="\(id)" class="chart line-chart" viewBox="0 0 \(Int(width)) \(Int(height))" \
            role="img" aria-labelledby="\(id)-title \(id)-desc" font-family="Arial, Helvetica, sans-serif">
            <title id="\(id)-title">\(SVG.escape(title))</title><desc id="\(id)-desc">\(SVG.escape(description))</desc>

            """
        for band in bands {
            guard let a = months.firstIndex(where: { band.period.contains($0) }),
                let b = months.lastIndex(where: { band.period.contains($0) })
            else { continue }
            let x0 = max(left, x(a) - dx / 2), x1 = min(width - right, x(b) + dx / 2)
            s += """
                <rect class="band" x="\(x0)" y="\(top)" width="\((x1 - x0).rounded(to: 1))" height="\(plotH)" fill="\(band.fill)" fill-opacity="0.45"/>\
                <text x="\(x0 + 3)" y="\(top - 8)" font-size="12" fill="#0b0c0c">\(SVG.escape(band.label))</text>

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
        for (k, m) in months.enumerated() where m % 100 == 1 || k == 0 || ((m % 100 - 1) % 3 == 0 && dx >= 12) {
            let label = m % 100 == 1 || k == 0 ? ByteParsing.monthString(m) : SVGChart.monthNames[m % 100 - 1]
            s +=
                "<text x=\"\(x(k))\" y=\"\(top + plotH + 16)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#505a5f\">\(label)</text>\n"
        }
        s +=
            "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(top + plotH)\" y2=\"\(top + plotH)\" stroke=\"#0b0c0c\"/>\n"
        for (n, line) in series.enumerated() {
            // A value that is not a number (suppressed, missing) breaks the line.
            var runs: [[String]] = [[]]
            for (k, v) in line.values.enumerated() {
                if v.isFinite {
                    runs[runs.count - 1].append("\(x(k)),\(y(v))")
                } else if !runs[runs.count - 1].isEmpty {
                    runs.append([])
                }
            }
            for run in runs where !run.isEmpty {
                s +=
                    "<polyline class=\"series series-\(n)\" points=\"\(run.joined(separator: " "))\" fill=\"none\" stroke=\"\(line.colour)\" stroke-width=\"2.5\""
                    + (line.dashed ? " stroke-dasharray=\"6 4\"" : "")
                    + "><title>\(SVG.escape(line.label))</title></polyline>\n"
            }
        }
        // Legend under the axis labels.
        var lx = left
        for line in series {
            s += """
                <line x1="\(lx)" x2="\(lx + 24)" y1="\(height - 18)" y2="\(height - 18)" stroke="\(line.colour)" stroke-width="3"\
                \(line.dashed ? " stroke-dasharray=\"6 4\"" : "")/><text x="\(lx + 30)" y="\(height - 14)" font-size="12" fill="#0b0c0c">\(SVG.escape(line.label))</text>

                """
            lx += 40 + Double(line.label.count) * 6.4
        }
        return s + "</svg>"
    }
}
