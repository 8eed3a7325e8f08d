import SQLKit

/// Who is looking at partners' activity records or their totals: the one visibility rule
/// for every way a record or a total leaves the server (pages, CSV files, the return, the
/// JSON API, share links, public pages, the PDF).
///
/// - OPCC staff and the command line's operator see every record.
/// - A partner (signed in or by its API token) sees its own organisation's records, every
///   public record, and records shared with a campaign it takes part in.
/// - Anyone else (a report link's holder, the public pages) sees public records only.
enum ActivityViewer: Sendable {
    case user(CurrentUser)
    case anyone
    /// The command line, run by whoever administers the server.
    case `operator`

    init(_ user: CurrentUser?) { self = user.map(ActivityViewer.user) ?? .anyone }

    /// The SQL condition on a table of records or totals (`alias`, e.g. `a` or `t`, with
    /// `organisation_id`, `visibility` and `campaign_id` columns).
    func condition(_ alias: String) -> SQLQueryString {
        var a = SQLQueryString("")
        a.appendInterpolation(unsafeRaw: alias)
        switch self {
        case .operator:
            return "1 = 1"
        case .user(let user) where user.role.isOPCC:
            return "1 = 1"
        case .user(let user):
            return """
                (\(a).organisation_id = \(bind: user.organisationID) OR \(a).visibility = 'public'
                  OR (\(a).visibility = 'shared' AND \(a).campaign_id IN
                    (SELECT campaign_id FROM campaign_organisations WHERE organisation_id = \(bind: user.organisationID))))
                """
        case .anyone:
            return "\(a).visibility = 'public'"
        }
    }
}
