import OutdialKit

/// `outdial runs list [CAMPAIGN]`.
enum RunsCommand {
    static let command: Command = Command(
        name: "runs",
        abstract: "See a campaign's workflow runs.",
        subcommands: [listCommand]
    )

    static let listCommand: Command = Command(
        name: "list",
        abstract: "List workflow runs: where each waits, when it wakes and why, why it stopped or failed.",
        discussion:
            "CAMPAIGN is the campaign file or its name (it may be left out when the database holds one campaign); with the file, each waiting run shows the step it waits at. --reason keeps the runs whose reason contains the text: why a run stopped or failed, or why one waiting at place_call waits (no-caller-id, local-number, window-closed …).",
        arguments: [Argument(.campaign, help: "The campaign file or name.", optional: true)],
        options: [
            .value(.status, "status", .choice(RunStatus.allCases.map(\.rawValue)), help: "Only runs in this state."),
            .value(.reason, "text", help: "Only runs whose reason contains this text."),
            .value(.workflow, "name", help: "Only this workflow's runs."),
            .value(.limit, "n", .integer(1...10_000_000), help: "At most this many.", default: "100"),
            CommonOptions.json,
        ],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let (name, file) = try ReportCommand.campaign(invocation, ReportBuilder(database: database))
            let rows = try RunQueries(database: database).list(
                campaign: name, file: file, status: invocation.string(.status).flatMap(RunStatus.init(rawValue:)), reason: invocation.string(.reason),
                workflow: invocation.string(.workflow), limit: invocation.int(.limit) ?? 100)
            let output = invocation.output
            if output.json {
                output.jsonLines(rows.map(\.json))
                return
            }
            output.result(RunQueries.table(rows))
            output.info("\(rows.count) runs of \(name).")
        }
    )
}
