import OutdialKit

#if canImport(Glibc)
    import Glibc
#endif

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
            .value("out", "path", .path, help: "Write to this file instead of standard output."),
            .value("since", "time", .instant, help: "Only rows from this instant on."),
            .value("until", "time", .instant, help: "Only rows before this instant."),
        ],
        run: { invocation in
            let database = try Store.open(CommonOptions.databasePath(invocation))
            let table = Exporter.Table(rawValue: invocation.string("table") ?? "calls")!
            let format = Exporter.Format(rawValue: invocation.string("format") ?? "csv")!
            var descriptor: Int32 = 1
            if let path = invocation.string("out") {
                descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                guard descriptor >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
            }
            defer { if descriptor != 1 { close(descriptor) } }
            let rows = try Exporter(database: database).export(
                table, format: format, since: invocation.instant("since"), until: invocation.instant("until"), to: descriptor)
            if let path = invocation.string("out") { invocation.output.info("Wrote \(rows) \(table.rawValue) to \(path).") }
        }
    )
}
