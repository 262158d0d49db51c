import OutdialKit

/// `outdial ingest FILE|-`.
enum IngestCommand {
    static let command: Command = Command(
        name: "ingest",
        abstract: "Record provider events from a file or standard input (Retell, Vapi, Twilio SMS, outdial's own).",
        discussion:
            "JSON Lines, a JSON array or one JSON object; each element is detected on its own (docs/events.md). Each event is kept once: ingesting the same file again changes nothing. An event for a call outdial does not know is kept and counted as unknown_call; a run that later learns the call's id links it. A bad element is reported with its line; the others still go in. The campaign's post-call and messaging workflows start as waiting runs: the next (or the running) `outdial run` advances them.",
        arguments: [Argument(.file, help: "The events file, or - for standard input.", kind: .path)],
        options: [
            .value(.campaign, "file", .path, help: "The campaign the events belong to (its workflows start)."),
            .value(
                .analysisWait, "duration", .duration,
                help: "A call reported ended without its analysis is recorded as it is once it ended this long ago. (default: 2m)"),
            CommonOptions.json,
        ],
        run: { invocation in
            guard let campaignPath = invocation.string(.campaign) else {
                throw invocation.usageError("Missing '--campaign <file>': the campaign whose calls and workflows the events belong to.")
            }
            let campaign = try Campaign.load(path: campaignPath)
            let path = invocation.string(.file) ?? "-"
            let database = try CommonOptions.existingDatabase(invocation)
            var ingester = EventIngester(database: database, campaign: campaign)
            if let wait = invocation.duration(.analysisWait) { ingester.analysisWait = wait.seconds }
            let summary = try ingester.ingest(path: path)
            let output = invocation.output
            let name = path == "-" ? "standard input" : path
            if output.json {
                output.result(summary.json.rendered)
            } else {
                for error in summary.errors.prefix(20) { Terminal.write("\(name):\(error.line): \(error.reason)\n", to: .standardError) }
                if summary.errors.count > 20 { Terminal.write("… and \(summary.errors.count - 20) more (--json lists them)\n", to: .standardError) }
                output.result(
                    "\(name): \(summary.events) events: \(summary.new) new, \(summary.duplicates) duplicates, \(summary.unknownCall) for calls outdial does not know, \(summary.ignored) ignored, \(summary.rejected) rejected."
                        + (summary.settled > 0 ? " \(summary.settled) calls recorded without their analysis." : ""))
            }
            if summary.rejected > 0 { throw IngestRejects(count: summary.rejected) }
        }
    )
}
