import Analytics
import CrimeData

/// The choices at the top of the ranking and hot-spot pages, pre-filled from the query
/// (so a page with errors shows what the user typed).
struct AnalysisForm: Encodable {
    typealias Option = SelectOption

    var forces: [Option]
    var from: String
    var to: String
    var categories: [Option]
    var cell: String
    var band: String
    var corrections: [Option]
    var areas: [Option]
    var levels: [Option]
    var sorts: [Option]
    var views: [Option]

    init(
        query: AnalysisQuery, options: AnalysisOptions?, data: DataAvailability, areas: [AreaRecord],
        view: HotspotView? = nil, allForces: Bool = false
    ) {
        let force = options?.force.id ?? query.force ?? ""
        forces = data.forces.map { Option(value: $0.force.id, label: $0.force.name, selected: $0.force.id == force) }
        if allForces, data.forces.count > 1 {
            let all = AnalysisOptions.allForces
            forces.append(Option(value: all.id, label: "All forces together", selected: force == all.id))
        }
        from = options.map { ByteParsing.monthString($0.period.first) } ?? query.from ?? ""
        to = options.map { ByteParsing.monthString($0.period.last) } ?? query.to ?? ""
        let chosen = Set(
            options?.categories
                ?? (query.category ?? ["anti-social-behaviour"]).flatMap { $0.split(separator: ",").map(String.init) })
        categories = data.categories.keys.sorted().map {
            Option(value: $0, label: AnalysisOptions.readable($0), selected: chosen.contains($0))
        }
        cell = options?.cellSize.map { String(Int($0)) } ?? query.cell ?? "auto"
        band = options?.band.map { String(Int($0)) } ?? query.band ?? ""
        let correction = options?.correction.rawValue ?? query.correction ?? "fdr"
        corrections = [
            ("fdr", "False discovery rate (Benjamini–Hochberg)"), ("holm", "Holm (stricter)"), ("none", "None"),
        ].map {
            Option(value: $0.0, label: $0.1, selected: $0.0 == correction)
        }
        let area = options?.area ?? query.area ?? ""
        self.areas =
            [Option(value: "", label: "Whole force", selected: area.isEmpty)]
            + areas.map { Option(value: $0.slug, label: $0.name, selected: $0.slug == area) }
        let level = options?.level.rawValue ?? query.level ?? "lsoa"
        levels = RankingLevel.allCases.map {
            Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == level)
        }
        let sort = options?.sort.rawValue ?? query.sort ?? "rate"
        sorts = [
            ("rate", "Rate per 1,000 residents"), ("count", "Count"), ("harm", "Harm-weighted score"),
            ("change", "Change on a year earlier"),
        ]
        .map { Option(value: $0.0, label: $0.1, selected: $0.0 == sort) }
        views = HotspotView.allCases.map {
            Option(value: $0.rawValue, label: $0.label, selected: $0 == (view ?? .classes))
        }
    }
}
