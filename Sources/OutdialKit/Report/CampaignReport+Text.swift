extension CampaignReport {
    static func percent(_ value: Double?) -> String {
        guard let value else { return "-" }
        let tenths = (value * 1000).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)%"
    }

    static func dollars(_ cents: Double?) -> String {
        guard let cents else { return "-" }
        let rounded = Int64(cents.rounded())
        let fraction = rounded % 100
        return "$\(rounded / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The title line: the campaign, the period, SIMULATED when it is one.
    public var title: String {
        var title = "Campaign \(campaign)"
        if since != nil || until != nil {
            title += ", calls from \(since?.iso8601 ?? "the start") to \(until?.iso8601 ?? "now")"
        }
        return simulated ? "SIMULATED — " + title + " (every call placed by the simulator)" : title
    }

    /// The report as terminal tables.
    public var text: String {
        var out = title + "\n\n"
        func section(_ name: String, _ header: [String], _ rows: [[String]]) {
            out += "\(name)\n"
            out +=
                rows.isEmpty
                ? "  (none)\n\n" : TextTable.render(header: header, rows: rows).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n\n"
        }
        let stages = funnel.stages
        section(
            "Funnel", ["STAGE", "LEADS", "OF THE STAGE BEFORE", "OF AUDIENCE"],
            stages.map { stage in
                [
                    stage.name, String(stage.leads), stage.parent.map { Self.percent($0 == 0 ? nil : Double(stage.leads) / Double($0)) } ?? "",
                    Self.percent(funnel.audience == 0 ? nil : Double(stage.leads) / Double(funnel.audience)),
                ]
            })
        let ended = outcomes.reduce(0) { $0 + $1.count }
        section(
            "Outcomes (\(calls) calls)", ["OUTCOME", "CALLS", "SHARE"],
            outcomes.map { [$0.outcome, String($0.count), Self.percent(Double($0.count) / Double(max(ended, 1)))] }
                + pending.map { ["(\($0.status))", String($0.count), ""] })
        section("Attempts per lead", ["ATTEMPTS", "LEADS"], attemptsPerLead.map { [String($0.attempts), String($0.leads)] })
        section(
            "Answer rate by the lead's local hour", ["HOUR", "CALLS", "ANSWERED", "RATE"],
            byLocalHour.enumerated().filter { $0.element.calls > 0 }.map { hour, tally in
                [(hour < 10 ? "0" : "") + "\(hour):00", String(tally.calls), String(tally.answered), Self.percent(tally.rate)]
            })
        section(
            "Answer rate by selection tier", ["TIER", "CALLS", "RATE"], tiers.map { [$0.tier, String($0.tally.calls), Self.percent($0.tally.rate)] })
        section(
            "Caller IDs", ["NUMBER", "CALLS", "RATE", "SPAM BLOCKS", "RESTING", "RETIRE"],
            numbers.map {
                [
                    $0.number + ($0.enabled ? "" : " (disabled)"), String($0.placed), Self.percent($0.tally.rate), String($0.spamBlocked),
                    $0.restingUntil.map { "until \($0.iso8601)" } ?? "", $0.retire ? "yes: " + ($0.restingReason ?? "spam blocked") : "",
                ]
            })
        section(
            "Answer rate by state", ["STATE", "CALLS", "RATE"], states.prefix(15).map { [$0.state, String($0.tally.calls), Self.percent($0.tally.rate)] })
        section(
            "Answer rate by area code", ["AREA CODE", "CALLS", "RATE"],
            areaCodes.prefix(15).map { [$0.areaCode, String($0.tally.calls), Self.percent($0.tally.rate)] })
        section(
            "By day (UTC)", ["DAY", "CALLS", "ANSWERED", "POSITIVE", "NEUTRAL", "NEGATIVE", "SUCCESSFUL"],
            days.map {
                [
                    $0.day, String($0.calls), String($0.answered), String($0.positive), String($0.neutral), String($0.negative),
                    $0.judged == 0 ? "-" : "\($0.successful) of \($0.judged)",
                ]
            })
        out += "Cost\n  total \(Self.dollars(Double(cost.totalCents))), per call \(Self.dollars(cost.perCallCents)), "
        out += "per answered call \(Self.dollars(cost.perAnsweredCents)) (\(cost.pricedCalls) calls with a cost)\n\n"
        section("Duration of answered calls", ["DURATION", "CALLS"], durations.map { [$0.label, String($0.calls)] })

        out += "What is left\n"
        for (reason, runs) in waiting.runs { out += "  waiting at \(reason): \(runs)\n" }
        if waiting.runs.isEmpty { out += "  no workflow run is waiting\n" }
        for (code, runs) in waiting.stopped { out += "  stopped, \(code): \(runs)\n" }
        if let next = waiting.nextWindowOpen {
            out += "  the calling window next opens \(next == now ? "now (it is open)" : "at " + next.iso8601)\n"
        } else if !hasCampaignFile, !waiting.runs.isEmpty {
            out += "  (give the campaign file to see when the calling window opens)\n"
        }
        if let wake = waiting.nextWake { out += "  the next run is due at \(wake.iso8601)\n" }
        out += "  calls in flight: \(waiting.inFlight); unknown, to check on the provider's dashboard: \(waiting.unknownCalls)\n"
        for row in waiting.outbox { out += "  outbox \(row.kind) \(row.status): \(row.rows)\n" }
        out += "\n"

        out += "Compliance\n"
        if let outside = compliance.outsideWindow {
            out += "  calls placed outside the campaign's calling window: \(outside)"
            out += compliance.outsideWindowCalls.isEmpty ? "\n" : " (calls \(compliance.outsideWindowCalls.map(String.init).joined(separator: ", ")))\n"
        } else {
            out += "  (give the campaign file to check every call against its calling window)\n"
        }
        out += "  do-not-call entries: \(compliance.dncEntries); leads on it: \(compliance.dncLeads); opt-outs: \(compliance.optOuts)\n"
        let hours = (0..<24).filter { h in compliance.byZone.contains { $0.hours[h] > 0 } }
        if let first = hours.first, let last = hours.last {
            out += "  calls by local hour in each gated zone (\(first):00 to \(last):59 local)\n"
            out +=
                TextTable.render(
                    header: ["ZONE"] + (first...last).map { String($0) },
                    rows: compliance.byZone.map { [$0.zone] + $0.hours[first...last].map { $0 == 0 ? "." : String($0) } }
                ).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
        }
        if simulated { out += "\nSIMULATED: every figure above comes from simulated calls.\n" }
        return out
    }
}
