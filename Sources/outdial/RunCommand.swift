import OutdialKit

/// `outdial run CAMPAIGN`.
enum RunCommand {
    static let command: Command = Command(
        name: "run",
        abstract: "Run a campaign: enrol leads, wait for windows, place calls, run post-call workflows.",
        discussion: """
            Resumable: every workflow run, its position and wake-up time are in the database; stop it at any moment and run it again. With --simulate the clock is virtual and every call goes through the seeded simulator, so days of dialling take seconds. Without it the run is live: on the wall clock, through the campaign's connections (Retell, Vapi, HTTP or the simulator, docs/connections.md), each call sent at its dial time and polled until its outcome is in. Ctrl-C stops dialling and waits for the calls in flight (--wait; Ctrl-C again to leave at once); the next run polls what is left. A call whose request may have reached the provider and got no answer is marked unknown and never redialled.
            """,
        arguments: [Argument(.campaign, help: "The campaign file.", kind: .path)],
        options: [
            .flag(.simulate, help: "Virtual time and the simulated connection."),
            .value(.start, "time", .instant, help: "Where the clock starts. (default: now)"),
            .value(.until, "time", .instant, help: "Stop when the clock reaches this time."),
            .value(.maxCalls, "n", .integer(1...Int.max), help: "Stop after placing this many calls."),
            .value(.wait, "duration", .duration, help: "Live: how long a stopping run waits for its calls in flight to end. (default: 5m)"),
            .flag(.noSync, help: "Do not import the leads and numbers files the campaign names before starting."),
            .value(
                .into, "path", .path,
                help: "With --simulate: the copy the simulation runs on, replaced each time. (default: the database's name with .simulated.db)"),
            CommonOptions.json,
        ],
        run: { invocation in
            if invocation.instant(.start) != nil && !invocation.flag(.simulate) {
                throw invocation.usageError("--start sets a simulation's virtual clock; a live run runs on the wall clock (add --simulate).")
            }
            let path = invocation.string(.campaign) ?? ""
            let campaign = try Campaign.load(path: path)
            // What `check` calls an error, `run` refuses; what loosens compliance it says once.
            let findings = CampaignLint.findings(campaign)
            if let failure = CampaignLint.failure(findings, file: path) { throw failure }
            for f in CampaignLint.complianceFindings(campaign) { invocation.output.warning(f.located(in: path)) }
            // A simulation runs on a copy of the campaign's database, never in it.
            let database: Database
            var simulation: (path: String, fresh: Bool)?
            if invocation.flag(.simulate) {
                let dbPath = try CommonOptions.databasePath(invocation)
                guard Store.exists(dbPath) else { throw NoDatabaseError(path: dbPath) }
                let opened = try SimulationCopy.open(forSimulating: dbPath, into: invocation.string(.into))
                database = opened.database
                simulation = (opened.path, opened.fresh)
                invocation.output.info(
                    opened.fresh
                        ? "SIMULATED on a copy of \(dbPath): \(opened.path) (the campaign's database is not changed)"
                        : "SIMULATED: going on with the simulation in \(opened.path)")
            } else {
                if invocation.string(.into) != nil { throw invocation.usageError("--into names where a simulation is written; it needs --simulate.") }
                database = try CommonOptions.existingDatabase(invocation)
            }
            if !invocation.flag(.simulate) {
                // A live run needs its keys and, for Vapi, each caller ID's phone-number id.
                let findings = CampaignLint.connectionFindings(
                    campaign, environment: ProcessEnvironment.current, pool: try NumberStore(database: database).all())
                if let failure = CampaignLint.failure(findings, file: path) { throw failure }
            }
            // The files the campaign names are imported first (idempotent), each saying what it did.
            if !invocation.flag(.noSync) {
                let dbPath = try simulation?.path ?? CommonOptions.databasePath(invocation)
                let synced = try CampaignInputs(database: database, campaign: campaign).sync(rejectsFolder: CampaignInputs.rejectsFolder(database: dbPath))
                for line in synced.lines { invocation.output.info(line) }
            }
            // Whom it enrols, said once: several clients' lists and no audience, or a list that is not there.
            let poolStates = Set(try NumberStore(database: database).all().compactMap(\.state))
            for f in CampaignLint.audienceFindings(campaign, lists: try LeadLists(database: database).all().map(\.name))
                + CampaignLint.poolFindings(campaign, leadStates: try Audience.states(of: campaign.audience, in: database), poolStates: poolStates)
            {
                invocation.output.warning(f.located(in: path))
            }
            // A run that can do nothing still enrols its leads (they wait for the fix), then says what is missing.
            let nothing = try CampaignInputs(database: database, campaign: campaign).nothingToDo()
            var options = RunOptions()
            // Without --simulate the clock is the wall clock (the simulated connection still answers).
            options.simulate = invocation.flag(.simulate)
            options.start = invocation.instant(.start) ?? .now
            options.startGiven = invocation.instant(.start) != nil
            options.until = invocation.instant(.until)
            options.maxCalls = invocation.int(.maxCalls)
            if let wait = invocation.duration(.wait) { options.drainSeconds = wait.seconds }
            let output = invocation.output
            StopSignal.install()
            let started = Instant.now
            let progress = RunProgress(output: output, simulated: options.simulate)
            let runner = try CampaignRunner(database: database, campaign: campaign, options: options)
            // A live run sends the outbox (replies, SMS, notifications) as it goes and shuts it down with its
            // connections; a simulation never sends anything.
            runner.outbox = options.simulate ? nil : OutboxSender(database: database, campaign: campaign)
            let summary = try await runner.run { summary in progress.update(summary) }
            progress.finish()
            let wallMs = Instant.now.milliseconds - started.milliseconds
            if output.json {
                output.result(summary.json(wallMs: wallMs, database: simulation?.path ?? database.path, simulated: simulation != nil).rendered)
            } else {
                let text = summary.text(campaign: campaign.name, wallMs: wallMs)
                output.result(simulation.map { "SIMULATED (\($0.path)): " + text } ?? text)
            }
            if let failure = summary.failure { throw failure }
            if let nothing { throw nothing }
        }
    )
}
