import OutdialKit

/// `outdial export calls|results|leads|tasks|notes`.
enum ExportCommand {
    static let command: Command = Command(
        name: "export",
        abstract: "Export calls, per-lead results, leads, tasks or notes as CSV, JSON Lines or JSON.",
        discussion: """
            Columns come in a stable order; every row about a lead carries its external_id (the CRM's id), name, phone and email next to lead_id. `results` has one row per lead and campaign: attempts, the last outcome and call, sentiment, success, tags, the latest note and where the lead stands (waiting, in_flight, stopped, done). Instants are written YYYY-MM-DDTHH:MM:SS.sssZ, or with --time-format local in the lead's own zone with its offset. JSON columns are nested in the JSON formats; in CSV they are JSON text unless --flatten spreads them into columns. --since and --until filter on the time a row was made (a call's queued_at, a result's last call, a lead's updated_at); a date alone means its midnight UTC.
            """,
        arguments: [Argument(.table, help: "What to export.", kind: .choice(Exporter.Table.allCases.map(\.rawValue)))],
        options: [
            .value(.format, "format", .choice(Exporter.Format.allCases.map(\.rawValue)), help: "The output format.", default: "csv"),
            .flag(.json, help: "The same as --format json."),
            .value(.out, "path", .path, help: "Write to this file instead of standard output (put in place when complete)."),
            .flag(.force, help: "Replace the --out file if it exists."),
            .value(.since, "time", .instant, help: "Only rows from this instant on."),
            .value(.until, "time", .instant, help: "Only rows before this instant."),
            .value(.campaign, "name", help: "Only this campaign's rows (calls and results)."),
            .value(
                .timeFormat, "format", .choice(ExportOptions.TimeFormat.allCases.map(\.rawValue)),
                help: "utc (…T14:00:00.000Z) or local (the lead's zone, with its offset).", default: "utc"),
            .flag(.flatten, help: "CSV: spread JSON columns into one column per key and write lists as text (no JSON in any cell; `raw` is left out)."),
            .flag(.bom, help: "Start the file with a UTF-8 byte-order mark, so Excel reads accents right."),
        ],
        run: { invocation in
            let databasePath = try CommonOptions.databasePath(invocation)
            guard Store.exists(databasePath) else { throw NoDatabaseError(path: databasePath) }
            let table = Exporter.Table(rawValue: invocation.string(.table) ?? "calls")!
            var options = ExportOptions()
            options.format = Exporter.Format(rawValue: invocation.string(.format) ?? "csv")!
            if invocation.flag(.json) {
                if invocation.string(.format).map({ $0 != "json" && $0 != "csv" }) == true {
                    throw invocation.usageError("--json and '--format \(options.format.rawValue)' ask for two formats; give one.")
                }
                options.format = .json
            }
            options.since = invocation.instant(.since)
            options.until = invocation.instant(.until)
            options.campaign = invocation.string(.campaign)
            options.timeFormat = ExportOptions.TimeFormat(rawValue: invocation.string(.timeFormat) ?? "utc") ?? .utc
            options.flatten = invocation.flag(.flatten)
            options.byteOrderMark = invocation.flag(.bom)
            if options.flatten && options.format != .csv {
                throw invocation.usageError("--flatten is for CSV; the JSON formats keep JSON columns nested.")
            }
            // The file is checked before the database is opened, and written beside its place.
            let out = try invocation.string(.out).map {
                try OutputFile(path: $0, protecting: OutputFile.Protected.database(databasePath), replacing: invocation.flag(.force))
            }
            let database = try Store.open(databasePath)
            let rows = try Exporter(database: database).export(table, options: options, to: try out?.open() ?? 1)
            if let out {
                try out.commit()
                invocation.output.info("Wrote \(rows) \(table.rawValue) to \(out.path).")
            }
        }
    )
}
