import OutdialKit

/// `outdial check CAMPAIGN`.
enum CheckCommand {
    static let command: Command = Command(
        name: "check",
        abstract: "Validate and lint a campaign file.",
        arguments: [Argument(.campaign, help: "The campaign file.", kind: .path)],
        options: [CommonOptions.json],
        run: { invocation in
            let path = invocation.string(.campaign) ?? ""
            let campaign: Campaign
            do {
                campaign = try Campaign.load(path: path)
            } catch let error as CampaignFileError where invocation.output.json {
                // --json gets every problem of a file that cannot be read as findings too.
                invocation.output.result(CampaignLint.json(CampaignLint.findings(of: error), file: path).rendered)
                throw error
            }
            // The pool is read when the database is there (Vapi needs each number's id).
            let dbPath = try CommonOptions.databasePath(invocation)
            let database = Store.exists(dbPath) ? try Store.open(dbPath) : nil
            let pool = try database.map { try NumberStore(database: $0).all() }
            var lists = try database.map { try LeadLists(database: $0).all().map(\.name) } ?? []
            if let list = campaign.leads?.list, !lists.contains(list) { lists.append(list) }  // run's import makes it
            var findings =
                CampaignLint.findings(campaign) + CampaignLint.connectionFindings(campaign, environment: ProcessEnvironment.current, pool: pool)
                + (database == nil && campaign.leads?.list == nil ? [] : CampaignLint.audienceFindings(campaign, lists: lists))
            if let database, let pool {
                findings += CampaignLint.poolFindings(
                    campaign, leadStates: try Audience.states(of: campaign.audience, in: database), poolStates: Set(pool.compactMap(\.state)))
            }
            let output = invocation.output
            if output.json {
                output.result(CampaignLint.json(findings, file: path).rendered)
            } else {
                for f in findings { Terminal.write(f.diagnostic(in: path) + "\n", to: .standardError) }
                for (key, file) in campaign.inputFiles { output.info("run imports \(file) (\(key)) before it starts.") }
                output.result(CampaignLint.summary(findings, workflows: campaign.workflows.count, file: path))
                output.info("The state calling rules are operational defaults, not legal advice (docs/compliance.md).")
            }
            if let failure = CampaignLint.failure(findings, file: path) { throw failure }
        }
    )
}
