extension AnswerTally {
    var json: JSONValue { .object([("calls", .int(Int64(calls))), ("answered", .int(Int64(answered))), ("answer_rate", Self.number(rate))]) }

    static func number(_ value: Double?) -> JSONValue {
        guard let value else { return .null }
        return .double((value * 10_000).rounded() / 10_000)
    }
}

extension CampaignReport {
    static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// The report as `outdial report --json` prints it; the keys are documented in docs/report.md.
    public var json: JSONValue {
        func int(_ n: Int) -> JSONValue { .int(Int64(n)) }
        func instant(_ i: Instant?) -> JSONValue { i.map { .string($0.iso8601) } ?? .null }
        let stages = funnel.stages
        var funnelPairs: [(String, JSONValue)] = []
        for stage in stages {
            let ofPrevious = stage.parent.flatMap { $0 == 0 ? nil : Double(stage.leads) / Double($0) }
            let ofAudience = funnel.audience == 0 ? nil : Double(stage.leads) / Double(funnel.audience)
            funnelPairs.append(
                (
                    stage.name,
                    .object([
                        ("leads", int(stage.leads)), ("of_previous", AnswerTally.number(ofPrevious)), ("of_audience", AnswerTally.number(ofAudience)),
                    ])
                ))
        }
        let ended = outcomes.reduce(0) { $0 + $1.count }
        return .object([
            ("campaign", .string(campaign)),
            ("simulated", .bool(simulated)),
            ("since", instant(since)),
            ("until", instant(until)),
            ("now", instant(now)),
            ("calls", int(calls)),
            ("funnel", .object(funnelPairs)),
            (
                "outcomes",
                .object(
                    outcomes.map {
                        ($0.outcome, .object([("count", int($0.count)), ("share", AnswerTally.number(ended == 0 ? nil : Double($0.count) / Double(ended)))]))
                    })
            ),
            ("pending", .object(pending.map { ($0.status, int($0.count)) })),
            ("attempts_per_lead", .object(attemptsPerLead.map { (String($0.attempts), int($0.leads)) })),
            ("answer_rate_by_local_hour", .array(byLocalHour.enumerated().map { .object([("hour", int($0.offset))] + $0.element.pairs) })),
            (
                "answer_rate_by_weekday_hour",
                .object(
                    Self.weekdays.enumerated().map { day in
                        (day.element, .array(byWeekdayHour[day.offset].map(\.json)))
                    })
            ),
            ("tiers", .object(tiers.map { ($0.tier, $0.tally.json) })),
            ("numbers", .array(numbers.map(\.json))),
            ("states", .object(states.map { ($0.state, $0.tally.json) })),
            ("area_codes", .object(areaCodes.map { ($0.areaCode, $0.tally.json) })),
            ("days", .array(days.map(\.json))),
            (
                "cost",
                .object([
                    ("total_cents", .int(cost.totalCents)), ("priced_calls", int(cost.pricedCalls)),
                    ("per_call_cents", AnswerTally.number(cost.perCallCents)), ("per_answered_call_cents", AnswerTally.number(cost.perAnsweredCents)),
                ])
            ),
            ("durations", .object(durations.map { ($0.label, int($0.calls)) })),
            (
                "waiting",
                .object([
                    ("runs", .object(waiting.runs.map { ($0.reason, int($0.runs)) })),
                    ("stopped", .object(waiting.stopped.map { ($0.code, int($0.runs)) })),
                    ("next_wake", instant(waiting.nextWake)),
                    ("next_window_open", instant(waiting.nextWindowOpen)),
                    ("unknown_calls", int(waiting.unknownCalls)),
                    ("in_flight", int(waiting.inFlight)),
                    ("outbox", .array(waiting.outbox.map { .object([("kind", .string($0.kind)), ("status", .string($0.status)), ("rows", int($0.rows))]) })),
                ])
            ),
            (
                "compliance",
                .object([
                    ("calls_by_local_hour", .object(compliance.byZone.map { ($0.zone, .array($0.hours.map(int))) })),
                    ("outside_window", compliance.outsideWindow.map(int) ?? .null),
                    ("outside_window_calls", .array(compliance.outsideWindowCalls.map { .int($0) })),
                    ("dnc_entries", int(compliance.dncEntries)),
                    ("dnc_leads", int(compliance.dncLeads)),
                    ("opt_outs", int(compliance.optOuts)),
                ])
            ),
        ])
    }
}

extension AnswerTally {
    fileprivate var pairs: [(String, JSONValue)] {
        guard case .object(let pairs) = json else { return [] }
        return pairs
    }
}

extension CampaignReport.NumberLine {
    var json: JSONValue {
        .object(
            [("number", .string(number)), ("label", .optional(label)), ("enabled", .bool(enabled)), ("placed", .int(Int64(placed)))]
                + tally.pairs
                + [
                    ("spam_blocked", .int(Int64(spamBlocked))), ("resting_until", restingUntil.map { .string($0.iso8601) } ?? .null),
                    ("resting_reason", .optional(restingReason)), ("retire", .bool(retire)),
                ])
    }
}

extension CampaignReport.DayLine {
    var json: JSONValue {
        .object([
            ("day", .string(day)), ("calls", .int(Int64(calls))), ("answered", .int(Int64(answered))), ("positive", .int(Int64(positive))),
            ("neutral", .int(Int64(neutral))), ("negative", .int(Int64(negative))), ("judged", .int(Int64(judged))),
            ("successful", .int(Int64(successful))),
            ("success_rate", AnswerTally.number(judged == 0 ? nil : Double(successful) / Double(judged))),
        ])
    }
}
