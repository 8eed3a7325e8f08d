import Analytics
import Foundation

/// Making Data Count's colours and icons, and the XmR chart drawn as SVG by the server.
/// Colour is never alone: each icon carries a letter, each special-cause point is a larger
/// marker of its own shape, and every point has a title naming its rule.
enum SPCStyle {
    static let commonCause = "#a6a6a6"
    static let improvement = "#00b0f0"
    static let concern = "#e46c0a"
    static let neutral = "#490092"
    static let target = "#de1b1b"

    static func colour(_ cause: SPC.Cause?, _ direction: SPC.Direction) -> String {
        switch SPC.Variation.of(cause, direction: direction) {
        case .commonCause: commonCause
        case .improvementHigh, .improvementLow: improvement
        case .concernHigh, .concernLow: concern
        case .neutralHigh, .neutralLow: neutral
        }
    }

    static func label(_ v: SPC.Variation) -> String {
        switch v {
        case .commonCause: "Common cause: no significant change"
        case .improvementHigh: "Special cause: improvement (high)"
        case .improvementLow: "Special cause: improvement (low)"
        case .concernHigh: "Special cause: concern (high)"
        case .concernLow: "Special cause: concern (low)"
        case .neutralHigh: "Special cause: high (neither good nor bad)"
        case .neutralLow: "Special cause: low (neither good nor bad)"
        }
    }

    static func label(_ a: SPC.Assurance?) -> String {
        switch a {
        case .consistentlyPassing: "Consistently passing the target"
        case .consistentlyFailing: "Consistently failing the target"
        case .hitAndMiss: "Hit and miss: the target is within the limits"
        case nil: "No target"
        }
    }

    /// The variation icon: a circle in the rule's colour with H (high), L (low) or ~ (common).
    static func variationIcon(_ v: SPC.Variation) -> String {
        let (colour, letter): (String, String) =
            switch v {
            case .commonCause: (commonCause, "~")
            case .improvementHigh: (improvement, "H")
            case .improvementLow: (improvement, "L")
            case .concernHigh: (concern, "H")
            case .concernLow: (concern, "L")
            case .neutralHigh: (neutral, "H")
            case .neutralLow: (neutral, "L")
            }
        return icon(colour: colour, letter: letter, title: label(v))
    }

    /// The assurance icon: P (passing), F (failing) or ? (hit and miss); nothing without a target.
    static func assuranceIcon(_ a: SPC.Assurance?) -> String {
        switch a {
        case .consistentlyPassing: icon(colour: improvement, letter: "P", title: label(a))
        case .consistentlyFailing: icon(colour: concern, letter: "F", title: label(a))
        case .hitAndMiss: icon(colour: commonCause, letter: "?", title: label(a))
        case nil: ""
        }
    }

    static func icon(colour: String, letter: String, title: String) -> String {
        """
        <svg class="spc-icon" width="28" height="28" viewBox="0 0 28 28" role="img" aria-label="\(SVG.escape(title))">\
        <title>\(SVG.escape(title))</title><circle cx="14" cy="14" r="12" fill="#fff" stroke="\(colour)" stroke-width="3"/>\
        <text x="14" y="19" font-size="14" font-weight="700" text-anchor="middle" fill="#0b0c0c" \
        font-family="Arial, Helvetica, sans-serif">\(SVG.escape(letter))</text></svg>
        """
    }
}

/// The XmR chart of one measure: points coloured and shaped by rule, the mean, the process
/// limits (dashed; "trial" while a segment has fewer than 12 points), the target in red, and
/// a labelled line at each rebase. `compact` draws the scorecard's sparkline.
struct SPCChartSVG {
    var reading: MeasureReading
    var width = 760.0
    var height = 300.0
    var compact = false

    func render(id: String) -> String {
        let r = reading
        let chart = r.chart
        let ys = chart.values
        guard !ys.isEmpty else { return "" }
        let left = compact ? 2.0 : 56.0, right = compact ? 2.0 : 16.0
        let top = compact ? 3.0 : 28.0, bottom = compact ? 3.0 : 46.0
        let plotW = width - left - right, plotH = height - top - bottom
        var lo = ys.min() ?? 0, hi = ys.max() ?? 1
        for s in chart.segments {
            lo = min(lo, s.limits.lower)
            hi = max(hi, s.limits.upper)
        }
        if let t = r.target, !compact {
            lo = min(lo, t)
            hi = max(hi, t)
        }
        if hi - lo < 1e-9 {
            hi += 1
            lo -= 1
        }
        let pad = (hi - lo) * 0.05
        lo -= pad
        hi += pad
        let step = ys.count > 1 ? plotW / Double(ys.count - 1) : 0
        func x(_ i: Int) -> Double { ((left + (ys.count > 1 ? Double(i) * step : plotW / 2)) * 10).rounded() / 10 }
        func y(_ v: Double) -> Double { ((top + (hi - v) / (hi - lo) * plotH) * 10).rounded() / 10 }
        /// A coordinate with one decimal, without `Double`'s general-purpose description.
        func text(_ v: Double) -> String {
            guard v.isFinite, abs(v) < 1e9 else { return "0" }
            let tenths = Int((abs(v) * 10).rounded())
            return (v < 0 ? "-" : "") + (tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)")
        }
        let name = r.measure.name
        let desc =
            "\(ys.count) \(r.periodWord) to \(r.latest.map { MeasureReading.periodLabel($0.period, r.measure.frequency) } ?? ""); "
            + "latest \(r.latest.map { r.format($0.value) } ?? "–"). \(SPCStyle.label(r.variation)). "
            + SPCStyle.label(r.assurance) + "."
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" id="\(id)" class="\(compact ? "spc-spark" : "chart spc-chart")" \
            viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="\(id)-title \(id)-desc" \
            font-family="Arial, Helvetica, sans-serif">
            <title id="\(id)-title">\(SVG.escape(compact ? name : "\(name): XmR chart"))</title>\
            <desc id="\(id)-desc">\(SVG.escape(desc))</desc>

            """
        if !compact {
            for tick in Self.ticks(lo, hi) {
                s += """
                    <line x1="\(left)" x2="\(width - right)" y1="\(y(tick))" y2="\(y(tick))" stroke="#e8e8e8" stroke-width="1"/>\
                    <text x="\(left - 6)" y="\(y(tick) + 4)" font-size="11" text-anchor="end" fill="#505a5f">\(SVG.escape(r.format(tick)))</text>

                    """
            }
        }
        for seg in chart.segments {
            let a = x(seg.range.lowerBound), b = x(max(seg.range.lowerBound, seg.range.upperBound - 1))
            let l = seg.limits
            s +=
                "<line x1=\"\(a)\" x2=\"\(b)\" y1=\"\(y(l.mean))\" y2=\"\(y(l.mean))\" stroke=\"#0b0c0c\" stroke-width=\"1.2\"/>\n"
            for v in [l.upper, l.lower] {
                s +=
                    "<line x1=\"\(a)\" x2=\"\(b)\" y1=\"\(y(v))\" y2=\"\(y(v))\" stroke=\"#505a5f\" stroke-width=\"1\" stroke-dasharray=\"5 4\"/>\n"
            }
            if !compact {
                let note = seg.trial ? " (trial limits: fewer than 12 points)" : ""
                s +=
                    "<text x=\"\(b)\" y=\"\(y(l.upper) - 4)\" font-size=\"11\" text-anchor=\"end\" fill=\"#505a5f\">Upper limit \(SVG.escape(r.format(l.upper)))\(SVG.escape(note))</text>\n"
                s +=
                    "<text x=\"\(b)\" y=\"\(y(l.lower) + 13)\" font-size=\"11\" text-anchor=\"end\" fill=\"#505a5f\">Lower limit \(SVG.escape(r.format(l.lower)))</text>\n"
            }
        }
        if let t = r.target {
            s +=
                "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(y(t))\" y2=\"\(y(t))\" stroke=\"\(SPCStyle.target)\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n"
            if !compact {
                s +=
                    "<text x=\"\(left + 4)\" y=\"\(y(t) - 4)\" font-size=\"11\" fill=\"\(SPCStyle.target)\">Target \(SVG.escape(r.format(t)))</text>\n"
            }
        }
        if !compact {
            for rebase in r.rebases {
                guard let i = r.values.firstIndex(where: { $0.period >= rebase.period }) else { continue }
                let xr = x(i) - step / 2
                s +=
                    "<line x1=\"\(xr)\" x2=\"\(xr)\" y1=\"\(top)\" y2=\"\(top + plotH)\" stroke=\"#0b0c0c\" stroke-width=\"1\"/>"
                    + "<text x=\"\(xr + 4)\" y=\"\(top - 8)\" font-size=\"11\" fill=\"#0b0c0c\">Rebased: \(SVG.escape(rebase.reason))</text>\n"
            }
        }
        s += "<polyline fill=\"none\" stroke=\"#505a5f\" stroke-width=\"\(compact ? 1 : 1.5)\" points=\""
        s += ys.indices.map { text(x($0)) + "," + text(y(ys[$0])) }.joined(separator: " ")
        s += "\"/>\n"
        for (i, v) in ys.enumerated() {
            let cause = chart.causes[i]
            let colour = SPCStyle.colour(cause, r.measure.direction)
            if compact && cause == nil && i != ys.count - 1 { continue }
            let label =
                "\(MeasureReading.periodLabel(r.values[i].period, r.measure.frequency)): \(r.format(v))"
                + (cause.map { " — \($0.label)" } ?? "")
            let title = "<title>\(SVG.escape(label))</title>"
            if compact {
                if cause != nil || i == ys.count - 1 {
                    s += "<circle cx=\"\(x(i))\" cy=\"\(y(v))\" r=\"2.5\" fill=\"\(colour)\">\(title)</circle>"
                }
            } else if cause == nil {
                s += "<circle cx=\"\(x(i))\" cy=\"\(y(v))\" r=\"3.5\" fill=\"\(colour)\">\(title)</circle>\n"
            } else {
                // Special cause: a larger square (high) or diamond (low) as well as its colour.
                let size = 5.5
                if cause?.high == true {
                    s +=
                        "<rect x=\"\(x(i) - size)\" y=\"\(y(v) - size)\" width=\"\(2 * size)\" height=\"\(2 * size)\" fill=\"\(colour)\" stroke=\"#0b0c0c\" stroke-width=\"0.5\">\(title)</rect>\n"
                } else {
                    s +=
                        "<polygon points=\"\(x(i)),\(y(v) - size - 1) \(x(i) + size + 1),\(y(v)) \(x(i)),\(y(v) + size + 1) \(x(i) - size - 1),\(y(v))\" fill=\"\(colour)\" stroke=\"#0b0c0c\" stroke-width=\"0.5\">\(title)</polygon>\n"
                }
            }
        }
        if !compact {
            for (i, v) in r.values.enumerated() where i == 0 || i == r.values.count - 1 || v.period % 100 == 1 {
                s +=
                    "<text x=\"\(x(i))\" y=\"\(height - bottom + 18)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#505a5f\">\(SVG.escape(MeasureReading.periodLabel(v.period, r.measure.frequency)))</text>\n"
            }
        }
        return s + "</svg>"
    }

    /// About five round ticks between lo and hi.
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let raw = (hi - lo) / 5
        guard raw > 0, raw.isFinite else { return [] }
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = (lo / step).rounded(.up) * step
        var out: [Double] = []
        while t <= hi && out.count < 12 {
            out.append(t)
            t += step
        }
        return out
    }
}
