import Leaf
import Vapor

/// `#siteNav()` in the layout: the main navigation for who is looking. The Police and Crime
/// Plan link opens the working scorecard for OPCC staff and the published one for anyone
/// else; grants open the workspace's grants for people who sign in (with boards) and the
/// published grants for the public; victims' pages for a victim service's people, the
/// compliance figures for OPCC staff, sending referrals for the police, and referrals in for
/// other partners.
struct SiteNavTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let user = ctx.request?.currentUser
        var links: [(String, String)] = [
            (SiteURL.home(), "Data"), (SiteURL.open(), "Open data"), (SiteURL.rankings(), "Areas affected most"),
            (SiteURL.hotspots(), "Hot spots"), (SiteURL.areas(), "Areas"),
            (user?.role.isOPCC == true ? SiteURL.plan() : SiteURL.openPlan(), "Plan"),
            (SiteURL.campaigns(), "Campaigns"), (SiteURL.activities(), "Activity"),
        ]
        if let user {
            links += [(SiteURL.grants(), "Grants"), (SiteURL.boards(), "Boards")]
            // Victims: a victim service's cases; the OPCC's compliance figures; a partner's
            // onward referrals in.
            if user.organisationKind == .victimService {
                links.append((SiteURL.victims(), "Victims"))
            } else if user.role.isOPCC {
                links.append((SiteURL.victimCompliance(), "Victims"))
            } else if user.organisationKind == .police {
                links.append((SiteURL.victimReferralUpload(), "Victim referrals"))
            } else {
                links.append((SiteURL.victimOnward(), "Referrals in"))
            }
        } else {
            links += [(SiteURL.openGrants(), "Grants")]
        }
        return .string(links.map { "<a href=\"\($0.0)\">\(SVG.escape($0.1))</a>" }.joined())
    }
}
