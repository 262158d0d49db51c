/// A live run (`run` without `--simulate`, on the wall clock): each call is
/// sent at its dial time, the requests due together leave at once (outside
/// any transaction, after their `dialing` mark commits), and every call in
/// flight is polled at its connection's interval until its outcome is in,
/// which goes through the event recorder like any other.
extension CampaignRunner {
    /// Calls an earlier run left in flight: polled again from now.
    func resumeInFlight(at now: Int64) throws {
        for record in try calls.inFlight(campaign: campaign.name) {
            guard let providerCallID = record.providerCallID, let dial = try resumed(record, sending: false) else { continue }
            var known: CallEvent?
            if case .accepted(_, let events)? = dial.placement { known = events.first }
            live.fly(dial, providerCallID: providerCallID, known: known, at: now - dial.connection.pollInterval)
        }
    }

    /// Sends what is due, polls what is due, and stops the run if a provider refused a key.
    func serviceLive(at now: Int64) async throws {
        try watchPool(at: now)
        try await dispatchDue(at: now)
        try await pollDue(at: now)
        // The outbox (replies, SMS, notifications) goes out every few seconds while the run lasts.
        if let outbox, now - outboxSentAt >= Self.outboxInterval {
            summary.outbox = summary.outbox.adding(try await outbox.sendDue(at: now * 1000))
            outboxSentAt = now
        }
        summary.inFlight = live.flights.count
        if let refusal = live.unauthorized { throw refusal }
    }

    /// The numbers table in one line: it changes with every `numbers import`,
    /// `enable`, `disable` or `rest` (each sets `updated_at`), and the run never writes it.
    static let poolFingerprintSQL = "SELECT count(*) || ' ' || coalesce(max(updated_at), 0) || ' ' || total(id) FROM numbers"
    static let poolCheckInterval: Int64 = 5

    /// Every few seconds, whether the operator changed the pool; if so the
    /// pool is read again and the leads waiting for a caller ID wake now:
    /// those no number could take, and those waiting for one to free (a
    /// cap, a rest, a local number's turn), which a new number may serve sooner.
    func watchPool(at now: Int64) throws {
        guard now - poolCheckedAt >= Self.poolCheckInterval else { return }
        poolCheckedAt = now
        let seen = try database.text(Self.poolFingerprintSQL)
        guard seen != poolFingerprint else { return }
        poolFingerprint = seen
        try gate.reloadPool(at: now)
        summary.poolReloads += 1
        // Every run waiting for the operator is held here and is looked at again: each counts anew if it still waits.
        summary.waitingForNumbers = 0
        summary.areaCodesWanted = [:]
        for var run in heldForOperator {
            run.wakeMs = now * 1000
            wakes.push(run)
        }
        heldForOperator.removeAll()
        _ = wakes.wake(by: now * 1000, waitingFor: [.callerID, .localNumber])
    }

    /// Sends the scheduled calls whose time has come and whose connection has
    /// a line free. One that is late (sent again, or left by an earlier run)
    /// is first checked against its lead's window, which may have closed.
    func dispatchDue(at now: Int64) async throws {
        guard !StopSignal.isRequested, let first = live.scheduled.first, first.sendAt <= now else { return }
        // Calls in flight per connection, counting those this batch takes.
        var taken = live.inFlightCounts
        let gate = self.gate!
        var batch = live.takeDue { dial in
            guard dial.sendAt <= now else { return false }
            let name = dial.connection.name
            if let limit = dial.connection.inFlightLimit(at: now), taken[name, default: 0] >= limit { return false }
            if now > dial.intent.dialAt + 60 {
                switch gate.window(slot: gate.slot(for: DialLead(dial.lead)), at: now) {
                case .closed(let opens):
                    dial.sendAt = opens
                    return false
                case .neverOpens, .noTimezone:
                    dial.sendAt = now + 3600
                    return false
                case .open: break
                }
            }
            taken[name, default: 0] += 1
            return true
        }
        guard !batch.isEmpty else { return }
        let outside = batch.filter { $0.placement == nil && $0.connection.hasOutsideEffects }
        if !outside.isEmpty { try database.transaction { for dial in outside { try calls.markDialing(dial.callID) } } }
        try inject(.afterIntentCommit)
        let placements = await withTaskGroup(of: (Int, Placement).self) { group in
            for (index, dial) in batch.enumerated() where dial.placement == nil {
                let connection = dial.connection
                let request = dial.request
                group.addTask { (index, await connection.place(request)) }
            }
            var answers: [Int: Placement] = [:]
            for await (index, placement) in group { answers[index] = placement }
            return answers
        }
        summary.requests += placements.count
        for (index, placement) in placements { batch[index].placement = placement }
        if !placements.isEmpty { try inject(.afterRequestSent) }
        var followUps: [PendingDial] = []
        try write {
            try inject(.beforeOutcomeCommit)
            for dial in batch { try record(dial, dials: &followUps) }
        }
        live.schedule(followUps)
    }

    /// Polls the calls in flight that are due, and records the ones that ended.
    func pollDue(at now: Int64) async throws {
        var ended: [LiveCalls.Flight] = []
        // One batch per connection, the connections at once.
        var batches: [String: (connection: any Connection, polls: [(id: Int64, call: PolledCall)])] = [:]
        for id in live.due(by: now) {
            guard let flight = live.flights[id] else { continue }
            if flight.known != nil {
                ended.append(flight)
                continue
            }
            let call = PolledCall(providerCallID: flight.providerCallID, request: flight.dial.request, endedPolls: flight.endedPolls)
            batches[flight.dial.connection.name, default: (flight.dial.connection, [])].polls.append((id, call))
        }
        let polled = batches.values.reduce(0) { $0 + $1.polls.count }
        guard polled > 0 || !ended.isEmpty else { return }
        let results = await withTaskGroup(of: [(Int64, PollResult)].self) { group in
            for (connection, polls) in batches.values {
                group.addTask { Array(zip(polls.map(\.id), await connection.poll(all: polls.map(\.call)))) }
            }
            var answers: [(Int64, PollResult)] = []
            for await batch in group { answers += batch }
            return answers.sorted { $0.0 < $1.0 }
        }
        summary.polls += polled
        var followUps: [PendingDial] = []
        try write {
            for flight in ended {
                live.land(flight.dial.callID)
                try finish(flight, flight.known!, dials: &followUps)
            }
            for (id, result) in results {
                guard var flight = live.flights[id] else { continue }
                let interval = flight.dial.connection.pollInterval
                switch result {
                case .ended(let event):
                    live.land(id)
                    try finish(flight, event, dials: &followUps)
                    continue
                case .ongoing:
                    flight.failures = 0
                    flight.nextPoll = now + interval
                case .awaitingAnalysis:
                    flight.endedPolls += 1
                    flight.nextPoll = now + interval
                case .throttled(let reason):
                    // The provider took the request but never dialled: the call is sent again.
                    live.land(id)
                    try sendAgainAfterThrottle(flight.dial, reason: reason, retryAfter: nil)
                    continue
                case .failed(let reason):
                    flight.failures += 1
                    flight.lastError = reason
                    flight.nextPoll = now + min(300, interval << Int64(min(flight.failures, 6)))
                case .notFound(let reason):
                    flight.notFound += 1
                    flight.nextPoll = now + interval
                    if flight.notFound >= 3 {
                        live.land(id)
                        try calls.markUnknown(id, reason: "the provider does not know call \(flight.providerCallID) (\(reason)); not redialled")
                        summary.unknown += 1
                        gate.pacer.release(assumed: flight.dial.heldUntil, end: now)
                        continue
                    }
                case .unauthorized(let reason):
                    live.unauthorized = live.unauthorized ?? .unauthorized(connection: flight.dial.connection.name, reason: reason)
                    flight.nextPoll = now + interval
                }
                live.update(flight)
            }
        }
        live.schedule(followUps)
    }

    /// A call in flight ended: its outcome, its post-call runs, and its line back.
    private func finish(_ flight: LiveCalls.Flight, _ event: CallEvent, dials: inout [PendingDial]) throws {
        try recordOutcome(event, of: flight.dial, receivedAt: clock.now * 1000, dials: &dials)
        gate.pacer.release(assumed: flight.dial.heldUntil, end: min(flight.dial.heldUntil, max(clock.now, (event.report.endedAt + 999) / 1000)))
    }

    /// After the loop (`--until`, `--max-calls`, Ctrl-C): calls already
    /// committed are sent, unless the run was told to stop, and calls in
    /// flight are polled until they end, for at most `drainSeconds` (a second
    /// Ctrl-C ends the wait). What is left is counted: the next `run` picks it up.
    func finishLive(now: inout Int64) async throws {
        let deadline = now + options.drainSeconds
        while !live.isEmpty {
            if StopSignal.isRequested { summary.interrupted = true }
            if StopSignal.isInsisting { break }
            if !summary.interrupted { try await dispatchDue(at: now) }
            try await pollDue(at: now)
            if let refusal = live.unauthorized { throw refusal }
            guard now < deadline, let next = live.nextEvent(sending: !summary.interrupted) else { break }
            await clock.pause(until: min(max(next, now + 1), deadline))
            now = clock.now
        }
        summary.inFlight = live.flights.count
        summary.notSent = live.scheduled.count
    }

    /// Closes the connections' HTTP clients.
    func shutdownConnections() async {
        for connection in connections.byName.values { await connection.shutdown() }
        await outbox?.shutdown()
    }
}
