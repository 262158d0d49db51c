extension RunSummary {
    /// `run --json`; `database` is the file the run wrote (a simulation's copy when `simulated`).
    public func json(wallMs: Int64, database: String? = nil, simulated: Bool = false) -> JSONValue {
        JSONObject([
            "calls": .int(Int64(callsPlaced)), "outcomes": .object(outcomes.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .int(Int64($0.value))) }),
            "post_call_runs": .int(Int64(postCallRuns)), "runs_finished": .int(Int64(runsFinished)),
            "runs_stopped": .object(runsStopped.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .int(Int64($0.value))) }),
            "waiting_for_numbers": .int(Int64(waitingForNumbers)), "waiting_for_connection": .int(Int64(waitingForConnection)),
            "waits": .object(waits.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key.rawValue, .int(Int64($0.value))) }),
            "pool_reloads": .int(Int64(poolReloads)),
            "runs_failed": .object(runsFailed.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) }),
            "recovered_unknown": .int(Int64(recoveredUnknown)), "unknown": .int(Int64(unknown)), "enrolled": .int(Int64(enrolled)),
            "audience": audience.map { .int(Int64($0)) } ?? .null, "waiting": .int(Int64(waiting)),
            "clock_start": .string(clockStart.iso8601), "clock_end": .string(clockEnd.iso8601), "wall_ms": .int(wallMs),
            "interrupted": .bool(interrupted), "requests": .int(Int64(requests)), "polls": .int(Int64(polls)),
            "throttled": .int(Int64(throttled)), "in_flight": .int(Int64(inFlight)), "not_sent": .int(Int64(notSent)),
            "database": .optional(database), "simulated": .bool(simulated),
            "start_not_used": startNotUsed.map { .string($0.iso8601) } ?? .null,
            "next_due": nextDue.map { .string($0.iso8601) } ?? .null, "pool_free_at": poolFreeAt.map { .string($0.iso8601) } ?? .null,
        ])
    }

    public func text(campaign: String, wallMs: Int64) -> String {
        var lines = ["\(campaign): \(callsPlaced) calls placed from \(clockStart.iso8601) to \(clockEnd.iso8601) (\(wallMs) ms)."]
        if let startNotUsed {
            lines.append(
                "--start \(startNotUsed.iso8601) was not used: this simulation had already reached \(clockStart.iso8601) and goes on from its own clock "
                    + "(the day's caps count what it did). To start again from --start, simulate from the campaign's database (a new copy).")
        }
        if let leaseTakenOver { lines.append("Took over the lease of a run that stopped without giving it back (\(leaseTakenOver)).") }
        if let audience { lines.append("The audience selected \(audience) leads.") }
        if enrolled > 0 { lines.append("Enrolled \(enrolled) workflow runs.") }
        if !outcomes.isEmpty {
            lines.append(
                "Outcomes: " + outcomes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
                    + ".")
        }
        lines.append("Post-call runs started: \(postCallRuns); runs finished: \(runsFinished); still waiting: \(waiting).")
        if waiting > 0, let nextDue {
            lines.append(
                "The next of them is due at \(nextDue.iso8601)."
                    + (poolFreeAt.map {
                        " No number of the pool can call before \($0.iso8601): each is at its daily cap, resting or cooling down (`outdial numbers list`)."
                    } ?? ""))
        }
        if !runsStopped.isEmpty {
            lines.append("Stopped: " + runsStopped.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") + ".")
        }
        if !waits.isEmpty {
            lines.append(
                "Waits at place_call: "
                    + waits.sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }.map { "\($0.key.rawValue) \($0.value)" }
                    .joined(separator: ", ") + " (`outdial runs list --reason REASON` shows who waits now).")
        }
        if poolReloads > 0 {
            lines.append(
                "The caller-ID pool changed \(poolReloads) time\(poolReloads == 1 ? "" : "s") during the run; the leads waiting for numbers were looked at again."
            )
        }
        if waitingForNumbers > 0 {
            let codes = areaCodesWanted.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(8).map { String($0.key) }
            lines.append(
                "\(waitingForNumbers) leads waiting: no caller ID can take them — import or enable numbers (most wanted area codes: \(codes.joined(separator: ", "))) and run again."
            )
        }
        if waitingForConnection > 0 {
            let off = disabledConnections.isEmpty ? "" : " (\(disabledConnections.map { "'\($0)'" }.joined(separator: ", ")))"
            lines.append(
                "\(waitingForConnection) leads waiting: their connection\(off) is disabled (enabled: false) — enable it in the campaign file and run again.")
        }
        if !runsFailed.isEmpty {
            lines.append(
                "Failed: " + runsFailed.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) (\($0.key))" }.joined(separator: ", ") + ".")
        }
        if outbox.total > 0 {
            lines.append(
                "Outbox: sent \(outbox.sent), failed \(outbox.failed), unknown \(outbox.unknown), handed to a person \(outbox.handedOff), "
                    + "to retry \(outbox.retrying), waiting for a messaging connection \(outbox.waiting) (`outdial outbox list`).")
        }
        if interrupted { lines.append("Interrupted: everything done so far is saved; run the same command again to resume.") }
        if requests > 0 {
            lines.append(
                "Requests: \(requests) create-call, \(polls) polls" + (throttled > 0 ? "; \(throttled) turned away for want of lines, sent again" : "") + ".")
        }
        if inFlight > 0 {
            lines.append("\(inFlight) calls still in flight: the next `outdial run` polls them to their end (`outdial calls list --status in_flight`).")
        }
        if notSent > 0 { lines.append("\(notSent) calls were due but not sent: the next `outdial run` sends them, if their window is open.") }
        if unknown > 0 {
            lines.append(
                "\(unknown) calls may have been placed but got no answer: marked unknown, not redialled (`outdial calls list --status unknown`).")
        }
        if recoveredUnknown > 0 { lines.append("\(recoveredUnknown) calls from an interrupted run were marked unknown and will not be redialled.") }
        return lines.joined(separator: "\n") + "\n"
    }
}
