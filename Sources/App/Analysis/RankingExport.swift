import Analytics
import CrimeData

/// A ranking as RFC 4180 CSV, for the download and the `rank` command.
enum RankingExport {
    static func csv(_ report: RankingReport) -> String {
        var out = CSVWriter.record([
            "rank", "id", "name", "count", "population", "rate_per_1000", "share_of_force", "harm_score",
            "previous_count",
            "previous_rate_ratio", "previous_p", "year_earlier_count", "year_earlier_rate_ratio",
            "year_earlier_lower_95",
            "year_earlier_upper_95", "year_earlier_p",
        ])
        func n(_ v: Double?) -> String { v.map { HotspotExport.number($0) } ?? "" }
        for r in report.rows {
            out += CSVWriter.record([
                String(r.rank), r.id, r.name, String(r.count), r.population.map(String.init) ?? "", n(r.ratePer1000),
                n(r.shareOfForce), n(r.harm), n(r.versusPrevious.baseline), n(r.versusPrevious.rateRatio),
                n(r.versusPrevious.p),
                n(r.versusYearEarlier.baseline), n(r.versusYearEarlier.rateRatio), n(r.versusYearEarlier.lower95),
                n(r.versusYearEarlier.upper95), n(r.versusYearEarlier.p),
            ])
        }
        return out
    }
}

/// A ranking as the API's JSON, written byte by byte: the same bytes as `JSONEncoder` with
/// sorted keys (tested against it), in a fraction of its time. Encoding the 1,388 rows of a
/// force's ranking with `JSONEncoder` was over a third of the cold answer and most of a kept
/// one (BENCHMARKS.md, issue 19). A number that is not finite, which `JSONEncoder` would
/// refuse, is written as `null`.
enum RankingJSON {
    static func bytes(_ report: RankingReport) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1_024 + report.rows.count * 420)
        var w = JSONObjectWriter()
        if let c = report.concentration {
            w.key("concentration", to: &out)
            var o = JSONObjectWriter()
            o.number("places", String(c.places), to: &out)
            o.number("placesForHalf", number(c.placesForHalf), to: &out)
            o.key("shares", to: &out)
            PoliceAPIJSON.array(c.shares, to: &out) { s, out in
                var o = JSONObjectWriter()
                o.number("places", String(s.places), to: &out)
                o.number("share", number(s.share), to: &out)
                o.number("topFraction", number(s.topFraction), to: &out)
                o.end(&out)
            }
            o.number("total", number(c.total), to: &out)
            o.end(&out)
        }
        w.number("forceTotal", String(report.forceTotal), to: &out)
        w.key("options", to: &out)
        options(report.options, to: &out)
        w.string("populationNote", report.populationNote, to: &out)
        w.key("rows", to: &out)
        PoliceAPIJSON.array(report.rows, to: &out, row)
        w.end(&out)
        return out
    }

    private static func options(_ o: RankingReport.RecordedOptions, to out: inout [UInt8]) {
        var w = JSONObjectWriter()
        w.key("categories", to: &out)
        PoliceAPIJSON.array(o.categories, to: &out) { PoliceAPIJSON.string($0, to: &$1) }
        w.string("changeTest", o.changeTest, to: &out)
        w.string("force", o.force, to: &out)
        w.string("from", o.from, to: &out)
        w.key("harmWeights", to: &out)
        var weights = JSONObjectWriter()
        for (slug, weight) in o.harmWeights.sorted(by: { $0.key < $1.key }) {
            weights.number(slug, number(weight), to: &out)
        }
        weights.end(&out)
        w.string("level", o.level, to: &out)
        w.string("previous", o.previous, to: &out)
        w.string("sort", o.sort, to: &out)
        w.string("to", o.to, to: &out)
        w.string("yearEarlier", o.yearEarlier, to: &out)
        w.end(&out)
    }

    private static func row(_ r: AreaRanking.Row, to out: inout [UInt8]) {
        var w = JSONObjectWriter()
        w.number("count", String(r.count), to: &out)
        w.number("harm", number(r.harm), to: &out)
        w.string("id", r.id, to: &out)
        w.string("name", r.name, to: &out)
        if let p = r.population { w.number("population", String(p), to: &out) }
        w.number("rank", String(r.rank), to: &out)
        if let v = r.ratePer1000 { w.number("ratePer1000", number(v), to: &out) }
        if let v = r.shareOfForce { w.number("shareOfForce", number(v), to: &out) }
        w.key("versusPrevious", to: &out)
        comparison(r.versusPrevious, to: &out)
        w.key("versusYearEarlier", to: &out)
        comparison(r.versusYearEarlier, to: &out)
        w.end(&out)
    }

    private static func comparison(_ c: CountComparison, to out: inout [UInt8]) {
        var w = JSONObjectWriter()
        w.number("baseline", number(c.baseline), to: &out)
        w.number("current", number(c.current), to: &out)
        if let v = c.lower95 { w.number("lower95", number(v), to: &out) }
        w.number("p", number(c.p), to: &out)
        if let v = c.rateRatio { w.number("rateRatio", number(v), to: &out) }
        if let v = c.upper95 { w.number("upper95", number(v), to: &out) }
        w.end(&out)
    }

    /// A double as `JSONEncoder` writes it: Swift's shortest round-trip text, without a
    /// trailing `.0` (`12`, `0.5`, `1e-05`).
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        let text = v.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
