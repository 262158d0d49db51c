#if canImport(Glibc)
    import Glibc
#endif

/// Reads a campaign's results out of the database into a `CampaignReport`,
/// one pass over the campaign's calls and a few counts. Writes nothing.
public struct ReportBuilder {
    let database: Database
    let plan: NumberingPlan

    public init(database: Database, plan: NumberingPlan = .shared) {
        self.database = database
        self.plan = plan
    }

    /// A simulation's virtual clock as its last batch left it, if the campaign has one.
    func virtualClock(_ name: String) throws -> Instant? {
        try database.text("SELECT value FROM campaign_state WHERE campaign_id = \(Schema.campaignID()) AND key = 'clock'", [.text(name)])
            .flatMap(Int64.init).map {
                Instant(seconds: $0)
            }
    }

    /// The campaigns the database knows, by name.
    public func campaignNames() throws -> [String] {
        try database.query("SELECT name FROM campaigns ORDER BY 1") { $0.string(0) ?? "" }
    }

    static let callsSQL = """
        SELECT c.call_id, c.lead_id, c.attempt, c.status, c.outcome, c.queued_at, c.duration_ms, c.sentiment, c.call_successful,
               c.cost_cents, c.lead_timezone, c.selection_tier, c.from_number, c.to_number, c.provider, l.state, l.state_source, l.phone
        FROM calls c JOIN leads l ON l.id = c.lead_id
        WHERE c.campaign_id = \(Schema.campaignID("?1")) AND (?2 IS NULL OR c.queued_at >= ?2) AND (?3 IS NULL OR c.queued_at < ?3)
        ORDER BY c.queued_at, c.call_id
        """

    /// What a lead came to over the calls of the report.
    private struct LeadMarks {
        var attempts = 0
        var dialled = false
        var answered = false
        var positive = false
        var successful = false
    }

    /// The report of the campaign called `name`. With the campaign file, calls
    /// are checked against its calling window and the next opening is worked
    /// out; `now` defaults to a simulation's virtual clock, else the wall clock.
    public func build(campaign name: String, file: Campaign? = nil, since: Instant? = nil, until: Instant? = nil, now: Instant? = nil) throws
        -> CampaignReport
    {
        let resumed = try virtualClock(name)
        var report = CampaignReport(
            campaign: name, simulated: false, since: since, until: until, now: now ?? resumed ?? .now, hasCampaignFile: file != nil)
        let checker = try ReportWindow(file, plan: plan)

        var marks: [Int64: LeadMarks] = [:]
        var outcomeCounts: [String: Int] = [:]
        var pending: [String: Int] = [:]
        var tiers: [String: AnswerTally] = [:]
        var byNumber: [String: CampaignReport.NumberLine] = [:]
        var states: [String: AnswerTally] = [:]
        var areaCodes: [String: AnswerTally] = [:]
        var days: [Int64: CampaignReport.DayLine] = [:]
        var zoneHours: [String: [Int]] = [:]
        var durationBuckets = [Int](repeating: 0, count: Self.durationLabels.count)
        var clocks = ZoneClocks()
        var zoneLists: [String: [String]] = [:]
        var providers = Set<String>()

        let statement = try database.prepare(Self.callsSQL)
        defer { statement.reset() }
        try statement.bind([.text(name), .optional(since?.milliseconds), .optional(until?.milliseconds)])
        while try statement.step() {
            report.calls += 1
            let callID = statement.int64(0)
            let leadID = statement.int64(1)
            let status = statement.string(3) ?? ""
            let outcome = statement.string(4)
            let queuedSeconds = Instant(milliseconds: statement.int64(5)).seconds
            let answered = outcome == CallOutcome.answered.rawValue
            // Calls share few distinct zone lists: each is split once.
            let zoneText = statement.string(10) ?? ""
            let zones = zoneLists[zoneText] ?? zoneText.split(separator: " ").map(String.init)
            zoneLists[zoneText] = zones
            let from = statement.string(12) ?? ""
            providers.insert(statement.string(14) ?? "")

            var lead = marks[leadID] ?? LeadMarks()
            lead.attempts = max(lead.attempts, Int(statement.int64(2)))
            if status != CallStatus.queued.rawValue { lead.dialled = true }
            if answered { lead.answered = true }
            let sentiment = statement.string(7)
            if sentiment == Sentiment.positive.rawValue { lead.positive = true }
            let successful = statement.isNull(8) ? nil : statement.int64(8) != 0
            if successful == true { lead.successful = true }
            marks[leadID] = lead

            var line = byNumber[from] ?? CampaignReport.NumberLine(number: from, label: nil, enabled: true)
            line.placed += 1
            if outcome == CallOutcome.spamBlocked.rawValue { line.spamBlocked += 1 }

            // Figures of calls that came to an outcome.
            if let outcome {
                outcomeCounts[outcome, default: 0] += 1
                line.tally.add(answered: answered)
                tiers[statement.string(11) ?? "none", default: AnswerTally()].add(answered: answered)
                states[statement.string(15) ?? "unknown", default: AnswerTally()].add(answered: answered)
                let area = PhoneNumber(e164: statement.string(13) ?? "")?.areaCode.map(String.init) ?? "other"
                areaCodes[area, default: AnswerTally()].add(answered: answered)
                if let clock = zones.first.flatMap({ clocks.clock($0) }) {
                    let (day, hour) = clock.localDayAndHour(at: queuedSeconds)
                    report.byLocalHour[hour].add(answered: answered)
                    // The report's weeks start on Monday (CivilDate counts from Sunday).
                    report.byWeekdayHour[(CivilDate.weekday(day) + 6) % 7][hour].add(answered: answered)
                }
                let utcDay = WindowSchedule.floorDiv(queuedSeconds, 86_400)
                var dayLine = days[utcDay] ?? CampaignReport.DayLine(day: String(Instant(seconds: utcDay * 86_400).iso8601.prefix(10)))
                dayLine.calls += 1
                if answered { dayLine.answered += 1 }
                switch sentiment {
                case Sentiment.positive.rawValue: dayLine.positive += 1
                case Sentiment.neutral.rawValue: dayLine.neutral += 1
                case Sentiment.negative.rawValue: dayLine.negative += 1
                default: break
                }
                if let successful {
                    dayLine.judged += 1
                    if successful { dayLine.successful += 1 }
                }
                days[utcDay] = dayLine
                if answered {
                    report.cost.answeredCalls += 1
                    if !statement.isNull(6) { durationBuckets[Self.durationBucket(milliseconds: statement.int64(6))] += 1 }
                }
            } else {
                pending[status, default: 0] += 1
            }
            byNumber[from] = line
            if !statement.isNull(9) {
                report.cost.totalCents += statement.int64(9)
                report.cost.pricedCalls += 1
            }

            // The compliance record: every call that left, in every zone it was gated on.
            guard status != CallStatus.queued.rawValue else { continue }
            for zone in zones {
                guard let clock = clocks.clock(zone) else { continue }
                zoneHours[zone, default: [Int](repeating: 0, count: 24)][clock.localDayAndHour(at: queuedSeconds).hour] += 1
            }
            let dialled = DialLead(
                id: leadID, phone: statement.string(17) ?? "", zones: zones, state: statement.string(15), stateSource: statement.string(16), dnc: false)
            if checker.isClosed(dialled, at: queuedSeconds) {
                report.compliance.outsideWindow = (report.compliance.outsideWindow ?? 0) + 1
                if report.compliance.outsideWindowCalls.count < 20 { report.compliance.outsideWindowCalls.append(callID) }
            }
        }
        if checker.gate != nil, report.compliance.outsideWindow == nil { report.compliance.outsideWindow = 0 }
        report.simulated = !providers.isEmpty && providers == ["simulated"]

        report.outcomes = CallOutcome.allCases.map(\.rawValue).sorted { Self.outcomeOrder($0) < Self.outcomeOrder($1) }.compactMap { outcome in
            outcomeCounts[outcome].map { (outcome, $0) }
        }
        report.pending = pending.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var attempts: [Int: Int] = [:]
        for lead in marks.values {
            attempts[lead.attempts, default: 0] += 1
            if lead.dialled { report.funnel.dialled += 1 }
            if lead.answered { report.funnel.answered += 1 }
            if lead.positive { report.funnel.positive += 1 }
            if lead.successful { report.funnel.successful += 1 }
        }
        report.attemptsPerLead = attempts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let tierOrder = NumberSelector.Tier.allCases.map(\.rawValue)
        report.tiers = tiers.sorted { (tierOrder.firstIndex(of: $0.key) ?? 99, $0.key) < (tierOrder.firstIndex(of: $1.key) ?? 99, $1.key) }
            .map { ($0.key, $0.value) }
        report.states = byCalls(states)
        report.areaCodes = byCalls(areaCodes)
        report.days = days.sorted { $0.key < $1.key }.map(\.value)
        report.durations = zip(Self.durationLabels, durationBuckets).map { ($0, $1) }
        report.compliance.byZone = zoneHours.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }

        try readNumbers(into: &report, placed: byNumber)
        try readFunnelCounts(into: &report, name: name, audience: file?.audience, since: since, until: until)
        report.waiting = try waiting(campaign: name, file: file, now: report.now, checker: checker)
        return report
    }

    /// Most calls first, then by name.
    private func byCalls(_ tallies: [String: AnswerTally]) -> [(String, AnswerTally)] {
        tallies.sorted { ($1.value.calls, $0.key) < ($0.value.calls, $1.key) }.map { ($0.key, $0.value) }
    }

    /// Every number of the pool, and any number calls came from that the pool no longer holds.
    private func readNumbers(into report: inout CampaignReport, placed: [String: CampaignReport.NumberLine]) throws {
        var lines = placed
        let rows = try database.query("SELECT number, label, enabled, resting_until, resting_reason FROM numbers ORDER BY number") {
            ($0.string(0) ?? "", $0.string(1), $0.int64(2) != 0, $0.optionalInt64(3), $0.string(4))
        }
        for (number, label, enabled, resting, reason) in rows {
            var line = lines[number] ?? CampaignReport.NumberLine(number: number, label: nil, enabled: enabled)
            line.label = label
            line.enabled = enabled
            if let resting, resting > report.now.milliseconds {
                line.restingUntil = Instant(milliseconds: resting)
                line.restingReason = reason ?? "resting"
            }
            lines[number] = line
        }
        report.numbers = lines.values.sorted { ($1.placed, $0.number) < ($0.placed, $1.number) }
    }

    private func readFunnelCounts(into report: inout CampaignReport, name: String, audience: Audience?, since: Instant?, until: Instant?) throws {
        if let audience {
            // The campaign's audience, without its leads on the do-not-call list.
            let dnc = Set(try database.query("SELECT id FROM leads WHERE dnc = 1") { $0.int64(0) })
            report.funnel.audience = try audience.select(in: database).filter { !dnc.contains($0) }.count
        } else {
            report.funnel.audience = Int(try database.scalar("SELECT count(*) FROM leads WHERE dnc = 0") ?? 0)
        }
        report.funnel.enrolled = Int(
            try database.scalar(
                "SELECT count(DISTINCT lead_id) FROM workflow_runs WHERE campaign_id = \(Schema.campaignID("?1")) AND (?2 IS NULL OR created_at >= ?2) AND (?3 IS NULL OR created_at < ?3)",
                [.text(name), .optional(since?.milliseconds), .optional(until?.milliseconds)]) ?? 0)
        report.compliance.dncEntries = Int(try database.scalar("SELECT count(*) FROM dnc") ?? 0)
        report.compliance.dncLeads = Int(try database.scalar("SELECT count(*) FROM leads WHERE dnc = 1") ?? 0)
        report.compliance.optOuts = Int(try database.scalar("SELECT count(*) FROM dnc WHERE source LIKE 'opt-out%'") ?? 0)
    }

    /// What the campaign still has to do at `now`: waiting runs by step, stopped
    /// runs by code, calls in flight and unknown, the outbox not yet sent, and
    /// (with the campaign file) when the calling window next opens for a waiting lead.
    public func waiting(campaign name: String, file: Campaign?, now: Instant) throws -> CampaignReport.Waiting {
        try waiting(campaign: name, file: file, now: now, checker: try ReportWindow(file, plan: plan))
    }

    private func waiting(campaign name: String, file: Campaign?, now instant: Instant, checker: ReportWindow) throws -> CampaignReport.Waiting {
        var waiting = CampaignReport.Waiting()
        let workflows = Dictionary((file?.workflows ?? []).map { ($0.name, $0.steps) }, uniquingKeysWith: { a, _ in a })
        var reasons: [String: Int] = [:]
        let rows = try database.query(
            "SELECT workflow, position, wake_at FROM workflow_runs WHERE campaign_id = \(Schema.campaignID()) AND status = 'waiting'",
            [.text(name)]
        ) { ($0.string(0) ?? "", $0.string(1) ?? "[0]", $0.optionalInt64(2)) }
        for (workflow, position, wake) in rows {
            let step = workflows[workflow].flatMap { Step.at(RunState.path(position), in: $0) }
            reasons["\(workflow): " + (step?.name ?? "step \(position)"), default: 0] += 1
            if let wake { waiting.nextWake = min(waiting.nextWake ?? Instant(milliseconds: wake), Instant(milliseconds: wake)) }
        }
        waiting.runs = reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
        let stopped = try database.query(
            "SELECT coalesce(error, 'stopped'), count(*) FROM workflow_runs WHERE campaign_id = \(Schema.campaignID()) AND status IN ('stopped', 'failed') GROUP BY 1",
            [.text(name)]
        ) { ($0.string(0) ?? "", Int($0.int64(1))) }
        var codes: [String: Int] = [:]
        for (error, count) in stopped { codes[String(error.prefix { $0 != ":" }), default: 0] += count }
        waiting.stopped = codes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
        waiting.unknownCalls = Int(
            try database.scalar(
                "SELECT count(*) FROM calls WHERE campaign_id = \(Schema.campaignID()) AND status = 'unknown'", [.text(name)]) ?? 0)
        waiting.inFlight = Int(
            try database.scalar(
                "SELECT count(*) FROM calls WHERE campaign_id = \(Schema.campaignID()) AND status IN ('queued', 'dialing', 'in_progress')",
                [.text(name)]) ?? 0)
        waiting.outbox = try database.query(
            "SELECT kind, status, count(*) FROM outbox WHERE status <> 'sent' GROUP BY 1, 2 ORDER BY 1, 2"
        ) { ($0.string(0) ?? "", $0.string(1) ?? "", Int($0.int64(2))) }

        // The next opening: the earliest over the waiting leads, now when one's window is open.
        guard checker.gate != nil, !rows.isEmpty else { return waiting }
        let zoneSets = try ZoneSetStore.zones(database)
        let leads = try database.query(
            """
            SELECT id, phone, zone_set_id, state, state_source FROM leads
            WHERE id IN (SELECT lead_id FROM workflow_runs WHERE campaign_id = \(Schema.campaignID()) AND status = 'waiting') ORDER BY id
            """, [.text(name)]
        ) {
            DialLead(
                id: $0.int64(0), phone: $0.string(1) ?? "", zones: $0.isNull(2) ? [] : zoneSets[$0.int64(2)] ?? [], state: $0.string(3),
                stateSource: $0.string(4), dnc: false)
        }
        let now = instant.seconds
        for lead in leads {
            guard let answer = checker.answer(lead, at: now) else { continue }
            let opens = answer.open ? now : answer.nextOpen
            if let opens, opens < (waiting.nextWindowOpen?.seconds ?? .max) { waiting.nextWindowOpen = Instant(seconds: opens) }
            if answer.open { break }
        }
        return waiting
    }

    static let durationLabels = ["< 15 s", "15–30 s", "30–60 s", "1–2 min", "2–5 min", "5–10 min", "≥ 10 min"]

    static func durationBucket(milliseconds: Int64) -> Int {
        let seconds = milliseconds / 1000
        switch seconds {
        case ..<15: return 0
        case ..<30: return 1
        case ..<60: return 2
        case ..<120: return 3
        case ..<300: return 4
        case ..<600: return 5
        default: return 6
        }
    }

    /// Answered first, then the outcomes in the order an operator reads them.
    static func outcomeOrder(_ outcome: String) -> Int {
        ["answered", "voicemail", "no_answer", "busy", "declined", "failed", "invalid_number", "spam_blocked"].firstIndex(of: outcome) ?? 99
    }
}

/// The campaign's calling window for a lead at an instant, as the dial gate
/// reads it. Leads share few distinct subjects (zones, states), so each
/// subject's rules are worked out once, not once a call.
final class ReportWindow {
    let gate: WindowGate?
    let defaultZone: String?
    let plan: NumberingPlan
    private var rules: [WindowSubject: [WindowRule]] = [:]

    init(_ campaign: Campaign?, plan: NumberingPlan) throws {
        gate = try campaign.map { WindowGate(policy: try $0.windowPolicy()) }
        defaultZone = campaign?.defaults.timezone
        self.plan = plan
    }

    func answer(_ lead: DialLead, at seconds: Int64) -> WindowAnswer? {
        guard let gate else { return nil }
        let subject = WindowSubject(lead: lead, defaultZone: defaultZone, plan: plan)
        let subjectRules = rules[subject] ?? gate.policy.rules(for: subject)
        rules[subject] = subjectRules
        return gate.answer(zones: subject.zones, rules: subjectRules, at: Instant(seconds: seconds))
    }

    /// True when the window was closed in one of the lead's zones (false without the campaign file).
    func isClosed(_ lead: DialLead, at seconds: Int64) -> Bool {
        guard let answer = answer(lead, at: seconds) else { return false }
        return !answer.open
    }
}

/// A campaign a command named that the database has never run.
public struct UnknownCampaignError: CommandError, Equatable {
    public var name: String
    public var known: [String]
    public var exitCode: ExitCode { .failure }
    public var description: String {
        var text = "the database has no campaign '\(name)'"
        text += known.isEmpty ? " (it has run none yet)" : " (it holds \(known.joined(separator: ", ")))"
        if let close = Suggestion.closest(to: name, in: known) { text += "; did you mean '\(close)'?" }
        return text
    }
}

extension ReportBuilder {
    /// The campaign an argument names: a campaign file (loaded), else a name the database knows.
    public func campaign(_ argument: String) throws -> (name: String, file: Campaign?) {
        var info = stat()
        if stat(argument, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            let campaign = try Campaign.load(path: argument)
            return (campaign.name, campaign)
        }
        let names = try campaignNames()
        guard names.contains(argument) else {
            // A path that is not there reads as a missing file, not an unknown name.
            if argument.hasSuffix(".yml") || argument.hasSuffix(".yaml") || argument.contains("/") { _ = try Campaign.load(path: argument) }
            throw UnknownCampaignError(name: argument, known: names)
        }
        return (argument, nil)
    }
}
