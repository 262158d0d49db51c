import OutdialKit

/// `outdial outbox list|send`.
enum OutboxCommand {
    static let command: Command = Command(
        name: "outbox",
        abstract: "See and send what outdial wants sent: SMS, AI replies, notifications, webhooks.",
        discussion:
            "A live `outdial run` and `outdial serve` send the outbox as they go; `outbox send` sends what is due now. Each row moves pending → sending → sent (with the provider's id), failed (with the reason), handed_off (a responder asked for a person) or unknown (the request may have arrived: check the provider's log; never sent again).",
        subcommands: [listCommand, sendCommand]
    )

    static let listCommand: Command = Command(
        name: "list",
        abstract: "List outbox rows, newest first.",
        options: [
            .value(.status, "status", .choice(Conversations.outboxStatuses), help: "Only rows in this state."),
            .value(.kind, "kind", .choice(["sms", "message", "notify", "webhook"]), help: "Only rows of this kind."),
            .value(.limit, "n", .integer(1...1_000_000), help: "At most this many.", default: "100"),
            CommonOptions.json,
        ],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let rows = try Conversations(database: database).outbox(
                status: invocation.string(.status), kind: invocation.string(.kind), limit: invocation.int(.limit) ?? 100)
            let output = invocation.output
            if output.json { return output.result(JSONValue.array(rows.map(\.json)).rendered) }
            output.result(
                TextTable.render(
                    header: ["ID", "KIND", "TO", "STATUS", "TRIES", "CREATED", "TEXT", "NOTE"],
                    rows: rows.map {
                        [
                            String($0.id), $0.kind, $0.destination ?? "-", $0.status, String($0.attempts), $0.createdAt.iso8601, String($0.body.prefix(40)),
                            $0.error ?? $0.providerMessageID ?? "",
                        ]
                    }))
            output.info("\(rows.count) rows.")
        }
    )

    static let sendCommand: Command = Command(
        name: "send",
        abstract: "Send the outbox rows that are due, through the campaign's messaging connection.",
        arguments: [Argument(.campaign, help: "The campaign file (its connections and responders).", kind: .path)],
        options: [CommonOptions.json],
        run: { invocation in
            let campaign = try Campaign.load(path: invocation.string(.campaign) ?? "")
            let database = try CommonOptions.existingDatabase(invocation)
            let tally = try await OutboxSender(database: database, campaign: campaign).whileOpen { sender in
                try sender.recover()
                return try await sender.sendDue(at: Instant.now.milliseconds)
            }
            let output = invocation.output
            if output.json {
                output.result(
                    JSONValue.object([
                        ("sent", .int(Int64(tally.sent))), ("failed", .int(Int64(tally.failed))), ("unknown", .int(Int64(tally.unknown))),
                        ("retrying", .int(Int64(tally.retrying))), ("handed_off", .int(Int64(tally.handedOff))), ("waiting", .int(Int64(tally.waiting))),
                    ]).rendered)
                return
            }
            output.result(
                "Sent \(tally.sent), failed \(tally.failed), unknown \(tally.unknown), handed to a person \(tally.handedOff), to retry \(tally.retrying), waiting for a messaging connection \(tally.waiting)."
            )
        }
    )
}
