import OutdialKit

/// `outdial plan CAMPAIGN`.
enum PlanCommand {
    static let command: Command = Command(
        name: "plan",
        abstract: "Dry-run a campaign over every lead: ready, waiting or blocked, and the number each would get.",
        discussion: "Nothing is dialled or written. Caps are consumed in lead order, as a run starting at --at would consume them.",
        arguments: [Argument(.campaign, help: "The campaign file.", kind: .path)],
        options: [
            .value(.at, "time", .instant, help: "The instant to plan at. (default: now)"),
            .value(.limit, "n", .integer(0...Int.max), help: "Leads to show in the human output.", default: "20"),
            .flag(.noSync, help: "Plan on the database as it is, without the leads and numbers files the campaign names."),
            CommonOptions.json,
        ],
        run: { invocation in
            let campaign = try Campaign.load(path: invocation.string(.campaign) ?? "")
            let path = try CommonOptions.databasePath(invocation)
            guard Store.exists(path) else { throw NoDatabaseError(path: path) }
            let output = invocation.output
            if invocation.flag(.noSync) {
                try plan(invocation, campaign: campaign, database: try Store.open(path))
                return
            }
            try CampaignInputs.asImported(database: path, campaign: campaign) { database, synced in
                for line in synced?.lines ?? [] { output.info("As run would import it: " + line) }
                try plan(invocation, campaign: campaign, database: database)
            }
        }
    )

    private static func plan(_ invocation: Invocation, campaign: Campaign, database: Database) throws {
        let at = invocation.instant(.at) ?? .now
        let output = invocation.output
        let limit = invocation.int(.limit) ?? 20
        var shown: [PlanEntry] = []
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        let summary = try CampaignPlanner(database: database, campaign: campaign).run(at: at) { entry in
            if output.json {
                entry.writeJSON(to: &buffer)
                if buffer.count >= 1 << 16 {
                    Terminal.write(String(decoding: buffer, as: UTF8.self), to: .standardOutput)
                    buffer.removeAll(keepingCapacity: true)
                }
            } else if shown.count < limit {
                shown.append(entry)
            }
        }
        if output.json {
            if !buffer.isEmpty { Terminal.write(String(decoding: buffer, as: UTF8.self), to: .standardOutput) }
            return
        }
        output.result(PlanReport.text(summary: summary, shown: shown, campaign: campaign.name, at: at))
    }
}
