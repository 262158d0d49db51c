import OutdialKit

/// `outdial numbers import|list`.
enum NumbersCommand {
    static let command: Command = Command(
        name: "numbers",
        abstract: "Keep the caller-ID pool.",
        subcommands: [importCommand, listCommand]
    )

    static let importCommand: Command = Command(
        name: "import",
        abstract: "Import or update caller IDs from a CSV.",
        discussion:
            "Columns: number (required), label, connection, daily_cap, weight, enabled, state (else the area code's). A number already in the pool is updated.",
        arguments: [Argument(.file, help: "The numbers CSV.", kind: .path)],
        options: [.value(.region, "code", help: "Region for numbers written without a country code.", default: "US"), CommonOptions.json],
        run: { invocation in
            let region = try CommonOptions.region(invocation)
            let database = try Store.open(CommonOptions.databasePath(invocation))
            let file = invocation.string(.file) ?? "-"
            let summary = try NumberStore(database: database).importCSV(path: file, region: region)
            let output = invocation.output
            if output.json {
                output.result(summary.json.rendered)
            } else {
                output.result("\(file): \(summary.rows) rows: \(summary.imported) imported or updated, \(summary.errors.count) rejected.")
                for error in summary.errors { output.warning("\(file):\(error.line): \(error.reason)") }
            }
            if let error = RowsRejectedError.check(file: file, rows: summary.rows, rejected: summary.errors.count) { throw error }
        }
    )

    static let listCommand: Command = Command(
        name: "list",
        abstract: "List the pool with today's use and health.",
        options: [
            .value(.at, "time", .instant, help: "The instant whose local day counts as today. (default: now)"),
            .value(.campaign, "file", .path, help: "Use this campaign's default daily cap."),
            CommonOptions.json,
        ],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let campaign = try invocation.string(.campaign).map(Campaign.load(path:))
            let at = invocation.instant(.at) ?? .now
            let spec = campaign?.numbers
            let listing = try PoolListing(
                database: database, settings: spec?.settings ?? SelectionSettings(), health: spec?.health ?? NumberStore.Health(), at: at)
            let output = invocation.output
            if output.json {
                if !listing.rows.isEmpty { Terminal.write(listing.jsonLines, to: .standardOutput) }
            } else {
                output.result(listing.table)
                output.info("\(listing.rows.count) numbers.")
            }
        }
    )
}
