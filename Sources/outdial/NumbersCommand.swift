import OutdialKit

/// `outdial numbers import|list|enable|disable|rest`.
enum NumbersCommand {
    static let command: Command = Command(
        name: "numbers",
        abstract: "Keep the caller-ID pool.",
        subcommands: [importCommand, listCommand, enableCommand, disableCommand, restCommand]
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

    static let enableCommand = change(
        "enable", abstract: "Put numbers back in the pool (and end a rest set with `numbers rest`).", done: "enabled"
    ) { _ in .enable }
    static let disableCommand = change("disable", abstract: "Take numbers out of the pool until they are enabled.", done: "disabled") { _ in .disable }
    static let restCommand = change(
        "rest", abstract: "Rest numbers for a while: no call is placed from them until the rest ends.", done: "resting",
        options: [
            .value(.for, "duration", .duration, help: "How long the numbers rest.", default: "24h"),
            .value(.reason, "text", help: "Why, as numbers list shows it.", default: "rested by the operator"),
        ]
    ) { invocation in
        let until = Instant(seconds: Instant.now.seconds + (invocation.duration(.for)?.seconds ?? 86_400))
        return .rest(until: until, reason: invocation.string(.reason) ?? "rested by the operator")
    }

    /// A subcommand that applies one change to the numbers it is given.
    private static func change(
        _ name: String, abstract: String, done: String, options: [Option] = [], _ make: @escaping @Sendable (Invocation) -> NumberStore.Change
    ) -> Command {
        Command(
            name: name, abstract: abstract,
            discussion:
                "A run started after the change uses it; a run going on now keeps the pool it read when it started (stop it with Ctrl-C and run it again).",
            arguments: [Argument(.number, help: "The pool's numbers, in any format.", repeating: true)],
            options: options + [.value(.region, "code", help: "Region for numbers written without a country code.", default: "US"), CommonOptions.json],
            run: { invocation in
                let database = try CommonOptions.existingDatabase(invocation)
                let change = make(invocation)
                let numbers = try NumberStore(database: database).apply(change, to: invocation.strings(.number), region: try CommonOptions.region(invocation))
                let output = invocation.output
                if output.json {
                    output.result(JSONObject(["numbers": .array(numbers.map(JSONValue.string)), "status": .string(done)]).rendered)
                } else if case .rest(let until, _) = change {
                    output.result("\(numbers.joined(separator: ", ")): resting until \(until.iso8601).")
                } else {
                    output.result("\(numbers.joined(separator: ", ")): \(done).")
                }
            })
    }
}
