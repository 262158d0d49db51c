/// A call from intent to outcome: the intent written, the request sent
/// outside any transaction, refusals retried, the outcome recorded through the
/// event recorder with its post-call runs.
extension CampaignRunner {

    /// Writes a call's intent and counts it; a connection that answers at once
    /// (the simulator) is asked now, so the line is held as long as the call lasts.
    func intend(_ choice: DialChoice, lead: LeadRecord, settings: Step.PlaceCall, runID: Int64) throws -> PendingDial {
        let from = gate.selector.numbers[choice.index]
        guard let connection = connections.resolve(campaign.callConnection(step: settings.connection, callerID: from.connection)) else {
            throw ConnectionError.none(campaign: campaign.name)
        }
        var intent = CallIntent(
            provider: connection.provider, connection: connection.name, agent: settings.agent, leadID: lead.id, campaign: campaign.name,
            workflowRunID: runID, attempt: choice.attempt, from: choice.from, to: lead.phone, dialAt: choice.dialAt, leadTimezone: choice.zones,
            tier: choice.tier)
        // What a real agent is given is kept with the call; the simulator needs only the first name.
        if connection.hasOutsideEffects { intent.variables = PendingDial.variables(lead: lead, step: settings.variables) }
        let id = try calls.insert(intent)
        gate.record(choice, leadID: lead.id)
        summary.callsPlaced += 1
        var dial = PendingDial(
            callID: id, intent: intent, lead: lead, connection: connection, localZone: choice.localZone, fromNumberID: from.providerNumberID)
        dial.live = !clock.isVirtual
        if !connection.hasOutsideEffects, let placement = connection.placeImmediately(dial.request) { dial.placement = placement }
        gate.pacer.occupy(until: dial.heldUntil)
        return dial
    }

    /// A call found `queued` at the start (its request never left), or in
    /// flight (`sending: false`, to be polled). A queued call of a disabled
    /// connection stays queued: it is sent once the connection is enabled.
    func resumed(_ record: CallRecord, sending: Bool = true) throws -> PendingDial? {
        if sending, connections.disabled.contains(record.intent.connection) { return nil }
        guard let lead = try leads.lead(record.intent.leadID), let connection = connections.resolve(record.intent.connection) else { return nil }
        var dial = PendingDial(
            callID: record.id, intent: record.intent, lead: lead, connection: connection,
            localZone: record.intent.leadTimezone.split(separator: " ").first.map(String.init), fromNumberID: providerNumberID(of: record.intent.from))
        dial.live = !clock.isVirtual
        if !connection.hasOutsideEffects, let placement = connection.placeImmediately(dial.request) { dial.placement = placement }
        gate.pacer.occupy(until: dial.heldUntil)
        return dial
    }

    /// Sends each committed intent (outside any transaction) and records what
    /// happened: outcomes, their events and post-call runs in one transaction.
    func send(_ dials: [PendingDial]) async throws {
        guard !dials.isEmpty else { return }
        // A live run sends each call at its dial time.
        if !clock.isVirtual { return live.schedule(dials) }
        var answered: [PendingDial] = []
        for var dial in dials {
            if dial.placement == nil {
                if dial.connection.hasOutsideEffects { try database.transaction { try calls.markDialing(dial.callID) } }
                dial.placement = await dial.connection.place(dial.request)
                try inject(.afterRequestSent)
            }
            answered.append(dial)
        }
        var followUps: [PendingDial] = []
        try write {
            try inject(.beforeOutcomeCommit)
            for dial in answered { try record(dial, dials: &followUps) }
        }
        try await send(followUps)
    }

    func sendRetries(at now: Int64) async throws {
        let due = retries.filter { $0.retryAt <= now }
        retries.removeAll { $0.retryAt <= now }
        try await send(
            due.map {
                var d = $0; d.placement = nil; return d
            })
    }

    /// What became of one request, written in the caller's transaction; calls
    /// that post-call runs place go to `dials`.
    func record(_ dial: PendingDial, dials: inout [PendingDial]) throws {
        let now = clock.now * 1000
        switch dial.placement! {
        case .accepted(let providerCallID, let events):
            if !clock.isVirtual {
                // Live: the outcome is polled for (or, from the simulator, comes at the call's end).
                try calls.markPlaced(dial.callID, providerCallID: providerCallID)
                // Its outcome may have come in already (`serve`, `ingest`) before its id was known here.
                if dial.connection.hasOutsideEffects,
                    let event = try recorder.link(
                        callID: dial.callID, provider: dial.connection.provider, providerCallID: providerCallID, leadID: dial.intent.leadID,
                        receivedAt: now)
                {
                    try recordOutcome(event, of: dial, receivedAt: now, dials: &dials)
                    gate.pacer.release(assumed: dial.heldUntil, end: clock.now)
                    return
                }
                live.fly(dial, providerCallID: providerCallID, known: events.first, at: clock.now)
                return
            }
            if events.isEmpty { try calls.markPlaced(dial.callID, providerCallID: providerCallID) }
            for event in events { try recordOutcome(event, of: dial, receivedAt: now, dials: &dials) }
        case .ambiguous(let reason):
            try calls.markUnknown(dial.callID, reason: "the request may have been placed (\(reason)); not redialled")
            summary.unknown += 1
            gate.pacer.release(assumed: dial.heldUntil, end: clock.now)
        case .throttled(let reason, let retryAfter): try sendAgainAfterThrottle(dial, reason: reason, retryAfter: retryAfter)
        case .rejected(let reason):
            try fail(dial, code: "request_rejected", reason: reason, error: "the provider refused the call: \(reason)", dials: &dials)
        case .unauthorized(let reason):
            try calls.requeue(dial.callID, reason: "the provider refused the key (\(reason)); sent again by a later run")
            live.unauthorized = live.unauthorized ?? ConnectionError.unauthorized(connection: dial.connection.name, reason: reason)
        case .refused(let reason):
            var again = dial
            again.refusals += 1
            guard again.refusals < Self.maximumRefusals else {
                return try fail(
                    dial, code: "request_refused", reason: reason, error: "the request could not be sent \(Self.maximumRefusals) times (\(reason))",
                    dials: &dials)
            }
            try calls.requeue(dial.callID, reason: "the request could not be sent (\(reason)); will be sent again")
            again.placement = nil
            again.retryAt = clock.now + 30 * Int64(again.refusals)
            if clock.isVirtual {
                retries.append(again)
            } else {
                again.sendAt = again.retryAt
                live.schedule([again])
            }
        }
    }

    /// A call that never became one: recorded `failed` with `code` (its post-call
    /// workflows start), why kept in `error_message`, its line given back.
    func fail(_ dial: PendingDial, code: String, reason: String, error: String, dials: inout [PendingDial]) throws {
        let now = clock.now * 1000
        let report = CallReport(status: .failed, outcome: .failed, disconnectionReason: code, endedAt: now)
        // The raw payload names what happened: {"rejected": …} or {"refused": …}.
        let raw = JSONValue.object([(code == "request_rejected" ? "rejected" : "refused", .string(reason))]).rendered
        try recordOutcome(CallEvent(call: .callID(dial.callID), report: report, raw: raw), of: dial, receivedAt: now, dials: &dials)
        try calls.setError(dial.callID, error)
        gate.pacer.release(assumed: dial.heldUntil, end: clock.now)
    }

    /// The provider had no line for the call (at create, or as its poll found
    /// it ended unstarted): nothing was placed, so it is queued again and sent
    /// after `retryAfter` (else a backoff), and its connection slows down.
    func sendAgainAfterThrottle(_ dial: PendingDial, reason: String, retryAfter: Int64?) throws {
        try calls.requeue(dial.callID, reason: "the provider had no line free (\(reason)); will be sent again")
        dial.connection.throttle(inFlight: live.inFlight(dial.connection.name), at: clock.now)
        summary.throttled += 1
        var again = dial
        again.placement = nil
        again.throttles += 1
        again.sendAt = clock.now + (retryAfter ?? LiveCalls.backoff(again.throttles))
        live.schedule([again])
    }

    /// Applies a call's outcome and advances the post-call runs it starts, with the lead and call in hand.
    func recordOutcome(_ event: CallEvent, of dial: PendingDial, receivedAt ms: Int64, dials: inout [PendingDial]) throws {
        guard let applied = try recorder.apply(event, intent: dial.intent, receivedAt: ms) else { return }
        summary.outcomes[applied.report.outcome, default: 0] += 1
        // Health reacts within the run: spam blocks and the answer rate, from the call's end.
        if let key = PhoneNumber(e164: dial.intent.from)?.key, let index = gate.selector.index(of: key) {
            gate.selector.recordOutcome(
                index, applied.report.outcome, endedAt: (applied.report.endedAt + 999) / 1000, health: campaign.numbers?.health ?? NumberStore.Health())
        }
        var subject: RunSubject? = RunSubject(lead: dial.lead, callID: dial.callID, intent: dial.intent, report: applied.report, status: applied.report.status)
        for number in applied.workflows {
            let run = QueuedRun(
                id: 0, workflow: Int32(number), leadID: dial.intent.leadID, eventID: applied.eventID, position: [0], context: ["call_id": dial.callID],
                wakeMs: applied.report.endedAt)
            // A post-call run that changed the lead leaves the next one the lead as it
            // is now. It runs at its call's end: the same time however late the event came.
            subject = try advance(run, at: run.wake, dials: &dials, subject: subject)
            summary.postCallRuns += 1
        }
    }
}
