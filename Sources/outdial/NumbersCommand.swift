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
        arguments: [Argument("file", help: "The numbers CSV.", kind: .path)],
        options: [.value("region", "code", help: "Region for numbers written without a country code.", default: "US"), CommonOptions.json],
        run: { invocation in
            let region = try CommonOptions.region(invocation)
            let database = try Store.open(CommonOptions.databasePath(invocation))
            let file = invocation.string("file") ?? "-"
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
            .value("at", "time", .instant, help: "The instant whose local day counts as today. (default: now)"),
            .value("campaign", "file", .path, help: "Use this campaign's default daily cap."),
            CommonOptions.json,
        ],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let campaign = try invocation.string("campaign").map(Campaign.load(path:))
            let at = invocation.instant("at") ?? .now
            let spec = campaign?.numbers
            let (selector, rates) = try NumberStore(database: database).selector(
                settings: spec?.settings ?? SelectionSettings(), health: spec?.health ?? NumberStore.Health(), at: at)
            let now = at.seconds
            let output = invocation.output
            var rows: [[String]] = []
            var lines = ""
            for (i, n) in selector.numbers.enumerated() {
                let used = selector.usesToday(i, at: now)
                let rate = rates[n.key]
                let health = selector.ineligibility(i, at: now) ?? "ok"
                if output.json {
                    lines +=
                        JSONObject([
                            "number": .string(n.e164), "label": .optional(n.label), "connection": .optional(n.connection), "state": .optional(n.state),
                            "daily_cap": .int(Int64(selector.cap(i))), "weight": .int(Int64(n.weight)), "enabled": .bool(n.enabled),
                            "used_today": .int(Int64(used)), "last_used": selector.lastUsed(i).map { .string(Instant(seconds: $0).iso8601) } ?? .null,
                            "recent_calls": .int(Int64(rate?.calls ?? 0)), "recent_answered": .int(Int64(rate?.answered ?? 0)),
                            "status": .string(health),
                        ]).rendered + "\n"
                } else {
                    let answerRate =
                        rate.map { $0.calls == 0 ? "-" : "\(Int((Double($0.answered) / Double($0.calls) * 100).rounded()))% of \($0.calls)" } ?? "-"
                    rows.append([
                        n.e164, n.label ?? "-", n.state ?? "-", "\(used)/\(selector.cap(i))", String(n.weight),
                        selector.lastUsed(i).map { Instant(seconds: $0).iso8601 } ?? "never", answerRate, health,
                    ])
                }
            }
            if output.json {
                if !lines.isEmpty { Terminal.write(lines, to: .standardOutput) }
            } else {
                output.result(TextTable.render(header: ["NUMBER", "LABEL", "STATE", "TODAY", "WEIGHT", "LAST USE", "ANSWERED", "STATUS"], rows: rows))
                output.info("\(rows.count) numbers.")
            }
        }
    )
}
