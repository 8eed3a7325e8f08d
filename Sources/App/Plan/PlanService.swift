import Fluent
import Foundation

/// Reads the plan and its measures together: the scorecard's one call, the measure page's,
/// and the recomputation after an import.
struct PlanService: Sendable {
    let plans: PlanStore
    let measures: MeasureStore
    var queries = MeasureQueries()

    struct Scorecard: Sendable {
        var plan: PlanStore.Plan?
        var objectives: [PlanStore.Objective]
        var themes: [PlanStore.Theme]
        var themeObjectives: [Int: [Int]]
        var readings: [MeasureReading]
        var measureThemes: [Int: [String]]
    }

    /// The plan and every measure's reading; `sources` also reads each figure's source (the CSV).
    func scorecard(sources: Bool = false, on db: any Database) async throws -> Scorecard {
        let plan = try await plans.current(on: db)
        var objectives: [PlanStore.Objective] = []
        var themes: [PlanStore.Theme] = []
        var themeObjectives: [Int: [Int]] = [:]
        if let plan {
            objectives = try await plans.objectives(of: plan, on: db)
            themes = try await plans.themes(of: plan, on: db)
            themeObjectives = try await plans.themeObjectives(of: plan, on: db)
        }
        let all = try await measures.all(on: db)
        let values = sources ? try await measures.fullValues(on: db) : try await measures.values(on: db)
        let rebases = try await measures.rebases(on: db)
        return Scorecard(
            plan: plan, objectives: objectives, themes: themes, themeObjectives: themeObjectives,
            readings: all.map { MeasureReading($0, values: values[$0.id] ?? [], rebases: rebases[$0.id] ?? []) },
            measureThemes: try await measures.themes(on: db))
    }

    func reading(slug: String, on db: any Database) async throws -> MeasureReading? {
        guard let m = try await measures.find(slug: slug, on: db) else { return nil }
        let rebases = try await measures.rebases(on: db)[m.id] ?? []
        return MeasureReading(m, values: try await measures.values(of: m, on: db), rebases: rebases)
    }

    /// Recomputes every computed measure from the data held (after an import, or when a
    /// measure is defined). Returns how many measures.
    @discardableResult
    func refresh(on db: any Database) async throws -> Int {
        try await queries.recompute(try await measures.all(on: db), store: measures, on: db)
    }
}
