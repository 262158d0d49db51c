import OutdialKit

/// `outdial calls list|show|resolve`.
enum CallsCommand {
    static let command: Command = Command(
        name: "calls",
        abstract: "Look at calls: those in flight, the unknown ones to check, one in full; resolve one by hand.",
        subcommands: [listCommand, showCommand, resolveCommand, purgeCommand]
    )

    static let listCommand: Command = Command(
        name: "list",
        abstract: "List calls, newest first.",
        discussion:
            "--status in_flight shows the calls a live run is waiting on; --status unknown the calls whose request may have reached the provider without an answer, never redialled: check each on the provider's dashboard by its provider call id, then `outdial calls resolve`.",
        options: [
            .value(.status, "status", .choice(CallQueries.statuses), help: "Only calls in this state."),
            .value(.campaign, "name", help: "Only this campaign's calls."),
            .value(.limit, "n", .integer(1...1_000_000), help: "At most this many.", default: "100"),
            CommonOptions.json,
        ],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let rows = try CallQueries(database: database).list(
                status: invocation.string(.status), campaign: invocation.string(.campaign), limit: invocation.int(.limit) ?? 100)
            let output = invocation.output
            if output.json {
                output.result(JSONValue.array(rows.map(\.json)).rendered)
                return
            }
            let table = rows.map { r in
                [
                    String(r.id), r.campaign, r.to, r.status, r.outcome ?? "-", r.connection ?? "-", r.providerCallID ?? "-", r.queuedAt.iso8601,
                    r.error ?? "",
                ]
            }
            output.result(
                TextTable.render(header: ["CALL", "CAMPAIGN", "TO", "STATUS", "OUTCOME", "CONNECTION", "PROVIDER ID", "QUEUED", "NOTE"], rows: table))
            output.info("\(rows.count) calls.")
        }
    )

    static let showCommand: Command = Command(
        name: "show",
        abstract: "Show one call: its record as `export calls` writes it.",
        arguments: [Argument(.callID, help: "The call's id (calls.call_id).")],
        options: [CommonOptions.json],
        run: { invocation in
            guard let id = Int64(invocation.string(.callID) ?? "") else {
                throw invocation.usageError(
                    "The value '\(invocation.string(.callID) ?? "")' is invalid for '<call-id>': expected a call id (a whole number).")
            }
            let database = try CommonOptions.existingDatabase(invocation)
            guard let call = try Exporter(database: database).call(id) else { throw CallQueries.ResolveError(message: "there is no call \(id)") }
            let output = invocation.output
            if output.json {
                output.result(call.rendered)
                return
            }
            guard case .object(let pairs) = call else { return }
            var lines: [String] = []
            for (key, value) in pairs where value != .null && key != "raw" {
                lines.append("\(key): " + (value.text ?? value.rendered))
            }
            output.result(lines.joined(separator: "\n"))
        }
    )

    static let purgeCommand: Command = Command(
        name: "purge",
        abstract: "Remove the simulated calls an earlier version wrote into this database, with what they caused.",
        discussion:
            "Today `run --simulate` runs on a copy of the database; earlier versions simulated in the campaign's own database. This removes every simulated call with its events, notes and the workflow runs they started; a campaign that only ever had simulated calls loses its runs and enrolment too, so its next real run enrols its leads afresh. Tags, tasks, opportunities and outbox messages carry no link to a call and are kept.",
        options: [.flag(.simulated, help: "Remove the simulated calls (required: nothing else is ever purged)."), CommonOptions.json],
        run: { invocation in
            guard invocation.flag(.simulated) else { throw invocation.usageError("calls purge removes simulated calls only; say so with --simulated.") }
            let database = try CommonOptions.existingDatabase(invocation)
            let summary = try SimulatedCallPurge(database: database).run()
            let output = invocation.output
            if output.json {
                output.result(summary.json.rendered)
                return
            }
            output.result(
                "Removed \(summary.calls) simulated calls, \(summary.events) events, \(summary.runs) workflow runs and \(summary.notes) notes"
                    + (summary.campaigns.isEmpty ? "." : "; campaigns that were only simulated: \(summary.campaigns.joined(separator: ", ")).")
            )
            if summary.pendingOutbox > 0 {
                output.warning(
                    "\(summary.pendingOutbox) outbox messages wait to be sent to leads the simulation called; they may be the simulation's and a live run "
                        + "would send them: review them with `outdial outbox list --status pending`.")
            }
        }
    )

    static let resolveCommand: Command = Command(
        name: "resolve",
        abstract: "Record the outcome of a call outdial could not learn (an unknown call you checked on the provider's dashboard).",
        discussion:
            "The outcome is recorded as an event, like a provider's: the campaign's post-call workflows start, and the next `outdial run` advances them. A call that already has an outcome is left as it is.",
        arguments: [Argument(.callID, help: "The call's id (calls.call_id).")],
        options: [
            .value(.outcome, "outcome", .choice(CallOutcome.allCases.map(\.rawValue)), help: "What the call came to."),
            .value(.campaign, "file", .path, help: "The call's campaign file (for its post-call workflows)."),
            .value(.note, "text", help: "Kept as the call's summary."),
        ],
        run: { invocation in
            guard let id = Int64(invocation.string(.callID) ?? "") else {
                throw invocation.usageError(
                    "The value '\(invocation.string(.callID) ?? "")' is invalid for '<call-id>': expected a call id (a whole number).")
            }
            guard let outcome = invocation.string(.outcome).flatMap(CallOutcome.init(rawValue:)) else {
                throw invocation.usageError(
                    "Missing '--outcome <outcome>': what the call came to (\(CallOutcome.allCases.map(\.rawValue).joined(separator: ", "))).")
            }
            guard let path = invocation.string(.campaign) else {
                throw invocation.usageError("Missing '--campaign <file>': the call's campaign file, whose post-call workflows the outcome starts.")
            }
            let campaign = try Campaign.load(path: path)
            let database = try CommonOptions.existingDatabase(invocation)
            try CallQueries(database: database).resolve(id, outcome: outcome, note: invocation.string(.note), campaign: campaign)
            invocation.output.info("Call \(id) resolved as \(outcome.rawValue); the next `outdial run \(path)` runs its post-call workflows.")
        }
    )
}
