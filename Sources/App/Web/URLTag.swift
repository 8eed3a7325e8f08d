import Leaf
import Vapor

/// `#url("campaignPlan", campaign.slug, plan.areaSlug)` in a template: the path of a
/// `SiteURL` case with its parameters filled, so templates link through the same names as
/// `routes.swift` registers. An unknown name or a wrong number of parameters is an error
/// at render time (the page fails in the tests), never a silently dead link.
struct URLTag: LeafTag {
    struct UnknownPath: Error, CustomStringConvertible {
        let description: String
    }

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let name = ctx.parameters.first?.string, let site = SiteURL(rawValue: name) else {
            throw UnknownPath(description: "#url: no path named \(ctx.parameters.first?.string ?? "(none)")")
        }
        let values = ctx.parameters.dropFirst().map { $0.string ?? "" }
        guard values.count == site.parameterCount else {
            throw UnknownPath(
                description: "#url(\"\(name)\") takes \(site.parameterCount) parameter(s), given \(values.count)")
        }
        return .string(site.path(Array(values)))
    }
}
