import OutdialKit

/// `outdial export calls|leads|tasks|notes`.
enum ExportCommand {
    static let command: Command = Command(
        name: "export",
        abstract: "Export calls, leads, tasks or notes as CSV, JSON Lines or JSON.",
        discussion:
            "Columns come in a stable order; instants are ISO 8601 UTC; JSON columns are nested in the JSON formats. --since and --until filter on the time a row was made (a call's queued_at, a lead's updated_at).",
        arguments: [Argument("table", help: "What to export.", kind: .choice(Exporter.Table.allCases.map(\.rawValue)))],
        options: [
            .value("format", "format", .choice(Exporter.Format.allCases.map(\.rawValue)), help: "The output format.", default: "csv"),
            .value("out", "path", .path, help: "Write to this file instead of standard output (put in place when complete)."),
            .flag("force", help: "Replace the --out file if it exists."),
            .value("since", "time", .instant, help: "Only rows from this instant on."),
            .value("until", "time", .instant, help: "Only rows before this instant."),
        ],
        run: { invocation in
            let databasePath = try CommonOptions.databasePath(invocation)
            guard Store.exists(databasePath) else { throw NoDatabaseError(path: databasePath) }
            let table = Exporter.Table(rawValue: invocation.string("table") ?? "calls")!
            let format = Exporter.Format(rawValue: invocation.string("format") ?? "csv")!
            // The file is checked before the database is opened, and written beside its place.
            let out = try invocation.string("out").map {
                try OutputFile(path: $0, protecting: OutputFile.Protected.database(databasePath), replacing: invocation.flag("force"))
            }
            let database = try Store.open(databasePath)
            let rows = try Exporter(database: database).export(
                table, format: format, since: invocation.instant("since"), until: invocation.instant("until"), to: try out?.open() ?? 1)
            if let out {
                try out.commit()
                invocation.output.info("Wrote \(rows) \(table.rawValue) to \(out.path).")
            }
        }
    )
}
