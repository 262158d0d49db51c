import OutdialKit

/// `outdial report [CAMPAIGN]`.
enum ReportCommand {
    static let command: Command = Command(
        name: "report",
        abstract: "Show what a campaign did: funnel, outcomes, when people answer, caller IDs, cost, what is left, the compliance record.",
        discussion: """
            CAMPAIGN is the campaign file or the campaign's name; it may be left out when the database holds one campaign. With the file, every call is also checked against the campaign's calling window and the next opening is shown. --html writes the same figures as one self-contained page of charts (docs/report.md); --json prints them for scripts.
            """,
        arguments: [Argument(.campaign, help: "The campaign file or name.", optional: true)],
        options: [
            .value(.since, "time", .instant, help: "Only calls queued from this instant on (a date means its midnight UTC)."),
            .value(.until, "time", .instant, help: "Only calls queued before this instant."),
            .value(.at, "time", .instant, help: "Read 'now' at this instant (default: a simulation's own clock, else the wall clock)."),
            .value(.html, "file", .path, help: "Also write the report as an HTML page."),
            .flag(.force, help: "Replace the --html file if it exists."),
            CommonOptions.json,
        ],
        run: { invocation in
            let databasePath = try CommonOptions.databasePath(invocation)
            guard Store.exists(databasePath) else { throw NoDatabaseError(path: databasePath) }
            let html = try invocation.string(.html).map {
                try OutputFile(path: $0, protecting: OutputFile.Protected.database(databasePath), replacing: invocation.flag(.force))
            }
            let database = try Store.open(databasePath)
            let builder = ReportBuilder(database: database)
            let (name, file) = try campaign(invocation, builder)
            let report = try builder.build(
                campaign: name, file: file, since: invocation.instant(.since), until: invocation.instant(.until), now: invocation.instant(.at))
            let output = invocation.output
            if let html {
                try html.write(Array(ReportPage.html(report).utf8))
                try html.commit()
            }
            if output.json {
                output.result(report.json.rendered)
            } else {
                output.result(report.text)
            }
            if let html { output.info("Wrote the report to \(html.path).") }
        }
    )

    /// The campaign the argument names (a file or a name), or the database's only campaign.
    static func campaign(_ invocation: Invocation, _ builder: ReportBuilder) throws -> (String, Campaign?) {
        if let argument = invocation.string(.campaign) { return try builder.campaign(argument) }
        let names = try builder.campaignNames()
        guard names.count == 1 else {
            throw invocation.usageError(
                names.isEmpty
                    ? "The database holds no campaign yet: run one first (`outdial run CAMPAIGN.yml`)."
                    : "Missing '<campaign>': the database holds \(names.count) campaigns (\(names.joined(separator: ", "))); name one.")
        }
        return (names[0], nil)
    }
}
