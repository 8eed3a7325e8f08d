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
