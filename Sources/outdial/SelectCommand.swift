import OutdialKit

/// `outdial select PHONE`.
enum SelectCommand {
    static let command: Command = Command(
        name: "select",
        abstract: "Dry-run smart selection: which caller ID a number would be called from.",
        arguments: [Argument(.phone, help: "The number to call, in any format.")],
        options: [
            .value(.at, "time", .instant, help: "The instant to select at. (default: now)"),
            .value(.campaign, "file", .path, help: "Use this campaign's selection settings (daily cap, nearby distance, fallback)."),
            .value(.state, "code", help: "The person's state, for the state tier."),
            .value(.region, "code", help: "Region for numbers written without a country code.", default: "US"),
            CommonOptions.json,
        ],
        run: { invocation in
            let region = try CommonOptions.region(invocation)
            let number = try CommonOptions.phone(invocation, region: region)
            var state: String?
            if let s = invocation.string(.state) {
                guard let code = NumberingPlan.shared.regionCode(s) else {
                    throw invocation.usageError("The value '\(s)' is invalid for '--state <code>': it is not a US state or Canadian province.")
                }
                state = code
            }
            let campaign = try invocation.string(.campaign).map(Campaign.load(path:))
            let database = try CommonOptions.existingDatabase(invocation)
            let at = invocation.instant(.at) ?? .now
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
                        "waits_for": .optional(choice.waitFor.map { selector.numbers[$0].e164 }),
                        "wait_until": .optional(choice.waitUntil.map { Instant(seconds: $0).iso8601 }),
                    ]).rendered)
            } else if let chosen, let tier = choice.tier, let used, let cap {
                var line =
                    "\(number.e164) would be called from \(chosen.e164)" + (chosen.label.map { " (\($0))" } ?? "")
                    + ", tier \(tier.rawValue): \(choice.reason)."
                if let d = choice.distanceKilometres { line += " Distance \(d) km." }
                output.result(line + " Used \(used) of \(cap) today.")
            } else if choice.waitFor != nil {
                output.result("\(number.e164) would not be called yet: \(choice.reason).")
            }
            // Waiting for a local number is an answer; no number at all is not.
            if chosen == nil, choice.waitFor == nil { throw NoCallerIDError(phone: number.e164, reason: choice.reason) }
        }
    )
}
