/// Advancing a workflow run through the interpreter, and where a waiting run
/// waits: its row, the in-memory wake-up queue, a line queue, or held for the operator.
extension CampaignRunner {

    /// Advances one run through its steps until one blocks or the run ends. A
    /// run with id 0 is new (a post-call run started with its call's record,
    /// `subject` given): its row is written once, in the state it reaches.
    /// Returns the subject as the run left it (a later post-call run of the same call reads it).
    @discardableResult
    func advance(_ run: QueuedRun, at clock: Int64, dials: inout [PendingDial], subject given: RunSubject? = nil) throws -> RunSubject? {
        var state = RunState(position: run.position, context: run.context)
        guard Int(run.workflow) < campaign.workflows.count else {
            try save(run, .failed, state, error: "the campaign has no workflow '\(workflowNames[Int(run.workflow)])' any more", at: clock)
            return given
        }
        let workflow = campaign.workflows[Int(run.workflow)]
        var env = RunEnvironment(runner: self, leadID: run.leadID, callID: run.context["call_id"], clock: clock, subject: given)
        env.messageID = run.context["message_id"]
        var steps = 0
        do {
            while true {
                let result = try WorkflowInterpreter.advance(workflow, from: state, isNew: run.id == 0, environment: &env, steps: &steps)
                state = result.state
                try apply(result.effects, leadID: run.leadID, at: clock)
                switch result.next {
                case .resume:
                    try env.writeTags(at: clock)
                    try env.reloadLead()
                    continue
                case .dial:
                    guard case .placeCall(let settings) = Step.at(state.position, in: workflow.steps) else { return env.loaded }
                    let (decision, lead) = try decide(&env, number: settings.number, at: clock)
                    switch decision {
                    case .dial(let choice)
                    where anyConnectionDisabled
                        && campaign.disabledConnection(step: settings.connection, callerID: gate.selector.numbers[choice.index].connection) != nil:
                        try wait(run, state, until: clock, .connectionDisabled, at: clock, rewindable: result.rewindable)
                    case .dial(let choice) where !self.clock.isVirtual && choice.dialAt > clock + 1:
                        // Live, a call is committed only when it can go now: one paced
                        // behind busy lines waits for a line (their calls may end sooner).
                        try wait(run, state, until: choice.dialAt, .lines, at: clock, rewindable: result.rewindable)
                    case .dial(let choice):
                        dials.append(try intend(choice, lead: lead!, settings: settings, runID: run.id))
                        state.next()
                        continue
                    case .wait(let until, let reason, _):
                        try wait(run, state, until: until, reason, at: clock, rewindable: result.rewindable)
                    case .stop(let code, let reason):
                        summary.runsStopped[code, default: 0] += 1
                        try save(run, .stopped, state, error: "\(code.rawValue): \(reason)", at: clock)
                    }
                case .wait(let until): try save(run, .waiting, state, wake: until, at: clock, rewindable: result.rewindable)
                case .done:
                    summary.runsFinished += 1
                    try save(run, .done, state, at: clock)
                case .stopped(let code, let reason):
                    summary.runsStopped[code, default: 0] += 1
                    try save(run, .stopped, state, error: "\(code.rawValue): \(reason)", at: clock)
                case .failed(let reason): try save(run, .failed, state, error: reason, at: clock)
                }
                break
            }
        } catch RunEnvironment.Missing.lead {
            try save(run, .failed, state, error: "lead \(run.leadID) is gone", at: clock)
            return nil
        }
        try env.writeTags(at: clock)
        return env.loaded
    }

    /// The gate's decision for the run's lead at its `place_call`. A lead the
    /// gate has seen is decided from what it kept, and read only for a call
    /// (decided again from its row if it changed meanwhile): a run that only
    /// has to wait, or stops, never reads its lead. The lead is returned with a dial.
    func decide(_ env: inout RunEnvironment, number: String?, at clock: Int64) throws -> (DialDecision, LeadRecord?) {
        if env.loaded == nil, let known = gate.decideKnown(env.leadID, number: number, at: clock) {
            guard case .dial = known else { return (known, nil) }
            let lead = try env.subject().lead
            if gate.stillAsDecided(DialLead(lead)) { return (known, lead) }
            // Changed meanwhile (another process wrote the row): decided again below. A pacing
            // slot the first decision held past busy numbers stays held; that only delays this call.
        }
        // Read once: a lead read above is the subject's now.
        let lead = try env.subject().lead
        return (gate.decide(DialLead(lead), number: number, at: clock), lead)
    }

    /// Writes the CRM effects of a run's steps, in order.
    func apply(_ effects: [Effect], leadID: Int64, at clock: Int64) throws {
        for effect in effects {
            switch effect {
            case .action(let step, let subject): try actions.perform(step, subject: subject, callID: subject.callID, at: clock, dnc: gate.dnc)
            case .addToWorkflow(let name, let delay):
                // The step and the run it starts commit together, so a replay cannot add it twice.
                added[leadID] += 1
                guard added[leadID] <= Self.maximumAddedRuns else {
                    summary.runsStopped[.workflowLoop, default: 0] += 1
                    continue
                }
                let (wake, overflow) = clock.addingReportingOverflow(delay)
                let run = QueuedRun(id: 0, workflow: workflowNumber(name), leadID: leadID, position: [0], context: [:], wakeMs: 0)
                try save(run, .waiting, RunState(position: [0], context: [:]), wake: overflow ? Int64.max / 1000 : wake, at: clock)
            }
        }
    }

    /// A run the gate told to wait at its `place_call`: one waiting for a line
    /// is parked (its row, if written, says to look again at once).
    func wait(_ run: QueuedRun, _ state: RunState, until: Int64, _ reason: WaitReason, at clock: Int64, rewindable: Bool) throws {
        summary.waits[reason, default: 0] += 1
        if reason == .pool {
            // Nothing in this run can free a number for it: its row waits (due now) for the next run.
            summary.waitingForNumbers += 1
            if let area = gate.areaCode(of: run.leadID) { summary.areaCodesWanted[area, default: 0] += 1 }
            return try save(run, .waiting, state, wake: clock, at: clock, rewindable: rewindable, hold: .forOperator, reason: reason)
        }
        if reason == .connectionDisabled {
            // Only the campaign file can enable it: the next run looks again.
            summary.waitingForConnection += 1
            return try save(run, .waiting, state, wake: clock, at: clock, rewindable: rewindable, hold: .forOperator, reason: reason)
        }
        guard reason == .lines, let slot = gate.knownSlot(run.leadID) else {
            return try save(run, .waiting, state, wake: until, at: clock, rewindable: rewindable, reason: reason)
        }
        try save(run, .waiting, state, wake: clock, at: clock, rewindable: rewindable, hold: .forLine(slot), reason: reason)
    }

    /// Where a waiting run waits in this process.
    enum Hold {
        /// In wake-up order (`wakes`).
        case byWakeUp
        /// Parked in its window subject's line queue until capacity frees.
        case forLine(Int32)
        /// For the operator: nothing the run does can help it; a change to the
        /// pool (seen by a live run, or at the next `run`'s start) wakes it.
        case forOperator
    }

    /// Writes the run's new state, or keeps it in memory when only its wake-up
    /// moved; a waiting run is then held as `hold` says.
    /// `reason`: why a run waits at its `place_call`, written in `error` (a
    /// waiting run's row has no other use for it) for `runs list --reason`.
    func save(
        _ run: QueuedRun, _ status: RunStatus, _ state: RunState, wake: Int64? = nil, error: String? = nil, at clock: Int64, rewindable: Bool = false,
        hold: Hold = .byWakeUp, reason: WaitReason? = nil
    )
        throws
    {
        let wakeMs = wake.map { $0.multipliedReportingOverflow(by: 1000).overflow ? Int64.max : $0 * 1000 }
        if status == .failed { summary.runsFailed[error ?? "no reason given", default: 0] += 1 }
        if status == .waiting, wakes.canKeep(run, state: state, rewindable: rewindable) {
            switch hold {
            case .forLine(let slot): return lines.park(run, slot: slot)
            case .forOperator:
                if run.waitReason == reason {
                    var held = run
                    held.wakeMs = wakeMs ?? run.wakeMs
                    return heldForOperator.append(held)
                }
            case .byWakeUp: if let wakeMs, wakes.keep(run, state: state, wakeMs: wakeMs, rewindable: rewindable, reason: reason) { return }
            }
        }
        let error = error ?? reason?.rawValue
        var id = run.id
        if id == 0 {
            id = try runs.insert(
                workflow: workflowNames[Int(run.workflow)], leadID: run.leadID, eventID: run.eventID == 0 ? nil : run.eventID, status: status, state: state,
                wakeMs: wakeMs, error: error, at: clock * 1000)
            lastRunID = max(lastRunID, id)
        } else {
            try runs.update(id, status: status, state: state, wakeMs: wakeMs, error: error, at: clock * 1000)
        }
        if status == .waiting, let wakeMs {
            var queued = QueuedRun(id: id, workflow: run.workflow, leadID: run.leadID, position: state.position, context: state.context, wakeMs: wakeMs)
            queued.waitReason = reason
            switch hold {
            case .byWakeUp: wakes.push(queued)
            case .forLine(let slot): lines.park(queued, slot: slot)
            case .forOperator: heldForOperator.append(queued)
            }
        }
    }
}
