import Foundation

/// A campaign now (`outdial status`): calls in flight, today's calls by
/// outcome, what is waiting and why, the next opening, who runs it, the last error.
public struct CampaignStatus: Sendable {
    public var campaign: String
    public var now: Instant
    public var simulated: Bool
    /// The runner that holds the campaign's lease, if one does.
    public var runner: Runner?
    /// Calls in flight by status (`queued`, `dialing`, `in_progress`).
    public var inFlight: [(status: String, calls: Int)] = []
    /// Calls queued since midnight UTC of `now`.
    public var placedToday = 0
    /// Today's calls that ended, by outcome.
    public var endedToday: [(outcome: String, calls: Int)] = []
    /// Every call of the campaign.
    public var callsTotal = 0
    public var waiting = CampaignReport.Waiting()
    public var lastError: LastError?

    public struct Runner: Sendable, Equatable {
        public var pid: Int32
        public var host: String
        public var since: Instant
        public var heartbeat: Instant
        /// The heartbeat is recent, or the process is there (on this host).
        public var alive: Bool
    }

    public struct LastError: Sendable, Equatable {
        public var at: Instant
        /// `call 12` or `workflow run 40`.
        public var subject: String
        public var message: String
    }

    public var json: JSONValue {
        func int(_ n: Int) -> JSONValue { .int(Int64(n)) }
        return .object([
            ("campaign", .string(campaign)),
            ("now", .string(now.iso8601)),
            ("simulated", .bool(simulated)),
            (
                "runner",
                runner.map {
                    .object([
                        ("pid", .int(Int64($0.pid))), ("host", .string($0.host)), ("since", .string($0.since.iso8601)),
                        ("heartbeat", .string($0.heartbeat.iso8601)), ("alive", .bool($0.alive)),
                    ])
                } ?? .null
            ),
            ("in_flight", .object(inFlight.map { ($0.status, int($0.calls)) })),
            ("placed_today", int(placedToday)),
            ("ended_today", .object(endedToday.map { ($0.outcome, int($0.calls)) })),
            ("calls", int(callsTotal)),
            ("waiting", .object(waiting.runs.map { ($0.reason, int($0.runs)) })),
            ("stopped", .object(waiting.stopped.map { ($0.code, int($0.runs)) })),
            ("next_window_open", waiting.nextWindowOpen.map { .string($0.iso8601) } ?? .null),
            ("next_wake", waiting.nextWake.map { .string($0.iso8601) } ?? .null),
            ("unknown_calls", int(waiting.unknownCalls)),
            (
                "last_error",
                lastError.map { .object([("at", .string($0.at.iso8601)), ("subject", .string($0.subject)), ("message", .string($0.message))]) }
                    ?? .null
            ),
        ])
    }

    public var text: String {
        var out = (simulated ? "SIMULATED — " : "") + "Campaign \(campaign), \(now.iso8601)\n"
        if let runner {
            out += "  runner: pid \(runner.pid) on \(runner.host), since \(runner.since.iso8601), last heartbeat \(runner.heartbeat.iso8601)"
            out += runner.alive ? "\n" : " (not renewed: the runner is gone; the next `outdial run` takes over)\n"
        } else {
            out += "  runner: none (no `outdial run` of this campaign is going)\n"
        }
        let flying = inFlight.reduce(0) { $0 + $1.calls }
        out += "  in flight: \(flying)" + (inFlight.isEmpty ? "" : " (" + inFlight.map { "\($0.status) \($0.calls)" }.joined(separator: ", ") + ")") + "\n"
        out += "  placed today (UTC): \(placedToday); all calls: \(callsTotal)\n"
        if !endedToday.isEmpty { out += "  ended today: " + endedToday.map { "\($0.outcome) \($0.calls)" }.joined(separator: ", ") + "\n" }
        if waiting.runs.isEmpty {
            out += "  waiting: none\n"
        } else {
            out += "  waiting: " + waiting.runs.map { "\($0.reason) \($0.runs)" }.joined(separator: ", ") + "\n"
        }
        if !waiting.stopped.isEmpty { out += "  stopped: " + waiting.stopped.map { "\($0.code) \($0.runs)" }.joined(separator: ", ") + "\n" }
        if let next = waiting.nextWindowOpen { out += "  calling window: " + (next == now ? "open now\n" : "opens \(next.iso8601)\n") }
        if let wake = waiting.nextWake { out += "  next run due: \(wake.iso8601)\n" }
        if waiting.unknownCalls > 0 {
            out += "  unknown calls to check: \(waiting.unknownCalls) (`outdial calls list --status unknown`)\n"
        }
        if let lastError { out += "  last error: \(lastError.at.iso8601), \(lastError.subject): \(lastError.message)\n" }
        return out
    }
}

extension ReportBuilder {
    /// The campaign's status at `now` (a simulation's virtual clock, else the wall clock, when nil).
    public func status(campaign name: String, file: Campaign? = nil, now: Instant? = nil) throws -> CampaignStatus {
        let providers = try database.query("SELECT DISTINCT provider FROM calls WHERE campaign_id = \(Schema.campaignID())", [.text(name)]) {
            $0.string(0) ?? ""
        }
        let simulated = providers == ["simulated"]
        let resumed = simulated ? try virtualClock(name) : nil
        let now = now ?? resumed ?? .now
        var status = CampaignStatus(campaign: name, now: now, simulated: simulated)
        if let text = try database.text(
            "SELECT value FROM campaign_state WHERE campaign_id = \(Schema.campaignID()) AND key = 'lease'", [.text(name)]),
            let held = RunLease.Holder(text)
        {
            let me = RunLease.Holder(pid: getpid(), host: RunLease.host, since: 0, heartbeat: 0)
            let alive = RunLease.now - held.heartbeat < RunLease.staleAfter || (held.host == me.host && !held.isGone(from: me))
            status.runner = CampaignStatus.Runner(
                pid: held.pid, host: held.host, since: Instant(seconds: held.since), heartbeat: Instant(seconds: held.heartbeat), alive: alive)
        }
        status.inFlight = try database.query(
            "SELECT status, count(*) FROM calls WHERE campaign_id = \(Schema.campaignID()) AND status IN ('queued', 'dialing', 'in_progress') GROUP BY 1 ORDER BY 1",
            [.text(name)]
        ) { ($0.string(0) ?? "", Int($0.int64(1))) }
        let midnight = Instant(seconds: WindowSchedule.floorDiv(now.seconds, 86_400) * 86_400).milliseconds
        status.placedToday = Int(
            try database.scalar(
                "SELECT count(*) FROM calls WHERE campaign_id = \(Schema.campaignID()) AND queued_at >= ?",
                [.text(name), .integer(midnight)]) ?? 0)
        status.endedToday = try database.query(
            "SELECT outcome, count(*) FROM calls WHERE campaign_id = \(Schema.campaignID()) AND queued_at >= ? AND outcome IS NOT NULL GROUP BY 1",
            [.text(name), .integer(midnight)]
        ) { ($0.string(0) ?? "", Int($0.int64(1))) }.sorted { ReportBuilder.outcomeOrder($0.0) < ReportBuilder.outcomeOrder($1.0) }
        status.callsTotal = Int(
            try database.scalar("SELECT count(*) FROM calls WHERE campaign_id = \(Schema.campaignID())", [.text(name)]) ?? 0)
        status.waiting = try waiting(campaign: name, file: file, now: now)

        // The most recent of a failed run's error and a call's error message.
        let run = try database.query(
            "SELECT updated_at, id, error FROM workflow_runs WHERE campaign_id = \(Schema.campaignID()) AND status = 'failed' AND error IS NOT NULL ORDER BY updated_at DESC LIMIT 1",
            [.text(name)]
        ) { CampaignStatus.LastError(at: Instant(milliseconds: $0.int64(0)), subject: "workflow run \($0.int64(1))", message: $0.string(2) ?? "") }.first
        let call = try database.query(
            """
            SELECT coalesce(ended_at, started_at, queued_at), call_id, error_message FROM calls
            WHERE campaign_id = \(Schema.campaignID()) AND error_message IS NOT NULL ORDER BY call_id DESC LIMIT 1
            """, [.text(name)]
        ) { CampaignStatus.LastError(at: Instant(milliseconds: $0.int64(0)), subject: "call \($0.int64(1))", message: $0.string(2) ?? "") }.first
        status.lastError = [run, call].compactMap { $0 }.max { $0.at < $1.at }
        return status
    }
}
