import Fluent

/// Every migration, in the order it runs. Add new ones at the end.
enum Migrations {
    static let all: [any Migration] = [
        CreateForces(), CreateCrimeCategories(), CreateLSOAs(), CreateDataSlices(), CreateIncidents(),
        CreateOutcomes(), CreateStopSearches(), CreateCountsByLSOA(), CreateCountsByForce(), CreateImports(),
        CreateSourceFingerprints(), CreateAreas(), ClusterCountTables(), AddForceIndexToLSOAs(),
        CreateOrganisations(), CreateUsers(), CreateSessions(), CreateAuditLog(), CreateCampaigns(), CreateActivities(),
        CreateActivityTotals(),
        CreateAPITokens(), CreatePlanTargets(), CreateEvaluation(), CreateCampaignPublications(), CreateRateLimits(),
        DropLoginFailures(), CreatePoliceAndCrimePlan(), CreateBoards(),
        CreateGrants(), CreateOrganisationRegistrations(), CreateVictimCases(), CreateVictimClocks(),
        CreateVictimAssessments(), CreateOnwardReferrals(), CreateVictimRetention(), CreateVictimRectifications(),
        AddVictimClockDue(), CreateRestorativeJourneys(), AddVictimAssignment(), AddVictimReportIndexes(),
        CreateVictimClockResults(), CreateVictimCaseCounts(), CreateMail(), CreateImportJobs(), KeyIncidentsBySlice(),
        CreateCountsByDistrict(), CoverCountsByLSOA(), CreateDataVersion(),
        CreateCountsByLSOAYear(),
    ]
}
