import Foundation
import Vapor

/// Every path of the site, named once: `routes.swift` registers each route from its case
/// and every link is made from the same case, in Swift (`SiteURL.campaign(c.slug)`) and in
/// templates (`#url("campaign", campaign.slug)`). A renamed path therefore moves its links
/// with it, a link to a name that does not exist fails the render (and the test suite),
/// and `SiteURLTests` checks that every case is a registered route and every route a case.
enum SiteURL: String, CaseIterable, Sendable {
    // Home, health, signing in
    case home, coverageAPI, health, ready, metrics, login, logout, account, accountPassword, accountNotifications
    case passwordForgot, passwordReset
    // Analysis (open data)
    case hotspots, hotspotCellsGeoJSON, hotspotCellsCSV, hotspotMapSVG, hotspotsAPI
    case mapContext
    case rankings, rankingsCSV, rankingsGeoJSON, rankingsAPI
    case areas, areasGeoJSON, area, areaGeoJSON, areasAPI
    // The data platform and administration
    case imports, importJob, importStatus
    case adminAudit, adminUsers, adminOrganisations, adminMail, adminMailMessage, adminMailTest
    case organisation, organisationContact, organisationUsers, organisationUserDisable
    case organisationTokens, organisationTokenRevoke
    // Campaigns and plans
    case campaigns, campaignNew, campaign, campaignOrganisations, campaignAreas, campaignLinks
    case campaignPrioritiesCSV, campaignPlan, campaignPlanEdit, campaignPlanActions, campaignPlanTargets
    case actionUpdates, campaignDashboard, campaignActivitiesCSV
    case campaignPublish, campaignUnpublish
    // The activity ledger
    case activities, activityNew, activityUpload, activityTemplate, activity, activityDelete
    case activityTypesAPI, activitiesAPI, openAPIDocument
    // The campaign report
    case campaignReport, campaignReportCSV, campaignReportPDF, campaignReturnCSV
    case campaignEvaluation, campaignReportLinks, campaignReportLinkRevoke
    case sharedReport, sharedReportCSV
    case campaignsAPI, campaignEvaluationAPI
    // The Police and Crime Plan
    case plan, planMeasuresCSV, planMeasure, planMeasureValues, planTheme, planValues, planValuesAPI
    case planPDF, planPublish, planWithdraw, planNational, planNationalPublish
    case planEdit, planMeasures, planMeasureNew, planMeasureEdit, planMeasureRebases, planThemeCampaigns
    // Grants and commissioning
    case grants, grantRegister, grantRegistration, grantFunds, grantFund, grantRounds, grantRound, grantRoundPanel,
        grantApplications
    case grantApplication, grantApplicationSubmit, grantApplicationFiles, grantApplicationFile
    case grantApplicationIdentifier, grantConflict, grantScores, grantModerate, grantDecision
    case grantAward, grantAwardInstalments, grantAwardPayments, grantReturn, grantReturnReview, grantDashboard
    // Victims' services
    case victims, victimReferralNew, victimReferrals, victimCase, victimCaseContacts, victimCaseReads, victimReadsCSV
    case victimCaseEvents, victimCaseEventInformed, victimCaseAssessments, victimCaseClose, victimCaseOnward
    case victimOnward, victimOnwardReferral, victimOnwardDecision, victimCompliance,
        victimComplianceCSV, victimReferralsAPI, victimRetention, victimRetentionErase,
        victimSubjectAccess, victimCaseRectify
    case rjJourneys, rjJourney, rjJourneySteps, victimReferralUpload, victimReferralTemplate, victimCaseAssign,
        victimProvision, victimRules, victimBankHolidays, victimCaseClockNotApplicable
    // Boards: accountability and partnership
    case boards, board, boardMembers, boardMeetings, boardActions, boardActionUpdates
    case meeting, meetingItems, meetingPapers, meetingPaper, meetingQuestions, meetingAnswer, meetingDecisions
    case meetingMinutes, meetingPublish, meetingWithdraw, meetingPack, meetingPackPDF
    // Open data pages and files
    case open, openForceCSV, openArea, openAreaCSV, openAreaGeoJSON
    case openMeetings, openMeeting, openMeetingPaper, openPlan, openPlanCSV, openNational
    case openCampaign, openCampaignCSV, openCampaignGeoJSON
    case openGrants, openGrantsJSON, openGrantsCSV, openGrantFund, openGrant
    // The data.police.uk API over the stored data
    case policeForces, policeForce, policeForcePeople, policeCrimeCategories, policeCrimesStreetDates
    case policeCrimeLastUpdated, policeCrimesStreet, policeOutcomesAtLocation, policeStopsStreet
    case policeCrimesAtLocation, policeCrimesNoLocation, policeOutcomesForCrime, policeStopsAtLocation
    case policeStopsNoLocation, policeStopsForce, policeLocateNeighbourhood, policeNeighbourhoods
    case policeNeighbourhood, policeNeighbourhoodBoundary, policeNeighbourhoodPeople
    case policeNeighbourhoodEvents, policeNeighbourhoodPriorities

    /// The route's pattern: `:name` marks a parameter.
    var pattern: String {
        switch self {
        case .home: "/"
        case .coverageAPI: "/api/v1/coverage"
        case .health: "/health"
        case .ready: "/ready"
        case .metrics: "/metrics"
        case .login: "/login"
        case .logout: "/logout"
        case .account: "/account"
        case .accountPassword: "/account/password"
        case .accountNotifications: "/account/notifications"
        case .passwordForgot: "/password/forgot"
        case .passwordReset: "/password/reset"

        case .hotspots: "/hotspots"
        case .hotspotCellsGeoJSON: "/hotspots/cells.geojson"
        case .mapContext: "/maps/context.geojson"
        case .hotspotCellsCSV: "/hotspots/cells.csv"
        case .hotspotMapSVG: "/hotspots/map.svg"
        case .hotspotsAPI: "/api/v1/hotspots"
        case .rankings: "/rankings"
        case .rankingsCSV: "/rankings/table.csv"
        case .rankingsGeoJSON: "/rankings/places.geojson"
        case .rankingsAPI: "/api/v1/rankings"
        case .areas: "/areas"
        case .areasGeoJSON: "/areas/boundaries.geojson"
        case .area: "/areas/:slug"
        case .areaGeoJSON: "/areas/:slug/boundary.geojson"
        case .areasAPI: "/api/v1/areas"

        case .imports: "/imports"
        case .importJob: "/imports/:id"
        case .importStatus: "/imports/:id/status"
        case .adminAudit: "/admin/audit"
        case .adminUsers: "/admin/users"
        case .adminMail: "/admin/mail"
        case .adminMailMessage: "/admin/mail/:id"
        case .adminMailTest: "/admin/mail/test"
        case .adminOrganisations: "/admin/organisations"
        case .organisation: "/organisation"
        case .organisationContact: "/organisation/contact"
        case .organisationUsers: "/organisation/users"
        case .organisationUserDisable: "/organisation/users/:id/disable"
        case .organisationTokens: "/organisation/tokens"
        case .organisationTokenRevoke: "/organisation/tokens/:id/revoke"

        case .campaigns: "/campaigns"
        case .campaignNew: "/campaigns/new"
        case .campaign: "/campaigns/:slug"
        case .campaignOrganisations: "/campaigns/:slug/organisations"
        case .campaignAreas: "/campaigns/:slug/areas"
        case .campaignLinks: "/campaigns/:slug/links"
        case .campaignPrioritiesCSV: "/campaigns/:slug/priorities.csv"
        case .campaignPlan: "/campaigns/:slug/areas/:area"
        case .campaignPlanEdit: "/campaigns/:slug/areas/:area/plan"
        case .campaignPlanActions: "/campaigns/:slug/areas/:area/actions"
        case .campaignPlanTargets: "/campaigns/:slug/areas/:area/targets"
        case .actionUpdates: "/actions/:id/updates"
        case .campaignDashboard: "/campaigns/:slug/dashboard"
        case .campaignActivitiesCSV: "/campaigns/:slug/activities.csv"
        case .campaignPublish: "/campaigns/:slug/publish"
        case .campaignUnpublish: "/campaigns/:slug/unpublish"

        case .activities: "/activities"
        case .activityNew: "/activities/new"
        case .activityUpload: "/activities/upload"
        case .activityTemplate: "/activities/templates/:type"
        case .activity: "/activities/:id"
        case .activityDelete: "/activities/:id/delete"
        case .activityTypesAPI: "/api/v1/activity-types"
        case .activitiesAPI: "/api/v1/activities"
        case .openAPIDocument: "/api/v1/openapi.json"

        case .campaignReport: "/campaigns/:slug/report"
        case .campaignReportCSV: "/campaigns/:slug/report.csv"
        case .campaignReportPDF: "/campaigns/:slug/report.pdf"
        case .campaignReturnCSV: "/campaigns/:slug/return.csv"
        case .campaignEvaluation: "/campaigns/:slug/evaluation/:area"
        case .campaignReportLinks: "/campaigns/:slug/report/links"
        case .campaignReportLinkRevoke: "/campaigns/:slug/report/links/:id/revoke"
        case .sharedReport: "/shared/reports/:token"
        case .sharedReportCSV: "/shared/reports/:token/report.csv"
        case .campaignsAPI: "/api/v1/campaigns"
        case .campaignEvaluationAPI: "/api/v1/campaigns/:slug/evaluation"

        case .plan: "/plan"
        case .planMeasuresCSV: "/plan/measures.csv"
        case .planMeasure: "/plan/measures/:slug"
        case .planMeasureValues: "/plan/measures/:slug/values"
        case .planTheme: "/plan/themes/:slug"
        case .planValues: "/plan/values"
        case .planValuesAPI: "/api/v1/plan/values"
        case .planPDF: "/plan/scorecard.pdf"
        case .planEdit: "/plan/edit"
        case .planMeasures: "/plan/measures"
        case .planMeasureNew: "/plan/measures/new"
        case .planMeasureEdit: "/plan/measures/:slug/edit"
        case .planMeasureRebases: "/plan/measures/:slug/rebases"
        case .planThemeCampaigns: "/plan/themes/:slug/campaigns"
        case .planPublish: "/plan/publish"
        case .planWithdraw: "/plan/publications/:id/withdraw"
        case .planNational: "/plan/national"
        case .planNationalPublish: "/plan/national/:quarter/publish"

        case .grants: "/grants"
        case .grantFunds: "/grants/funds"
        case .grantFund: "/grants/funds/:fund"
        case .grantRounds: "/grants/funds/:fund/rounds"
        case .grantRound: "/grants/rounds/:round"
        case .grantRoundPanel: "/grants/rounds/:round/panel"
        case .grantApplications: "/grants/rounds/:round/applications"
        case .grantApplication: "/grants/applications/:id"
        case .grantApplicationSubmit: "/grants/applications/:id/submit"
        case .grantApplicationFiles: "/grants/applications/:id/files"
        case .grantApplicationFile: "/grants/applications/:id/files/:file"
        case .grantApplicationIdentifier: "/grants/applications/:id/identifier"
        case .grantConflict: "/grants/applications/:id/conflict"
        case .grantScores: "/grants/applications/:id/scores"
        case .grantModerate: "/grants/applications/:id/moderate"
        case .grantDecision: "/grants/applications/:id/decision"
        case .grantRegister: "/grants/register"
        case .grantRegistration: "/grants/registrations/:registration"
        case .grantAward: "/grants/awards/:award"
        case .grantAwardInstalments: "/grants/awards/:award/instalments"
        case .grantAwardPayments: "/grants/awards/:award/payments"
        case .grantReturn: "/grants/awards/:award/returns/:return"
        case .grantReturnReview: "/grants/awards/:award/returns/:return/review"
        case .grantDashboard: "/grants/dashboard"

        case .boards: "/boards"
        case .board: "/boards/:board"
        case .boardMembers: "/boards/:board/members"
        case .boardMeetings: "/boards/:board/meetings"
        case .boardActions: "/boards/:board/actions"
        case .boardActionUpdates: "/boards/:board/actions/:action/updates"
        case .meeting: "/boards/:board/meetings/:meeting"
        case .meetingItems: "/boards/:board/meetings/:meeting/items"
        case .meetingPapers: "/boards/:board/meetings/:meeting/items/:item/papers"
        case .meetingPaper: "/boards/:board/meetings/:meeting/papers/:paper"
        case .meetingQuestions: "/boards/:board/meetings/:meeting/questions"
        case .meetingAnswer: "/boards/:board/meetings/:meeting/questions/:question/answer"
        case .meetingDecisions: "/boards/:board/meetings/:meeting/decisions"
        case .meetingMinutes: "/boards/:board/meetings/:meeting/minutes"
        case .meetingPublish: "/boards/:board/meetings/:meeting/publish"
        case .meetingWithdraw: "/boards/:board/meetings/:meeting/withdraw"
        case .meetingPack: "/boards/:board/meetings/:meeting/pack"
        case .meetingPackPDF: "/boards/:board/meetings/:meeting/pack.pdf"

        case .open: "/open"
        case .openForceCSV: "/open/forces/:force/monthly.csv"
        case .openArea: "/open/areas/:slug"
        case .openAreaCSV: "/open/areas/:slug/monthly.csv"
        case .openAreaGeoJSON: "/open/areas/:slug/area.geojson"
        case .openCampaign: "/open/campaigns/:slug"
        case .openCampaignCSV: "/open/campaigns/:slug/results.csv"
        case .openCampaignGeoJSON: "/open/campaigns/:slug/areas.geojson"
        case .openMeetings: "/open/meetings"
        case .openPlan: "/open/plan"
        case .openPlanCSV: "/open/plan/measures.csv"
        case .openNational: "/open/plan/national/:quarter"
        case .openMeeting: "/open/meetings/:meeting"
        case .openMeetingPaper: "/open/meetings/:meeting/papers/:paper"
        case .victims: "/victims"
        case .victimReferralNew: "/victims/referrals/new"
        case .victimReferrals: "/victims/referrals"
        case .victimCase: "/victims/cases/:case"
        case .victimCaseContacts: "/victims/cases/:case/contacts"
        case .victimCaseReads: "/victims/cases/:case/reads"
        case .victimReadsCSV: "/victims/read-log.csv"
        case .victimCaseEvents: "/victims/cases/:case/events"
        case .victimCaseAssessments: "/victims/cases/:case/assessments"
        case .victimCaseClose: "/victims/cases/:case/close"
        case .victimCaseOnward: "/victims/cases/:case/onward"
        case .victimOnward: "/onward-referrals"
        case .victimOnwardReferral: "/onward-referrals/:referral"
        case .victimOnwardDecision: "/onward-referrals/:referral/decision"
        case .victimCompliance: "/victims/compliance"
        case .victimComplianceCSV: "/victims/compliance.csv"
        case .victimCaseEventInformed: "/victims/cases/:case/events/:event/informed"
        case .victimReferralsAPI: "/api/v1/victim-referrals"
        case .victimRetention: "/victims/retention"
        case .victimRetentionErase: "/victims/retention/erase"
        case .victimSubjectAccess: "/victims/subject-access"
        case .victimCaseRectify: "/victims/cases/:case/rectify"
        case .rjJourneys: "/restorative-justice"
        case .victimReferralUpload: "/victims/referrals/upload"
        case .victimCaseAssign: "/victims/cases/:case/assign"
        case .victimCaseClockNotApplicable: "/victims/cases/:case/clocks/not-applicable"
        case .victimProvision: "/victims/provision"
        case .victimRules: "/victims/rules"
        case .victimBankHolidays: "/victims/bank-holidays"
        case .victimReferralTemplate: "/victims/referrals/template.csv"
        case .rjJourney: "/restorative-justice/:journey"
        case .rjJourneySteps: "/restorative-justice/:journey/steps"
        case .openGrants: "/open/grants"
        case .openGrantsJSON: "/open/grants/360giving.json"
        case .openGrantsCSV: "/open/grants/360giving.csv"
        case .openGrantFund: "/open/grants/funds/:slug"
        case .openGrant: "/open/grants/:award"

        case .policeForces: "/api/forces"
        case .policeForce: "/api/forces/:id"
        case .policeForcePeople: "/api/forces/:id/people"
        case .policeCrimeCategories: "/api/crime-categories"
        case .policeCrimesStreetDates: "/api/crimes-street-dates"
        case .policeCrimeLastUpdated: "/api/crime-last-updated"
        case .policeCrimesStreet: "/api/crimes-street/:category"
        case .policeOutcomesAtLocation: "/api/outcomes-at-location"
        case .policeStopsStreet: "/api/stops-street"
        case .policeCrimesAtLocation: "/api/crimes-at-location"
        case .policeCrimesNoLocation: "/api/crimes-no-location"
        case .policeOutcomesForCrime: "/api/outcomes-for-crime/:id"
        case .policeStopsAtLocation: "/api/stops-at-location"
        case .policeStopsNoLocation: "/api/stops-no-location"
        case .policeStopsForce: "/api/stops-force"
        case .policeLocateNeighbourhood: "/api/locate-neighbourhood"
        case .policeNeighbourhoods: "/api/:force/neighbourhoods"
        case .policeNeighbourhood: "/api/:force/:neighbourhood"
        case .policeNeighbourhoodBoundary: "/api/:force/:neighbourhood/boundary"
        case .policeNeighbourhoodPeople: "/api/:force/:neighbourhood/people"
        case .policeNeighbourhoodEvents: "/api/:force/:neighbourhood/events"
        case .policeNeighbourhoodPriorities: "/api/:force/:neighbourhood/priorities"
        }
    }

    /// The pattern as Vapor's path components, for registering the route.
    var components: [PathComponent] {
        pattern.split(separator: "/").map { PathComponent(stringLiteral: String($0)) }
    }

    /// How many parameters the path takes.
    var parameterCount: Int { pattern.split(separator: "/").filter { $0.hasPrefix(":") }.count }

    /// The path with its parameters filled in order, each percent-encoded as one path
    /// segment. A missing value leaves an empty segment (a broken link the link crawl
    /// finds), never a trap.
    func path(_ values: [String]) -> String {
        var next = values.makeIterator()
        let segments = pattern.split(separator: "/").map { segment -> String in
            guard segment.hasPrefix(":") else { return String(segment) }
            return Self.encode(next.next() ?? "")
        }
        return "/" + segments.joined(separator: "/")
    }

    /// `SiteURL.campaignPlan("safer-nights", "market")` → `/campaigns/safer-nights/areas/market`.
    func callAsFunction(_ values: CustomStringConvertible...) -> String { path(values.map(\.description)) }

    /// The path with a query string, if any.
    func with(query: String, _ values: CustomStringConvertible...) -> String {
        let base = path(values.map(\.description))
        return query.isEmpty ? base : "\(base)?\(query)"
    }

    private static let segmentAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/;?#%")
        return set
    }()

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? ""
    }
}
