import Fluent
import Vapor

/// Every route, with its controller's dependencies passed in explicitly and its access
/// rule beside it. A route registered without a rule stops the app at start-up.
func routes(_ app: Application) throws {
    let config = app.appConfig
    let home = HomeController(queries: DataCoverageQueries())
    app.get(access: .everyone, use: home.index)
    app.get("api", "v1", "coverage", access: .everyone, use: home.coverageJSON)
    app.get("health", access: .everyone) { _ in "ok" }

    let limits = RateLimits(now: config.sessions.now)
    let login = LoginController(
        sessions: config.sessions, users: UserStore(audit: AuditLog()), secureCookies: !config.isDevelopment,
        limits: limits)
    app.get("login", access: .everyone, use: login.form)
    app.post("login", access: .everyone, use: login.signIn)
    app.post("logout", access: .signedIn, use: login.signOut)
    let account = AccountController(users: UserStore(audit: AuditLog()), limits: limits)
    app.get("account", access: .signedIn, use: account.show)
    app.post("account", "password", access: .signedIn, use: account.changePassword)

    // Open data: police.uk analyses are public, as police.uk is.
    let areaStore = AreaStore()
    let queries = AnalysisQueries(areas: areaStore)
    let hotspots = HotspotController(
        queries: queries, service: HotspotService(queries: queries, heavyWork: app.heavyWork))
    app.get("hotspots", access: .everyone, use: hotspots.page)
    app.get("hotspots", "cells.geojson", access: .everyone, use: hotspots.cellsGeoJSON)
    app.get("hotspots", "cells.csv", access: .everyone, use: hotspots.cellsCSV)
    app.get("hotspots", "map.svg", access: .everyone, use: hotspots.mapSVG)
    app.get("api", "v1", "hotspots", access: .everyone, use: hotspots.api)

    let rankings = RankingController(queries: queries, service: RankingService(queries: queries))
    app.get("rankings", access: .everyone, use: rankings.page)
    app.get("rankings", "table.csv", access: .everyone, use: rankings.csv)
    app.get("api", "v1", "rankings", access: .everyone, use: rankings.api)

    let areas = AreaController(queries: queries)
    app.get("areas", access: .everyone, use: areas.list)
    app.get("areas", "boundaries.geojson", access: .everyone, use: areas.allGeoJSON)
    app.get("areas", ":slug", access: .everyone, use: areas.show)
    app.get("areas", ":slug", "boundary.geojson", access: .everyone, use: areas.oneGeoJSON)
    app.get("api", "v1", "areas", access: .everyone, use: areas.api)

    // police.uk files from the browser: streamed to disk, imported in the background with
    // progress (OPCC staff: the data platform is theirs).
    let imports = ImportController(jobs: ImportJobs(), history: ImportHistoryQueries())
    app.get("imports", access: .opcc, use: imports.index)
    app.on(.POST, ["imports"], access: .opcc, body: .stream, streamFormLimit: 64 << 20, use: imports.upload)
    app.get("imports", ":id", access: .opcc, use: imports.show)
    app.get("imports", ":id", "status", access: .opcc, use: imports.status)

    let admin = AdminController(audit: AuditLog(), users: UserStore(audit: AuditLog()))
    app.get("admin", "audit", access: .opccAdmin, use: admin.auditLog)
    app.get("admin", "users", access: .opcc, use: admin.users)
    app.get("admin", "organisations", access: .opcc, use: admin.organisations)

    // An organisation's admins manage its contact, people and API tokens; bounded to their
    // own organisation in the controller.
    let organisation = OrganisationController(
        users: UserStore(audit: AuditLog()), tokens: APITokenStore(audit: AuditLog()))
    let orgAdmins = Access.roles([.partnerAdmin, .opccAdmin])
    app.get("organisation", access: orgAdmins, use: organisation.show)
    app.post("organisation", "contact", access: orgAdmins, use: organisation.updateContact)
    app.post("organisation", "users", access: orgAdmins, use: organisation.addUser)
    app.post("organisation", "users", ":id", "disable", access: orgAdmins, use: organisation.disableUser)
    app.post("organisation", "tokens", access: orgAdmins, use: organisation.createToken)
    app.post("organisation", "tokens", ":id", "revoke", access: orgAdmins, use: organisation.revokeToken)

    let campaigns = CampaignController(
        store: CampaignStore(audit: AuditLog()), areas: areaStore, activities: ActivityStore(audit: AuditLog()))
    app.get("campaigns", access: .signedIn, use: campaigns.list)
    app.get("campaigns", "new", access: .opcc, use: campaigns.newForm)
    app.post("campaigns", access: .opcc, use: campaigns.create)
    app.get("campaigns", ":slug", access: .signedIn, use: campaigns.show)
    app.post("campaigns", ":slug", "organisations", access: .opcc, use: campaigns.addOrganisation)
    app.post("campaigns", ":slug", "areas", access: .opcc, use: campaigns.addArea)
    app.post("campaigns", ":slug", "links", access: .opcc, use: campaigns.addLink)
    app.get("campaigns", ":slug", "priorities.csv", access: .signedIn, use: campaigns.prioritiesCSV)
    app.get("campaigns", ":slug", "areas", ":area", access: .signedIn, use: campaigns.plan)
    app.post("campaigns", ":slug", "areas", ":area", "plan", access: .opcc, use: campaigns.updatePlan)
    app.post("campaigns", ":slug", "areas", ":area", "actions", access: .opcc, use: campaigns.addAction)
    app.post("campaigns", ":slug", "areas", ":area", "targets", access: .opcc, use: campaigns.setTarget)
    // Partners update their own organisation's actions: checked against the action's owner.
    app.post("actions", ":id", "updates", access: .signedIn, use: campaigns.addUpdate)

    // The activity ledger: records belong to the user's own organisation; reads are
    // bounded in `ActivityStore`.
    let activities = ActivityController(store: ActivityStore(audit: AuditLog()))
    app.get("activities", access: .signedIn, use: activities.list)
    app.get("activities", "new", access: .signedIn, use: activities.newForm)
    app.post("activities", access: .signedIn, use: activities.create)
    app.get("activities", "upload", access: .signedIn, use: activities.uploadForm)
    app.on(.POST, ["activities", "upload"], access: .signedIn, body: .collect(maxSize: "16mb"), use: activities.upload)
    app.get("activities", "templates", ":type", access: .signedIn, use: activities.template)
    // One record: a 404 unless the user may see it (and, to change it, unless it is theirs).
    app.get("activities", ":id", access: .signedIn, use: activities.show)
    app.post("activities", ":id", access: .signedIn, use: activities.update)
    app.post("activities", ":id", "delete", access: .signedIn, use: activities.delete)

    // The same ledger as JSON: signed-in users, or an organisation's API token.
    let activityAPI = ActivityAPIController(store: ActivityStore(audit: AuditLog()))
    app.get("api", "v1", "activity-types", access: .everyone, use: activityAPI.types)
    app.get("api", "v1", "activities", access: .api, use: activityAPI.list)
    app.on(.POST, ["api", "v1", "activities"], access: .api, body: .collect(maxSize: "16mb"), use: activityAPI.create)
    app.get("api", "v1", "openapi.json", access: .everyone, use: OpenAPIDocument.serve)

    // The data.police.uk API over the stored data: open, read-only, as police.uk is. The
    // POST forms (long polygons) change nothing, so they need no session or CSRF token.
    let policeAPI = PoliceAPIController(
        queries: PoliceAPIQueries(), cache: StreetCrimeCache(budgetBytes: config.policeAPICacheBytes), areas: areaStore)
    let command = app.environment.arguments.dropFirst().first
    if app.environment != .testing, command == nil || command == "serve" || command?.hasPrefix("-") == true {
        app.lifecycle.use(PoliceAPIWarmUp(controller: policeAPI))
    }
    app.get("api", "forces", access: .everyone, use: policeAPI.forces)
    app.get("api", "forces", ":id", access: .everyone, use: policeAPI.force)
    app.get("api", "forces", ":id", "people", access: .everyone, use: policeAPI.emptyList)
    app.get("api", "crime-categories", access: .everyone, use: policeAPI.crimeCategories)
    app.get("api", "crimes-street-dates", access: .everyone, use: policeAPI.dates)
    app.get("api", "crime-last-updated", access: .everyone, use: policeAPI.lastUpdated)
    for method in [HTTPMethod.GET, .POST] {
        app.on(
            method, ["api", "crimes-street", ":category"], access: .everyone, body: .collect(maxSize: "4mb"),
            use: policeAPI.crimesStreet)
        app.on(
            method, ["api", "outcomes-at-location"], access: .everyone, body: .collect(maxSize: "4mb"),
            use: policeAPI.outcomesAtLocation)
        app.on(
            method, ["api", "stops-street"], access: .everyone, body: .collect(maxSize: "4mb"),
            use: policeAPI.stopsStreet)
    }
    app.get("api", "crimes-at-location", access: .everyone, use: policeAPI.crimesAtLocation)
    app.get("api", "crimes-no-location", access: .everyone, use: policeAPI.crimesNoLocation)
    app.get("api", "outcomes-for-crime", ":id", access: .everyone, use: policeAPI.outcomesForCrime)
    app.get("api", "stops-at-location", access: .everyone, use: policeAPI.stopsAtLocation)
    app.get("api", "stops-no-location", access: .everyone, use: policeAPI.stopsNoLocation)
    app.get("api", "stops-force", access: .everyone, use: policeAPI.stopsForce)
    app.get("api", "locate-neighbourhood", access: .everyone, use: policeAPI.locateNeighbourhood)
    app.get("api", ":force", "neighbourhoods", access: .everyone, use: policeAPI.neighbourhoods)
    app.get("api", ":force", ":neighbourhood", access: .everyone, use: policeAPI.neighbourhoodDetail)
    app.get("api", ":force", ":neighbourhood", "boundary", access: .everyone, use: policeAPI.neighbourhoodBoundary)
    for list in ["people", "events", "priorities"] {
        app.get("api", ":force", ":neighbourhood", .constant(list), access: .everyone, use: policeAPI.emptyList)
    }

    let dashboard = DashboardController(
        campaigns: CampaignStore(audit: AuditLog()), activities: ActivityStore(audit: AuditLog()))
    app.get("campaigns", ":slug", "dashboard", access: .signedIn, use: dashboard.page)
    app.get("campaigns", ":slug", "activities.csv", access: .signedIn, use: dashboard.csv)

    // The campaign report: read by anyone who may see the campaign; links and designs are
    // OPCC staff's; a live report link shows the report alone, to anyone who holds it.
    let report = ReportController(
        campaigns: CampaignStore(audit: AuditLog()), evaluation: EvaluationService(cache: EvaluationCache()),
        links: ReportLinkStore(audit: AuditLog()),
        pdf: PDFRenderer(browser: PDFRenderer.find()), limits: limits)
    app.get("campaigns", ":slug", "report", access: .signedIn, use: report.page)
    app.get("campaigns", ":slug", "report.csv", access: .signedIn, use: report.csv)
    app.get("campaigns", ":slug", "report.pdf", access: .signedIn, use: report.pdfDownload)
    app.get("campaigns", ":slug", "return.csv", access: .signedIn, use: report.returnCSV)
    app.get("campaigns", ":slug", "evaluation", ":area", access: .signedIn, use: report.design)
    app.post("campaigns", ":slug", "evaluation", ":area", access: .opcc, use: report.saveDesign)
    app.post("campaigns", ":slug", "report", "links", access: .opcc, use: report.createLink)
    app.post("campaigns", ":slug", "report", "links", ":id", "revoke", access: .opcc, use: report.revokeLink)
    app.get("shared", "reports", ":token", access: .everyone, use: report.shared)
    app.get("shared", "reports", ":token", "report.csv", access: .everyone, use: report.sharedCSV)

    // Public pages and open data files: no sign-in; small counts suppressed; a campaign
    // only once OPCC staff publish it.
    let openData = OpenDataController(
        queries: OpenDataQueries(), areas: areaStore, publications: PublicationStore(audit: AuditLog()),
        campaigns: CampaignStore(audit: AuditLog()), evaluation: report.evaluation,
        suppression: Suppression(threshold: config.publicMinimumCount))
    app.get("open", access: .everyone, use: openData.index)
    app.get("open", "forces", ":force", "monthly.csv", access: .everyone, use: openData.forceCSV)
    app.get("open", "areas", ":slug", access: .everyone, use: openData.area)
    app.get("open", "areas", ":slug", "monthly.csv", access: .everyone, use: openData.areaCSV)
    app.get("open", "areas", ":slug", "area.geojson", access: .everyone, use: openData.areaGeoJSON)
    app.get("open", "campaigns", ":slug", access: .everyone, use: openData.campaign)
    app.get("open", "campaigns", ":slug", "results.csv", access: .everyone, use: openData.campaignCSV)
    app.get("open", "campaigns", ":slug", "areas.geojson", access: .everyone, use: openData.campaignGeoJSON)
    app.post("campaigns", ":slug", "publish", access: .opcc, use: openData.publish)
    app.post("campaigns", ":slug", "unpublish", access: .opcc, use: openData.unpublish)

    // Campaigns and their evaluations in the JSON API, bounded like the pages.
    let campaignAPI = CampaignAPIController(campaigns: CampaignStore(audit: AuditLog()), report: report)
    app.get("api", "v1", "campaigns", access: .api, use: campaignAPI.list)
    app.get("api", "v1", "campaigns", ":slug", "evaluation", access: .api, use: campaignAPI.evaluation)

    try Access.checkEveryRoute(app)
}
