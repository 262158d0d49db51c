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

/// `outdial select PHONE`.
enum SelectCommand {
    static let command: Command = Command(
        name: "select",
        abstract: "Dry-run smart selection: which caller ID a number would be called from.",
        arguments: [Argument("phone", help: "The number to call, in any format.")],
        options: [
            .value("at", "time", .instant, help: "The instant to select at. (default: now)"),
            .value("campaign", "file", .path, help: "Use this campaign's selection settings (daily cap, nearby distance, fallback)."),
            .value("state", "code", help: "The person's state, for the state tier."),
            .value("region", "code", help: "Region for numbers written without a country code.", default: "US"),
            CommonOptions.json,
        ],
        run: { invocation in
            let region = try CommonOptions.region(invocation)
            let number = try CommonOptions.phone(invocation, region: region)
            var state: String?
            if let s = invocation.string("state") {
                guard let code = NumberingPlan.shared.regionCode(s) else {
                    throw invocation.usageError("The value '\(s)' is invalid for '--state <code>': it is not a US state or Canadian province.")
                }
                state = code
            }
            let campaign = try invocation.string("campaign").map(Campaign.load(path:))
            let database = try CommonOptions.existingDatabase(invocation)
            let at = invocation.instant("at") ?? .now
            let spec = campaign?.numbers
            let store = NumberStore(database: database)
            let (selector, _) = try store.selector(settings: spec?.settings ?? SelectionSettings(), health: spec?.health ?? NumberStore.Health(), at: at)
            let lead = try LeadStore(database: database).find(number.e164)
            let lastFrom = try lead.flatMap { try store.lastFromByLead()[$0.id] }
            let choice = selector.select(.placed(number, state: state, lastFrom: lastFrom), at: at.seconds)
            let output = invocation.output
            let chosen = choice.index.map { selector.numbers[$0] }
            let used = choice.index.map { selector.usesToday($0, at: at.seconds) }
            let cap = choice.index.map { selector.cap($0) }
            if output.json {
                output.result(
                    JSONObject([
                        "phone": .string(number.e164), "number": .optional(chosen?.e164), "tier": .optional(choice.tier?.rawValue),
                        "distance_km": choice.distanceKilometres.map { .double($0) } ?? .null, "used_today": used.map { .int(Int64($0)) } ?? .null,
                        "daily_cap": cap.map { .int(Int64($0)) } ?? .null, "reason": .string(choice.reason),
                    ]).rendered)
            } else if let chosen, let tier = choice.tier, let used, let cap {
                var line =
                    "\(number.e164) would be called from \(chosen.e164)" + (chosen.label.map { " (\($0))" } ?? "")
                    + ", tier \(tier.rawValue): \(choice.reason)."
                if let d = choice.distanceKilometres { line += " Distance \(d) km." }
                output.result(line + " Used \(used) of \(cap) today.")
            }
            if chosen == nil { throw NoCallerIDError(phone: number.e164, reason: choice.reason) }
        }
    )
}

/// `outdial plan CAMPAIGN`.
enum PlanCommand {
    static let command: Command = Command(
        name: "plan",
        abstract: "Dry-run a campaign over every lead: ready, waiting or blocked, and the number each would get.",
        discussion: "Nothing is dialled or written. Caps are consumed in lead order, as a run starting at --at would consume them.",
        arguments: [Argument("campaign", help: "The campaign file.", kind: .path)],
        options: [
            .value("at", "time", .instant, help: "The instant to plan at. (default: now)"),
            .value("limit", "n", .integer(0...Int.max), help: "Leads to show in the human output.", default: "20"),
            .flag("no-sync", help: "Plan on the database as it is, without the leads and numbers files the campaign names."),
            CommonOptions.json,
        ],
        run: { invocation in
            let campaign = try Campaign.load(path: invocation.string("campaign") ?? "")
            let path = try CommonOptions.databasePath(invocation)
            guard Store.exists(path) else { throw NoDatabaseError(path: path) }
            let output = invocation.output
            if invocation.flag("no-sync") {
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
        let at = invocation.instant("at") ?? .now
        let output = invocation.output
        let limit = invocation.int("limit") ?? 20
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
