import Leaf
import Vapor

/// `#siteNav()` in the layout: the main navigation for who is looking. The Police and Crime
/// Plan link opens the working scorecard for OPCC staff and the published one for anyone
/// else; grants open the workspace's grants for people who sign in (with boards) and the
/// published grants for the public.
struct SiteNavTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let user = ctx.request?.currentUser
        var links: [(String, String)] = [
            (SiteURL.home(), "Data"), (SiteURL.open(), "Open data"), (SiteURL.rankings(), "Areas affected most"),
            (SiteURL.hotspots(), "Hot spots"), (SiteURL.areas(), "Areas"),
            (user?.role.isOPCC == true ? SiteURL.plan() : SiteURL.openPlan(), "Plan"),
            (SiteURL.campaigns(), "Campaigns"), (SiteURL.activities(), "Activity"),
        ]
        if user != nil {
            links += [(SiteURL.grants(), "Grants"), (SiteURL.boards(), "Boards")]
        } else {
            links += [(SiteURL.openGrants(), "Grants")]
        }
        return .string(links.map { "<a href=\"\($0.0)\">\(SVG.escape($0.1))</a>" }.joined())
    }
}
