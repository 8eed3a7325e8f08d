import Leaf
import Vapor

/// `#accountBar()` in the layout: "Sign in", or the signed-in person, their organisation and
/// a sign-out button (a POST form carrying the CSRF token). Every value is escaped here.
struct AccountBarTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let user = ctx.request?.currentUser else {
            return .string("<a class=\"account-link\" href=\"\(SiteURL.login())\">Sign in</a>")
        }
        let organisation =
            [.partnerAdmin, .opccAdmin].contains(user.role)
            ? "<a class=\"account-link\" href=\"\(SiteURL.organisation())\">\(SVG.escape(user.organisationName))</a>"
            : SVG.escape(user.organisationName)
        return .string(
            """
            <span class="account-name"><a class="account-link" href="\(SiteURL.account())">\(SVG.escape(user.name))</a>, \(organisation)</span>\
            <form class="account-form" method="post" action="\(SiteURL.logout())"><input type="hidden" name="_csrf" \
            value="\(SVG.escape(user.csrfToken))"><button class="link-button" type="submit">Sign out</button></form>
            """)
    }
}
