import Fluent
import Vapor

/// Every route, with its controller's dependencies passed in explicitly and its access
/// rule beside it. A route registered without a rule stops the app at start-up.
func routes(_ app: Application) throws {
    let config = app.appConfig
    let home = HomeController(queries: DataCoverageQueries())
    app.get(.home, access: .everyone, use: home.index)
    app.get(.coverageAPI, access: .everyone, use: home.coverageJSON)
    app.get(.health, access: .everyone) { _ in "ok" }
    let draining = ReadinessQueries.DrainFlag()
    app.lifecycle.use(DrainOnShutdown(flag: draining))
    app.get(.ready, access: .everyone, use: ReadinessController(queries: ReadinessQueries(draining: draining)).ready)
    // Prometheus's scrape: a bearer token of its own (SAFERSTREETS_METRICS_TOKEN), else 404.
    if config.metricsToken != nil { _ = AppMetrics.registry }
    let metrics = MetricsController(config, loops: Array(app.eventLoopGroup.makeIterator()).count)
    app.get(.metrics, access: .everyone, use: metrics.metrics)

    let limits = RateLimits(now: config.sessions.now)
    let login = LoginController(
        sessions: config.sessions, users: UserStore(audit: AuditLog()), secureCookies: !config.isDevelopment,
        limits: limits)
    app.get(.login, access: .everyone, use: login.form)
    app.post(.login, access: .everyone, use: login.signIn)
    app.post(.logout, access: .signedIn, use: login.signOut)
    let account = AccountController(users: UserStore(audit: AuditLog()), limits: limits)
    app.get(.account, access: .signedIn, use: account.show)
    app.post(.accountPassword, access: .signedIn, use: account.changePassword)
    app.post(.accountNotifications, access: .signedIn, use: account.saveNotifications)

    // E-mail: a forgotten password's link, the welcome link (on the same page), the queue
    // the server works in the background, and the OPCC admins' mail page.
    let mailQueue = MailQueue(now: config.sessions.now)
    let passwordLinks = PasswordLinks(audit: AuditLog(), now: config.sessions.now)
    let reset = PasswordResetController(
        users: UserStore(audit: AuditLog()), links: passwordLinks, queue: mailQueue, settings: config.mail,
        limits: limits)
    app.get(.passwordForgot, access: .everyone, use: reset.forgotForm)
    app.post(.passwordForgot, access: .everyone, use: reset.forgot)
    app.get(.passwordReset, access: .everyone, use: reset.resetForm)
    app.post(.passwordReset, access: .everyone, use: reset.reset)
    let mailAdmin = MailAdminController(
        queue: mailQueue, settings: config.mail,
        canRead: config.isDevelopment && { if case .folder = config.mail.transport { true } else { false } }())
    app.get(.adminMail, access: .opccAdmin, use: mailAdmin.list)
    app.get(.adminMailMessage, access: .opccAdmin, use: mailAdmin.message)
    app.post(.adminMailTest, access: .opccAdmin, use: mailAdmin.test)

    // Open data: police.uk analyses are public, as police.uk is.
    let areaStore = AreaStore()
    let queries = AnalysisQueries(areas: areaStore, lsoaCache: ResultCache(name: "lsoas", capacity: 8))
    let hotspots = HotspotController(
        queries: queries,
        service: HotspotService(
            queries: queries, heavyWork: app.heavyWork, cache: ResultCache(name: "hotspots", capacity: 16)))
    app.get(.hotspots, access: .everyone, use: hotspots.page)
    app.get(.hotspotCellsGeoJSON, access: .everyone, use: hotspots.cellsGeoJSON)
    app.get(.hotspotCellsCSV, access: .everyone, use: hotspots.cellsCSV)
    app.get(.hotspotMapSVG, access: .everyone, use: hotspots.mapSVG)
    app.get(.hotspotsAPI, access: .everyone, use: hotspots.api)
    // The map layers under every interactive map: bundled open data, public.
    app.get(.mapContext, access: .everyone, use: MapContextController(context: .bundled).geoJSON)

    let rankings = RankingController(
        queries: queries, service: RankingService(queries: queries, cache: ResultCache(name: "rankings", capacity: 32)))
    app.get(.rankings, access: .everyone, use: rankings.page)
    app.get(.rankingsCSV, access: .everyone, use: rankings.csv)
    app.get(.rankingsGeoJSON, access: .everyone, use: rankings.geoJSON)
    app.get(.rankingsAPI, access: .everyone, use: rankings.api)

    let areas = AreaController(queries: queries)
    app.get(.areas, access: .everyone, use: areas.list)
    app.get(.areasGeoJSON, access: .everyone, use: areas.allGeoJSON)
    app.get(.area, access: .everyone, use: areas.show)
    app.get(.areaGeoJSON, access: .everyone, use: areas.oneGeoJSON)
    app.get(.areasAPI, access: .everyone, use: areas.api)

    // police.uk files from the browser: streamed to the upload folder, imported from the
    // database's queue by whichever instance claims the job, with progress (OPCC staff: the
    // data platform is theirs).
    let importWorker = ImportWorker(queue: ImportQueue(), folder: URL(fileURLWithPath: config.uploadDirectory))
    let imports = ImportController(worker: importWorker, history: ImportHistoryQueries())
    app.get(.imports, access: .opcc, use: imports.index)
    app.on(.POST, .imports, access: .opcc, body: .stream, streamFormLimit: 64 << 20, use: imports.upload)
    app.get(.importJob, access: .opcc, use: imports.show)
    app.get(.importStatus, access: .opcc, use: imports.status)

    let admin = AdminController(audit: AuditLog(), users: UserStore(audit: AuditLog()))
    app.get(.adminAudit, access: .opccAdmin, use: admin.auditLog)
    app.get(.adminUsers, access: .opcc, use: admin.users)
    app.get(.adminOrganisations, access: .opcc, use: admin.organisations)

    // An organisation's admins manage its contact, people and API tokens; bounded to their
    // own organisation in the controller.
    let organisation = OrganisationController(
        users: UserStore(audit: AuditLog()), tokens: APITokenStore(audit: AuditLog()), links: passwordLinks,
        queue: mailQueue, mail: config.mail)
    let orgAdmins = Access.roles([.partnerAdmin, .opccAdmin])
    app.get(.organisation, access: orgAdmins, use: organisation.show)
    app.post(.organisationContact, access: orgAdmins, use: organisation.updateContact)
    app.post(.organisationUsers, access: orgAdmins, use: organisation.addUser)
    app.post(.organisationUserDisable, access: orgAdmins, use: organisation.disableUser)
    app.post(.organisationTokens, access: orgAdmins, use: organisation.createToken)
    app.post(.organisationTokenRevoke, access: orgAdmins, use: organisation.revokeToken)

    let campaigns = CampaignController(
        store: CampaignStore(audit: AuditLog()), areas: areaStore, activities: ActivityStore(audit: AuditLog()))
    app.get(.campaigns, access: .signedIn, use: campaigns.list)
    app.get(.campaignNew, access: .opcc, use: campaigns.newForm)
    app.post(.campaigns, access: .opcc, use: campaigns.create)
    app.get(.campaign, access: .signedIn, use: campaigns.show)
    app.post(.campaignOrganisations, access: .opcc, use: campaigns.addOrganisation)
    app.post(.campaignAreas, access: .opcc, use: campaigns.addArea)
    app.post(.campaignLinks, access: .opcc, use: campaigns.addLink)
    app.get(.campaignPrioritiesCSV, access: .signedIn, use: campaigns.prioritiesCSV)
    app.get(.campaignPlan, access: .signedIn, use: campaigns.plan)
    app.post(.campaignPlanEdit, access: .opcc, use: campaigns.updatePlan)
    app.post(.campaignPlanActions, access: .opcc, use: campaigns.addAction)
    app.post(.campaignPlanTargets, access: .opcc, use: campaigns.setTarget)
    // Partners update their own organisation's actions: checked against the action's owner.
    app.post(.actionUpdates, access: .signedIn, use: campaigns.addUpdate)

    // The activity ledger: records belong to the user's own organisation; reads are
    // bounded in `ActivityStore`.
    let activities = ActivityController(
        store: ActivityStore(audit: AuditLog()), areas: areaStore, campaigns: CampaignStore(audit: AuditLog()))
    app.get(.activities, access: .signedIn, use: activities.list)
    app.get(.activityNew, access: .signedIn, use: activities.newForm)
    app.post(.activities, access: .signedIn, use: activities.create)
    app.get(.activityUpload, access: .signedIn, use: activities.uploadForm)
    app.on(.POST, .activityUpload, access: .signedIn, body: .collect(maxSize: "16mb"), use: activities.upload)
    app.get(.activityTemplate, access: .signedIn, use: activities.template)
    // One record: a 404 unless the user may see it (and, to change it, unless it is theirs).
    app.get(.activity, access: .signedIn, use: activities.show)
    app.post(.activity, access: .signedIn, use: activities.update)
    app.post(.activityDelete, access: .signedIn, use: activities.delete)

    // The same ledger as JSON: signed-in users, or an organisation's API token.
    let activityAPI = ActivityAPIController(store: ActivityStore(audit: AuditLog()))
    app.get(.activityTypesAPI, access: .everyone, use: activityAPI.types)
    app.get(.activitiesAPI, access: .api, use: activityAPI.list)
    app.on(.POST, .activitiesAPI, access: .api, body: .collect(maxSize: "16mb"), use: activityAPI.create)
    app.get(.openAPIDocument, access: .everyone, use: OpenAPIDocument.serve)

    // The data.police.uk API over the stored data: open, read-only, as police.uk is. The
    // POST forms (long polygons) change nothing, so they need no session or CSRF token.
    let policeAPI = PoliceAPIController(
        queries: PoliceAPIQueries(), cache: StreetCrimeCache(budgetBytes: config.policeAPICacheBytes), areas: areaStore)
    // Background work belongs to the server: not in tests, other commands or help.
    let command = app.environment.arguments.dropFirst().first
    let serving =
        app.environment != .testing && !SaferStreetsMain.asksForHelp(app.environment.arguments)
        && (command == nil || command == "serve" || command?.hasPrefix("-") == true)
    if serving {
        app.lifecycle.use(PoliceAPIWarmUp(controller: policeAPI))
        app.lifecycle.use(ImportWorkerLifecycle(worker: importWorker))
        app.lifecycle.use(
            MailWorker(
                queue: mailQueue,
                notifications: Notifications(
                    queue: mailQueue, victims: VictimStore(cipher: nil, audit: AuditLog()), now: config.sessions.now),
                settings: config.mail))
    }
    app.get(.policeForces, access: .everyone, use: policeAPI.forces)
    app.get(.policeForce, access: .everyone, use: policeAPI.force)
    app.get(.policeForcePeople, access: .everyone, use: policeAPI.emptyList)
    app.get(.policeCrimeCategories, access: .everyone, use: policeAPI.crimeCategories)
    app.get(.policeCrimesStreetDates, access: .everyone, use: policeAPI.dates)
    app.get(.policeCrimeLastUpdated, access: .everyone, use: policeAPI.lastUpdated)
    for method in [HTTPMethod.GET, .POST] {
        app.on(
            method, .policeCrimesStreet, access: .everyone, body: .collect(maxSize: "4mb"),
            use: policeAPI.crimesStreet)
        app.on(
            method, .policeOutcomesAtLocation, access: .everyone, body: .collect(maxSize: "4mb"),
            use: policeAPI.outcomesAtLocation)
        app.on(
            method, .policeStopsStreet, access: .everyone, body: .collect(maxSize: "4mb"),
            use: policeAPI.stopsStreet)
    }
    app.get(.policeCrimesAtLocation, access: .everyone, use: policeAPI.crimesAtLocation)
    app.get(.policeCrimesNoLocation, access: .everyone, use: policeAPI.crimesNoLocation)
    app.get(.policeOutcomesForCrime, access: .everyone, use: policeAPI.outcomesForCrime)
    app.get(.policeStopsAtLocation, access: .everyone, use: policeAPI.stopsAtLocation)
    app.get(.policeStopsNoLocation, access: .everyone, use: policeAPI.stopsNoLocation)
    app.get(.policeStopsForce, access: .everyone, use: policeAPI.stopsForce)
    app.get(.policeLocateNeighbourhood, access: .everyone, use: policeAPI.locateNeighbourhood)
    app.get(.policeNeighbourhoods, access: .everyone, use: policeAPI.neighbourhoods)
    app.get(.policeNeighbourhood, access: .everyone, use: policeAPI.neighbourhoodDetail)
    app.get(.policeNeighbourhoodBoundary, access: .everyone, use: policeAPI.neighbourhoodBoundary)
    for list in [SiteURL.policeNeighbourhoodPeople, .policeNeighbourhoodEvents, .policeNeighbourhoodPriorities] {
        app.get(list, access: .everyone, use: policeAPI.emptyList)
    }

    let dashboard = DashboardController(
        campaigns: CampaignStore(audit: AuditLog()), activities: ActivityStore(audit: AuditLog()), areas: areaStore)
    app.get(.campaignDashboard, access: .signedIn, use: dashboard.page)
    app.get(.campaignActivitiesCSV, access: .signedIn, use: dashboard.csv)

    // The campaign report: read by anyone who may see the campaign; links and designs are
    // OPCC staff's; a live report link shows the report alone, to anyone who holds it.
    let report = ReportController(
        campaigns: CampaignStore(audit: AuditLog()), evaluation: EvaluationService(cache: EvaluationCache()),
        links: ReportLinkStore(audit: AuditLog()),
        pdf: PDFRenderer(browser: PDFRenderer.find()), publications: PublicationStore(audit: AuditLog()), limits: limits
    )
    app.get(.campaignReport, access: .signedIn, use: report.page)
    app.get(.campaignReportCSV, access: .signedIn, use: report.csv)
    app.get(.campaignReportPDF, access: .signedIn, use: report.pdfDownload)
    app.get(.campaignReturnCSV, access: .signedIn, use: report.returnCSV)
    app.get(.campaignEvaluation, access: .signedIn, use: report.design)
    app.post(.campaignEvaluation, access: .opcc, use: report.saveDesign)
    app.post(.campaignReportLinks, access: .opcc, use: report.createLink)
    app.post(.campaignReportLinkRevoke, access: .opcc, use: report.revokeLink)
    app.get(.sharedReport, access: .everyone, use: report.shared)
    app.get(.sharedReportCSV, access: .everyone, use: report.sharedCSV)

    // The Police and Crime Plan: the working scorecard is the OPCC's (partners and the
    // public read the published one on /open/plan); OPCC staff enter the figures police.uk
    // does not hold (a form, a CSV file, or the JSON API with a signed-in session or an
    // organisation's token).
    let planService = PlanService(plans: PlanStore(audit: AuditLog()), measures: MeasureStore(audit: AuditLog()))
    let plan = PlanController(
        service: planService, users: UserStore(audit: AuditLog()),
        publications: PlanPublicationStore(audit: AuditLog()), campaigns: CampaignStore(audit: AuditLog()),
        suppression: Suppression(threshold: config.publicMinimumCount), pdf: PDFRenderer(browser: PDFRenderer.find()))
    app.get(.plan, access: .opcc, use: plan.scorecard)
    app.get(.planMeasuresCSV, access: .opcc, use: plan.csv)
    app.get(.planMeasure, access: .opcc, use: plan.measure)
    app.post(.planMeasureValues, access: .opcc, use: plan.enterOne)
    app.get(.planTheme, access: .opcc, use: plan.theme)
    app.get(.planValues, access: .opcc, use: plan.uploadForm)
    app.on(.POST, .planValues, access: .opcc, body: .collect(maxSize: "4mb"), use: plan.upload)
    app.on(.POST, .planValuesAPI, access: .opccOrAPIToken, body: .collect(maxSize: "4mb"), use: plan.apiEnter)
    app.get(.planPDF, access: .opcc, use: plan.scorecardPDF)
    app.get(.planEdit, access: .opccAdmin, use: plan.editPlan)
    app.post(.planEdit, access: .opccAdmin, use: plan.savePlan)
    app.get(.planMeasureNew, access: .opcc, use: plan.newMeasure)
    app.post(.planMeasures, access: .opcc, use: plan.saveMeasure)
    app.get(.planMeasureEdit, access: .opcc, use: plan.editMeasure)
    app.post(.planMeasureRebases, access: .opcc, use: plan.addRebase)
    app.post(.planThemeCampaigns, access: .opcc, use: plan.linkCampaign)
    app.post(.planPublish, access: .opcc, use: plan.publish)
    app.post(.planWithdraw, access: .opcc, use: plan.withdraw)
    app.get(.planNational, access: .opcc, use: plan.national)
    app.post(.planNational, access: .opcc, use: plan.saveNational)
    app.post(.planNationalPublish, access: .opcc, use: plan.publishNational)
    app.get(.openPlan, access: .everyone, use: plan.openPlan)
    app.get(.openPlanCSV, access: .everyone, use: plan.openCSV)
    app.get(.openNational, access: .everyone, use: plan.openNational)

    // Grants: the commissioning officer (OPCC staff) runs funds, rounds, the panel and
    // decisions; an organisation's users apply and see only their own applications; panel
    // members score the round's applications without a declared conflict (GrantViewer).
    let grants = GrantController(
        store: GrantStore(audit: AuditLog()), plans: PlanStore(audit: AuditLog()), areas: areaStore,
        registrations: RegistrationStore(audit: AuditLog(), users: UserStore(audit: AuditLog())),
        grantPrefix: config.grantPrefix, limits: limits)
    app.get(.grants, access: .signedIn, use: grants.index)
    app.get(.grantRegister, access: .everyone, use: grants.registerForm)
    app.post(.grantRegister, access: .everyone, use: grants.register)
    app.post(.grantRegistration, access: .opcc, use: grants.decideRegistration)
    app.post(.grantFunds, access: .opcc, use: grants.createFund)
    app.get(.grantFund, access: .opcc, use: grants.fund)
    app.post(.grantRounds, access: .opcc, use: grants.createRound)
    app.get(.grantRound, access: .signedIn, use: grants.round)
    app.post(.grantRoundPanel, access: .opcc, use: grants.addPanelMember)
    app.post(.grantApplications, access: .partners, use: grants.start)
    app.get(.grantApplication, access: .signedIn, use: grants.application)
    app.post(.grantApplication, access: .signedIn, use: grants.save)
    app.post(.grantApplicationSubmit, access: .signedIn, use: grants.submit)
    app.on(.POST, .grantApplicationFiles, access: .signedIn, body: .collect(maxSize: "9mb"), use: grants.upload)
    app.get(.grantApplicationFile, access: .signedIn, use: grants.file)
    app.post(.grantApplicationIdentifier, access: .partnerAdmin, use: grants.setIdentifier)
    app.post(.grantConflict, access: .signedIn, use: grants.declareConflict)
    app.post(.grantScores, access: .signedIn, use: grants.score)
    app.post(.grantModerate, access: .opcc, use: grants.moderate)
    app.post(.grantDecision, access: .opcc, use: grants.decide)
    app.get(.grantAward, access: .signedIn, use: grants.award)
    app.post(.grantAwardInstalments, access: .opcc, use: grants.addInstalment)
    app.post(.grantAwardPayments, access: .opcc, use: grants.pay)
    app.post(.grantReturn, access: .partners, use: grants.submitReturn)
    app.post(.grantReturnReview, access: .opcc, use: grants.reviewReturn)
    app.get(.grantDashboard, access: .opcc, use: grants.dashboard)
    app.get(.openGrants, access: .everyone, use: grants.openIndex)
    app.get(.openGrantsJSON, access: .everyone, use: grants.openJSON)
    app.get(.openGrantsCSV, access: .everyone, use: grants.openCSV)
    app.get(.openGrantFund, access: .everyone, use: grants.openFund)
    app.get(.openGrant, access: .everyone, use: grants.openGrant)

    // Victims: cases are held by a victim service and read only by its people, each read
    // logged with its purpose (VictimStore.openCase); the police send referrals with their
    // force's API token. Without a data key (SAFERSTREETS_DATA_KEYS) nothing is stored.
    let victims = VictimController(
        store: VictimStore(cipher: config.dataKeys, audit: AuditLog()),
        suppression: Suppression(threshold: config.publicMinimumCount), pdf: PDFRenderer(browser: PDFRenderer.find()))
    app.get(.victims, access: .victimService(admins: false), use: victims.index)
    app.get(.victimReferralNew, access: .victimService(admins: false), use: victims.newReferral)
    app.post(.victimReferrals, access: .victimService(admins: false), use: victims.createReferral)
    app.get(.victimCase, access: .victimService(admins: false), use: victims.show)
    app.post(.victimCaseContacts, access: .victimService(admins: false), use: victims.addContact)
    app.post(.victimCaseEvents, access: .victimService(admins: false), use: victims.addEvent)
    app.post(.victimCaseAssessments, access: .victimService(admins: false), use: victims.assess)
    app.post(.victimCaseClose, access: .victimService(admins: false), use: victims.close)
    app.post(.victimCaseOnward, access: .victimService(admins: false), use: victims.referOn)
    // A specialist service sees the referrals made to it, and only those (404 otherwise).
    app.get(.victimOnward, access: .partners, use: victims.onwardIndex)
    app.get(.victimOnwardReferral, access: .partners, use: victims.onwardShow)
    app.post(.victimOnwardDecision, access: .partners, use: victims.onwardDecide)
    app.get(.rjJourneys, access: .partners, use: victims.journeys)
    app.get(.victimReferralUpload, access: .partners, use: victims.uploadForm)
    app.get(.victimReferralTemplate, access: .partners, use: victims.uploadTemplate)
    app.on(.POST, .victimReferralUpload, access: .partners, body: .collect(maxSize: "16mb"), use: victims.upload)
    app.post(.rjJourneys, access: .partners, use: victims.createJourney)
    app.get(.rjJourney, access: .partners, use: victims.journey)
    app.post(.rjJourneySteps, access: .partners, use: victims.addJourneyStep)
    app.post(.victimCaseEventInformed, access: .victimService(admins: false), use: victims.markInformed)
    app.get(.victimCaseReads, access: .victimService(admins: true), use: victims.caseReads)
    app.get(.victimReadsCSV, access: .victimService(admins: true), use: victims.readsCSV)
    app.get(.victimRetention, access: .victimService(admins: true), use: victims.retention)
    app.post(.victimRetention, access: .victimService(admins: true), use: victims.setRetention)
    app.post(.victimRetentionErase, access: .victimService(admins: true), use: victims.eraseDue)
    app.get(.victimSubjectAccess, access: .victimService(admins: true), use: victims.subjectAccess)
    app.post(.victimSubjectAccess, access: .victimService(admins: true), use: victims.subjectAccessFind)
    app.post(.victimCaseRectify, access: .victimService(admins: false), use: victims.rectify)
    app.post(.victimCaseAssign, access: .victimService(admins: false), use: victims.assign)
    app.post(.victimCaseClockNotApplicable, access: .victimService(admins: false), use: victims.markNotApplicable)
    if serving {
        app.lifecycle.use(VictimRetentionJob(store: victims.store))
    }
    // The OPCC sees figures only: the Victims' Code compliance report.
    app.get(.victimCompliance, access: .opcc, use: victims.compliance)
    app.get(.victimComplianceCSV, access: .opcc, use: victims.complianceCSV)
    app.get(.victimProvision, access: .opcc, use: victims.provision)
    app.get(.victimRules, access: .opcc, use: victims.rules)
    app.post(.victimRules, access: .opccAdmin, use: victims.addRuleVersion)
    app.post(.victimBankHolidays, access: .opccAdmin, use: victims.addBankHoliday)
    app.on(
        .POST, .victimReferralsAPI, access: .api, body: .collect(maxSize: "32mb"), use: victims.receiveBatch)

    // Boards: the PCC's accountability board and the themes' partnership boards. Anyone
    // signed in may open the boards page; each board, meeting, paper, question and action
    // is checked against the viewer's organisation (BoardViewer). OPCC staff run them; the
    // organisation a question is put to answers it; an action's owner updates it.
    let boards = BoardController(
        store: BoardStore(audit: AuditLog()), plan: planService, pdf: PDFRenderer(browser: PDFRenderer.find()))
    app.get(.boards, access: .signedIn, use: boards.index)
    app.post(.boards, access: .opcc, use: boards.create)
    app.get(.board, access: .signedIn, use: boards.show)
    app.post(.boardMembers, access: .opcc, use: boards.addMember)
    app.post(.boardMeetings, access: .opcc, use: boards.schedule)
    app.post(.boardActions, access: .opcc, use: boards.addAction)
    app.post(.boardActionUpdates, access: .signedIn, use: boards.addUpdate)
    app.get(.meeting, access: .signedIn, use: boards.meeting)
    app.post(.meetingItems, access: .opcc, use: boards.addItem)
    app.on(.POST, .meetingPapers, access: .opcc, body: .collect(maxSize: "9mb"), use: boards.uploadPaper)
    app.get(.meetingPaper, access: .signedIn, use: boards.paper)
    app.post(.meetingQuestions, access: .opcc, use: boards.ask)
    app.post(.meetingAnswer, access: .signedIn, use: boards.answer)
    app.post(.meetingDecisions, access: .opcc, use: boards.decide)
    app.post(.meetingMinutes, access: .opcc, use: boards.saveMinutes)
    app.post(.meetingPublish, access: .opcc, use: boards.publish)
    app.post(.meetingWithdraw, access: .opcc, use: boards.withdraw)
    app.get(.meetingPack, access: .signedIn, use: boards.pack)
    app.get(.meetingPackPDF, access: .signedIn, use: boards.packPDF)
    app.get(.openMeetings, access: .everyone, use: boards.openMeetings)
    app.get(.openMeeting, access: .everyone, use: boards.openMeeting)
    app.get(.openMeetingPaper, access: .everyone, use: boards.openPaper)

    // Public pages and open data files: no sign-in; small counts suppressed; a campaign
    // only once OPCC staff publish it.
    let openData = OpenDataController(
        queries: OpenDataQueries(), areas: areaStore, publications: report.publications,
        campaigns: CampaignStore(audit: AuditLog()), evaluation: report.evaluation,
        suppression: Suppression(threshold: config.publicMinimumCount))
    app.get(.open, access: .everyone, use: openData.index)
    app.get(.openForceCSV, access: .everyone, use: openData.forceCSV)
    app.get(.openArea, access: .everyone, use: openData.area)
    app.get(.openAreaCSV, access: .everyone, use: openData.areaCSV)
    app.get(.openAreaGeoJSON, access: .everyone, use: openData.areaGeoJSON)
    app.get(.openCampaign, access: .everyone, use: openData.campaign)
    app.get(.openCampaignCSV, access: .everyone, use: openData.campaignCSV)
    app.get(.openCampaignGeoJSON, access: .everyone, use: openData.campaignGeoJSON)
    app.post(.campaignPublish, access: .opcc, use: openData.publish)
    app.post(.campaignUnpublish, access: .opcc, use: openData.unpublish)

    // Campaigns and their evaluations in the JSON API, bounded like the pages.
    let campaignAPI = CampaignAPIController(campaigns: CampaignStore(audit: AuditLog()), report: report)
    app.get(.campaignsAPI, access: .api, use: campaignAPI.list)
    app.get(.campaignEvaluationAPI, access: .api, use: campaignAPI.evaluation)

    try Access.checkEveryRoute(app)
}
