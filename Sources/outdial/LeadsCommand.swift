import Foundation
import OutdialKit

/// `outdial leads import|list|show`.
enum LeadsCommand {
    static let command: Command = Command(
        name: "leads",
        abstract: "Import and inspect leads.",
        subcommands: [importCommand, listCommand, showCommand, windowsCommand]
    )

    static let importCommand: Command = Command(
        name: "import",
        abstract: "Import a lead CSV.",
        discussion: """
            Every phone is normalised to E.164 and every lead gets its candidate time zones: those of its phone number's prefix, of its address (a known ZIP's own zone, else its state's) and of its timezone column, all together, so a wrong column can only narrow its window. Rows kept with a warning (a timezone not understood or agreeing with neither phone nor address, a ZIP not known) are listed in a warnings file. Rows that cannot be used, and repeats of an earlier row, go to a rejects file with their line number and the reason; numbers on the do-not-call list are imported but marked. The import is one transaction: stopped part-way, it leaves the database as it was.
            """,
        arguments: [Argument(.file, help: "The CSV to import ('-' for standard input).", kind: .path)],
        options: [
            .value(
                .map, "column=field", help: "Use COLUMN as FIELD (phone, id, first_name, last_name, name, email, state, zip, country, timezone, tags).",
                repeating: true),
            .value(.delimiter, "char", .choice([",", ";", "tab", "|"]), help: "The field separator; detected from the header when not given."),
            .value(.region, "code", help: "Region for numbers written without a country code.", default: "US"),
            .value(.encoding, "name", .choice(["utf8", "latin1"]), help: "The file's text encoding.", default: "utf8"),
            .value(
                .onDuplicate, "action", .choice(DuplicatePolicy.allCases.map(\.rawValue)), help: "What to do with a phone that is already in the database.",
                default: "skip"),
            .value(.rejects, "path", .path, help: "Where rejected rows go. (default: FILE with .rejects.csv)"),
            .value(.warnings, "path", .path, help: "Where rows kept with a warning are listed. (default: the rejects path with .warnings.csv)"),
            .value(.list, "name", help: "Put every lead of the file in this list (created when new; a lead may be in several lists)."),
            CommonOptions.json,
        ],
        run: runImport
    )

    @Sendable static func runImport(_ invocation: Invocation) throws {
        var options = LeadImportOptions()
        for mapping in invocation.strings(.map) {
            guard let eq = mapping.firstIndex(of: "="), eq != mapping.startIndex else {
                throw invocation.usageError("The value '\(mapping)' is invalid for '--map <column=field>': expected COLUMN=FIELD, like 'Mobile=phone'.")
            }
            let target = String(mapping[mapping.index(after: eq)...])
            guard let field = LeadField.named(target) else {
                let known = LeadField.allCases.map(\.rawValue).joined(separator: ", ")
                throw invocation.usageError(
                    "The value '\(mapping)' is invalid for '--map <column=field>': '\(target)' is not a lead field; use one of \(known).")
            }
            options.mappings[String(mapping[..<eq])] = field
        }
        switch invocation.string(.delimiter) {
        case "tab": options.delimiter = 9
        case let d?: options.delimiter = d.utf8.first
        case nil: options.delimiter = nil
        }
        options.region = try CommonOptions.region(invocation)
        options.latin1 = invocation.string(.encoding) == "latin1"
        options.onDuplicate = DuplicatePolicy(rawValue: invocation.string(.onDuplicate) ?? "skip") ?? .skip
        options.rejectsPath = invocation.string(.rejects)
        options.warningsPath = invocation.string(.warnings)
        if let list = invocation.string(.list) {
            guard !list.trimmingCharacters(in: .whitespaces).isEmpty, list.utf8.count <= 128 else {
                throw invocation.usageError("The value '\(list)' is invalid for '--list <name>': a list name is 1 to 128 bytes.")
            }
            options.list = list
        }
        let file = invocation.string(.file) ?? "-"

        let database = try Store.open(CommonOptions.databasePath(invocation))
        let size = FileSize.of(file)
        let bar = invocation.output.progress("Importing", total: Int64(size ?? 0))
        let summary = try LeadImporter(database: database).run(path: file, options: options) { bar.update(Int64($0)) }
        bar.finish()
        let output = invocation.output
        if output.json {
            output.result(summary.json.rendered)
        } else {
            report(summary, file: file, output: output)
        }
        if let error = RowsRejectedError.check(file: file, rows: summary.rows, rejected: summary.rejected) { throw error }
    }

    private static func report(_ summary: LeadImportSummary, file: String, output: Output) {
        output.result(
            "\(file): \(summary.rows) rows: \(summary.imported) imported, \(summary.updated) updated, \(summary.duplicates) duplicates, \(summary.rejected) rejected, \(summary.dnc) on the do-not-call list."
        )
        for (reason, count) in summary.reasons.prefix(5) { output.info("  \(count) rejected: \(reason)") }
        if summary.extensionsDropped > 0 { output.info("  \(summary.extensionsDropped) phone extensions dropped") }
        for warning in summary.warnings { output.warning("\(file):\(warning.line): \(warning.text)") }
        if summary.warningCount > summary.warnings.count { output.warning("… and \(summary.warningCount - summary.warnings.count) more warnings") }
        if summary.zoneConflicts > 0 { output.info("  \(summary.zoneConflicts) timezones agree with neither phone nor address (zone_conflicts)") }
        if summary.repaired > 0 { output.info("  \(summary.repaired) phones repaired from spreadsheet number format") }
        if let rejects = summary.rejectsFile { output.info("Rejected and duplicate rows: \(rejects)") }
        if let warnings = summary.warningsFile { output.info("Rows kept with a warning: \(warnings)") }
        if let list = summary.list { output.info("List \(list): \(summary.listed) leads added, \(summary.listSize) in all.") }
    }

    static let listCommand: Command = Command(
        name: "list",
        abstract: "List leads with their zones and state.",
        options: [
            .value(.limit, "n", .integer(1...10_000_000), help: "Show at most this many leads.", default: "50"),
            .value(.after, "id", .integer(0...Int.max), help: "Start after this lead id.", default: "0"),
            CommonOptions.json,
        ],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let store = LeadStore(database: database)
            let leads = try store.page(after: Int64(invocation.int(.after) ?? 0), limit: invocation.int(.limit) ?? 50)
            let output = invocation.output
            if output.json {
                output.jsonLines(leads.map(\.json))
                return
            }
            let rows = leads.map { lead in
                [
                    String(lead.id), lead.contact, [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " "), lead.state ?? "-",
                    lead.zones.isEmpty ? "(none)" : lead.zones.joined(separator: " "), lead.dnc ? "dnc" : lead.status,
                ]
            }
            output.result(TextTable.render(header: ["ID", "CONTACT", "NAME", "STATE", "ZONES", "STATUS"], rows: rows))
            let counts = try store.counts()
            output.info("\(leads.count) of \(counts.leads) leads shown (\(counts.dnc) on the do-not-call list).")
        }
    )

    static let showCommand: Command = Command(
        name: "show",
        abstract: "Show one lead: zones, state and where each came from.",
        arguments: [Argument(.lead, help: "The lead's id, phone number (any format) or the CSV's own id.")],
        options: [CommonOptions.json],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let key = invocation.string(.lead) ?? ""
            let store = LeadStore(database: database)
            guard let lead = try store.find(key) else { throw NotFoundError(what: "lead", key: key) }
            let activity = try store.activity(lead.id)
            let lists = try LeadLists(database: database).names(of: lead.id)
            let output = invocation.output
            if output.json {
                guard case .object(var pairs) = lead.json, case .object(let more) = activity else { return }
                pairs.append(("lists", .array(lists.map(JSONValue.string))))
                pairs += more
                pairs.append(("messages", .array(try Conversations(database: database).messages(lead: lead.id).map(\.json))))
                output.result(JSONValue.object(pairs).rendered)
                return
            }
            let messages = try Conversations(database: database).messages(lead: lead.id)
            output.result(
                LeadReport.text(lead, lists: lists) + LeadReport.activityText(activity)
                    + (messages.isEmpty ? "" : "Conversation:\n" + Conversations.text(messages)))
        }
    )
}

extension LeadsCommand {
    static let windowsCommand: Command = Command(
        name: "windows",
        abstract: "Count the leads whose calling window is open now, and when the rest open.",
        discussion:
            "Gates every lead not on the do-not-call list at one instant under the compliance layers (US federal and state rules, Canada), as `outdial window` does for one number.",
        options: [
            .value(.at, "time", .instant, help: "The instant to answer for. (default: now)"),
            .value(.rules, "path", .path, help: "A compliance rules file replacing the built-in table."),
            CommonOptions.json,
        ],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let rules = try invocation.string(.rules).map(ComplianceRules.load(path:)) ?? .bundled
            let at = invocation.instant(.at) ?? .now
            let loadStart = Instant.now
            let (rows, zoneSets) = try LeadStore(database: database).gateRows()
            let gateStart = Instant.now
            let sweep = WindowSweep(policy: CallingWindowPolicy(rules: rules), zoneSets: zoneSets)
            let summary = sweep.sweep(rows, at: at)
            let gateEnd = Instant.now
            let loadMs = gateStart.milliseconds - loadStart.milliseconds
            let gateMs = gateEnd.milliseconds - gateStart.milliseconds
            let output = invocation.output
            if output.json {
                output.result(
                    JSONObject([
                        "at": .string(at.iso8601), "leads": .int(Int64(rows.count)), "open": .int(Int64(summary.open)),
                        "opens_within_24h": .int(Int64(summary.opensToday)), "opens_later": .int(Int64(summary.opensLater)),
                        "not_within_14_days": .int(Int64(summary.notWithin14Days)), "no_timezone": .int(Int64(summary.noTimezone)),
                        "distinct_windows": .int(Int64(sweep.distinct)), "load_ms": .int(loadMs), "gate_ms": .int(gateMs),
                    ]).rendered)
                return
            }
            output.result(
                TextTable.render(
                    header: ["WINDOW AT \(at.iso8601)", "LEADS"],
                    rows: [
                        ["open now", String(summary.open)], ["opens within 24 hours", String(summary.opensToday)],
                        ["opens later (within 14 days)", String(summary.opensLater)], ["not within 14 days", String(summary.notWithin14Days)],
                        ["no time zone known", String(summary.noTimezone)],
                    ]))
            output.info("\(rows.count) leads in \(sweep.distinct) distinct windows; loaded in \(loadMs) ms, gated in \(gateMs) ms.")
        }
    )
}
