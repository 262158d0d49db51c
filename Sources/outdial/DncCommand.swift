import OutdialKit

/// `outdial dnc import|add|list`.
enum DncCommand {
    static let command: Command = Command(
        name: "dnc",
        abstract: "Keep the do-not-call list.",
        discussion: "Numbers on the list are never dialled and never messaged. An area-code wildcard such as 201XXXXXXX blocks every number of the area code.",
        subcommands: [importCommand, addCommand, listCommand]
    )

    static let importCommand: Command = Command(
        name: "import",
        abstract: "Add every number of a file (one a line, or a CSV with a phone column).",
        arguments: [Argument(.file, help: "The file ('-' for standard input).", kind: .path)],
        options: [
            .value(.region, "code", help: "Region for numbers written without a country code.", default: "US"),
            .flag(.skipInvalid, help: "Import the readable lines and list the others (without it, any unreadable line fails the import)."),
            CommonOptions.json,
        ],
        run: { invocation in
            let region = try CommonOptions.region(invocation)
            let database = try Store.open(CommonOptions.databasePath(invocation))
            let file = invocation.string(.file) ?? "-"
            let result = try DoNotCallImporter(database: database).run(path: file, region: region, skipInvalid: invocation.flag(.skipInvalid))
            let output = invocation.output
            if output.json {
                output.result(result.json.rendered)
                return
            }
            let skipped = result.errorCount > 0 ? ", \(result.errorCount) unreadable lines skipped" : ""
            output.result("\(file): \(result.entries) entries, \(result.added) new\(skipped); \(result.leadsMarked) leads marked.")
            for error in result.errors.prefix(10) { output.warning("\(file):\(error.line): '\(error.text)' \(error.reason)") }
            if result.errorCount > 10 { output.warning("… and \(result.errorCount - 10) more unreadable lines") }
        }
    )

    static let addCommand: Command = Command(
        name: "add",
        abstract: "Add numbers or area-code wildcards.",
        arguments: [Argument(.number, help: "A phone number in any format, or an area code and seven X (201XXXXXXX).", repeating: true)],
        options: [.value(.region, "code", help: "Region for numbers written without a country code.", default: "US"), CommonOptions.json],
        run: { invocation in
            let region = try CommonOptions.region(invocation)
            let normalizer = PhoneNormalizer(region: region)!
            var entries: [DoNotCallEntry] = []
            for text in invocation.strings(.number) {
                do throws(PhoneNumberError) {
                    entries.append(try DoNotCallEntry.parse(text, normalizer: normalizer))
                } catch {
                    throw invocation.usageError("The value '\(text)' is invalid for '<number>': it \(error.reason).")
                }
            }
            let database = try Store.open(CommonOptions.databasePath(invocation))
            let added = try database.transaction { try DoNotCallStore(database: database).add(entries, source: "dnc add") }
            let output = invocation.output
            if output.json {
                output.result(JSONObject(["entries": .int(Int64(entries.count)), "added": .int(Int64(added))]).rendered)
            } else {
                output.result("Added \(added) of \(entries.count) (\(entries.count - added) already listed): " + entries.map(\.pattern).joined(separator: ", "))
            }
        }
    )

    static let listCommand: Command = Command(
        name: "list",
        abstract: "List the do-not-call entries.",
        options: [CommonOptions.json],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let entries = try DoNotCallStore(database: database).all()
            let output = invocation.output
            if output.json {
                output.jsonLines(
                    entries.map {
                        JSONObject([
                            "pattern": .string($0.pattern), "kind": .string($0.kind), "source": .optional($0.source), "added_at": .string($0.addedAt.iso8601),
                        ])
                    })
                return
            }
            output.result(
                TextTable.render(
                    header: ["PATTERN", "KIND", "SOURCE", "ADDED"], rows: entries.map { [$0.pattern, $0.kind, $0.source ?? "-", $0.addedAt.iso8601] }))
            output.info("\(entries.count) entries.")
        }
    )
}
