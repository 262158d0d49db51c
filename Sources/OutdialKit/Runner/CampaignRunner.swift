/// Runs a campaign (docs/campaign.md, docs/architecture.md): enrols each lead
/// once, advances the workflow runs whose wake-up has come through the
/// workflow interpreter, asks the dial gate at each `place_call`, hands each
/// call to its connection and records what comes back through the event
/// recorder. Everything a run must not forget is in the database, so `run`
/// can be stopped at any point and started again.
///
/// Dialling is at-most-once. A call's intent (`queued`) commits, with its run
/// moved past `place_call`, before any request leaves; a connection with
/// outside effects marks it `dialing` in a commit of its own just before
/// sending. After a stop, `queued` calls are sent (nothing had left) and
/// `dialing` ones become `unknown`, never requested again.
public final class CampaignRunner {
    /// A named point of a run where a test can make it fail, as a crash would.
    public enum FaultPoint: Sendable, Equatable {
        case afterIntentCommit, afterRequestSent, beforeOutcomeCommit
    }

    let database: Database
    let campaign: Campaign
    let options: RunOptions
    let plan: NumberingPlan
    let clock: any RunClock
    let connections: ConnectionSet
    private let fault: (FaultPoint) throws -> Void
    var gate: DialGate!
    private lazy var leads = LeadReader(database: database)
    var calls: CallStore { CallStore(database: database) }
    private let runs: RunStore
    private let recorder: EventRecorder
    private var actions: ActionWriter { ActionWriter(database: database, campaign: campaign.name) }
    /// Workflow names by number: the campaign's in file order, then names found
    /// in rows the campaign no longer has (their runs fail, saying so).
    private var workflowNames: [String]
    private var workflowNumbers: [String: Int32] = [:]
    var wakes = WakeCache()
    private var lines = LineQueue()
    /// The highest run id read or written: rows above it are new (enrolment's, another process's).
    private var lastRunID: Int64 = 0
    /// Runs each lead was added to in this process: a guard against workflows
    /// that add each other forever without dialling.
    private var added = LeadIndexed<Int32>(absent: 0)
    static let maximumAddedRuns: Int32 = 500
    /// Calls refused before reaching their provider, to send again.
    private var retries: [PendingDial] = []
    /// Runs waiting for the operator to add or enable numbers (`WaitReason.pool`), in no order.
    var heldForOperator: [QueuedRun] = []
    /// Whether a connection of the campaign is switched off (checked at each call then).
    private let anyConnectionDisabled: Bool
    static let maximumRefusals = 3
    /// A live run's calls between intent and request, by send time, and those in flight.
    var live = LiveCalls()
    /// Sends the outbox during a live run (nil: the outbox is left for `outdial outbox send`).
    public var outbox: OutboxSender?
    var outboxSentAt: Int64 = 0
    /// The pool as last read, and when a live run last looked (`watchPool`).
    var poolFingerprint: String?
    var poolCheckedAt: Int64 = 0
    static let outboxInterval: Int64 = 5
    var summary: RunSummary
    /// A test's fault was injected: the run ends as a crash would, writing nothing more.
    private var crashed = false

    public init(
        database: Database, campaign: Campaign, options: RunOptions, plan: NumberingPlan = .shared, connections: ConnectionSet? = nil,
        clock: (any RunClock)? = nil, fault: @escaping (FaultPoint) throws -> Void = { _ in }
    ) throws {
        self.database = database
        self.campaign = campaign
        self.options = options
        self.plan = plan
        // A simulation places every call through the simulator, whatever the campaign's connections are.
        self.connections = try connections ?? (options.simulate ? ConnectionSet.simulated(campaign) : ConnectionSet.forCampaign(campaign))
        self.clock = clock ?? (options.simulate ? VirtualClock(start: options.start) : WallClock())
        self.fault = fault
        runs = RunStore(database: database, campaign: campaign.name)
        recorder = try EventRecorder(database: database, campaign: campaign)
        workflowNames = campaign.workflowNames
        anyConnectionDisabled = campaign.hasDisabledConnection
        for (number, name) in workflowNames.enumerated() { workflowNumbers[name] = Int32(number) }
        summary = RunSummary(clockStart: options.start, clockEnd: options.start)
        summary.disabledConnections = self.connections.disabled.sorted()
    }

    /// How far ahead of the virtual clock a simulation batch reaches (seconds).
    static let simulationHorizon: Int64 = 600

    // MARK: - The loop

    /// Runs until nothing is due any more, `until` or `maxCalls`.
    public func run(progress: (RunSummary) -> Void = { _ in }) async throws -> RunSummary {
        do {
            let summary = try await runLoop(progress: progress)
            await shutdownConnections()
            return summary
        } catch {
            await shutdownConnections()
            throw error
        }
    }

    private func runLoop(progress: (RunSummary) -> Void) async throws -> RunSummary {
        // Time never runs backwards for a campaign: a resumed simulation starts
        // where the last call was placed, so the day's caps count what was done.
        let lastQueued = try calls.lastQueuedAt(campaign: campaign.name)
        if let virtual = clock as? VirtualClock, let last = try runs.state("clock").flatMap({ Int64($0) }) ?? lastQueued.map({ $0 / 1000 }) {
            virtual.advance(to: last)
        }
        var now = clock.now
        summary.clockStart = Instant(seconds: now)
        if options.startGiven, clock.isVirtual, now > options.start.seconds { summary.startNotUsed = options.start }
        let (lease, tookOver) = try RunLease.take(runs, campaign: campaign.name)
        defer { try? lease.release() }
        summary.leaseTakenOver = tookOver.map { "pid \($0.pid) on \($0.host), last seen \(Instant(seconds: $0.heartbeat).iso8601)" }
        var renewed = RunLease.now
        try StorePragmas.forRunner(database)
        defer { try? StorePragmas.restore(database) }
        try database.transaction {
            summary.recoveredUnknown = try calls.recover(campaign: campaign.name)
            try runs.reviveStoppedForNumbers(at: now * 1000)
            let enrolling = recorder.dispatcher.leadAdded.map { campaign.workflows[$0].name }
            let audience = try campaign.audience?.select(in: database)
            summary.audience = audience?.count
            summary.enrolled = try runs.enrol(workflows: enrolling, file: campaign.file, audience: audience, at: now * 1000)
        }
        gate = try DialGate(database: database, campaign: campaign, plan: plan, mode: .run, at: now)
        poolFingerprint = try database.text(Self.poolFingerprintSQL)
        gate.pacer.resume(
            saved: try runs.state("pacing"), lastDial: lastQueued.map { $0 / 1000 },
            ends: try calls.ends(campaign: campaign.name, after: now * 1000).map { ($0 + 999) / 1000 })
        if let low = try database.scalar("SELECT min(id) FROM leads"), let high = try database.scalar("SELECT max(id) FROM leads") { added.reserve(low...high) }
        try readNewRuns()
        defer { try? runs.saveWakes(wakes.unsaved) }
        if !clock.isVirtual { try resumeInFlight(at: now) }
        if let outbox {
            try outbox.recover()
            summary.outbox = try await outbox.sendDue(at: now * 1000)
            outboxSentAt = now
        }
        // Calls whose intent committed but whose request never left: send them now.
        try await send(try calls.queued(campaign: campaign.name).compactMap { try resumed($0) })

        while true {
            if StopSignal.isRequested {
                summary.interrupted = true
                break
            }
            if retries.contains(where: { $0.retryAt <= now }) { try await sendRetries(at: now) }
            if !clock.isVirtual {
                try await serviceLive(at: now)
                now = clock.now
            }
            if let until = options.until?.seconds, now >= until { break }
            if let max = options.maxCalls, summary.callsPlaced >= max { break }
            // In simulation, runs due within the next few virtual minutes are taken
            // together, each advanced at its own wake-up time: fewer, larger
            // transactions. Pacing, caps and windows are judged at each call's own dial time.
            let horizon = clock.isVirtual ? now + Self.simulationHorizon : now
            // Runs due at or after `until` are not this run's: taking them would stop the batch before
            // any work and leave the clock where it is, round after round.
            let due = wakes.due(by: min(horizon, (options.until?.seconds).map { $0 - 1 } ?? horizon) * 1000, limit: options.batchSize)
            // Past `until` a line is no reason to go on.
            let lineFrees = nextLine().flatMap { free in options.until.map { free < $0.seconds } ?? true ? free : nil }
            if due.isEmpty, lineFrees.map({ $0 > horizon }) ?? true {
                if !clock.isVirtual { try readNewRuns() }
                if RunLease.now - renewed >= 5 {
                    renewed = RunLease.now
                    try database.transaction { try lease.renew(at: renewed) }
                }
                let nextRetry = retries.map(\.retryAt).min()
                // A live run given `--until` with leads waiting for numbers watches the pool till then.
                let poolCheck = !clock.isVirtual && options.until != nil && !heldForOperator.isEmpty ? poolCheckedAt + Self.poolCheckInterval : nil
                guard let next = [wakes.firstWakeMs.map { ($0 + 999) / 1000 }, nextRetry, lineFrees, live.nextEvent, poolCheck].compactMap({ $0 }).min() else {
                    break
                }
                if let until = options.until?.seconds, next > until {
                    await clock.sleep(until: until)
                    now = until
                    break
                }
                // A live run looks for runs other processes add, sends what is due and
                // polls calls in flight once a second.
                if !clock.isVirtual { progress(summary) }
                await clock.sleep(until: clock.isVirtual ? max(now + 1, next) : max(now + 1, min(next, now + clock.idleStep)))
                now = clock.now
                continue
            }
            var dials: [PendingDial] = []
            var reached = now
            try write {
                var taken = 0
                for run in due {
                    if let max = options.maxCalls, summary.callsPlaced >= max { break }
                    if let until = options.until?.seconds, run.wake >= until { break }
                    // Lines that free before this run's wake-up go to the runs waiting for one.
                    reached = try takeParked(from: reached, before: max(now, run.wake), dials: &dials)
                    taken += 1
                    try advance(run, at: max(now, run.wake), dials: &dials)
                    reached = max(reached, run.wake)
                }
                // Runs the batch stopped before are still waiting.
                for run in due[taken...] { wakes.push(run) }
                if taken == due.count { reached = try takeParked(from: reached, before: horizon + 1, dials: &dials) }
                // Where the clock goes next, with the batch: a resumed run starts there.
                if clock.isVirtual { try runs.setState("clock", String(max(now, min(reached, horizon)))) }
                try runs.setState("pacing", gate.pacer.saved)
                if RunLease.now - renewed >= 5 {
                    renewed = RunLease.now
                    try lease.renew(at: renewed)
                }
            }
            if !dials.isEmpty { try inject(.afterIntentCommit) }
            try await send(dials)
            if let virtual = clock as? VirtualClock { virtual.advance(to: min(reached, horizon)) }
            now = clock.now
            summary.clockEnd = Instant(seconds: now)
            summary.waiting = wakes.count + lines.count
            progress(summary)
        }
        if !clock.isVirtual { try await finishLive(now: &now) }
        if let outbox { summary.outbox = summary.outbox.adding(try await outbox.sendDue(at: now * 1000)) }
        summary.clockEnd = Instant(seconds: now)
        summary.waiting = try runs.waitingCount()
        return summary
    }

    func inject(_ point: FaultPoint) throws {
        do { try fault(point) } catch {
            crashed = true
            throw error
        }
    }

    /// A transaction of the runner's: runs other processes added since the
    /// last look are read in first, so every row above `lastRunID` is one of ours.
    func write<T>(_ body: () throws -> T) throws -> T {
        try database.transaction {
            try readNewRuns()
            return try body()
        }
    }

    /// Queues the waiting runs of the campaign not seen yet.
    private func readNewRuns() throws {
        if lastRunID == 0 { wakes.reserve(try runs.waitingCount()) }
        try runs.waiting(after: lastRunID) { id, workflow, leadID, state, wakeMs, reason in
            var run = QueuedRun(id: id, workflow: workflowNumber(workflow), leadID: leadID, position: state.position, context: state.context, wakeMs: wakeMs)
            run.waitReason = reason
            wakes.push(run)
            lastRunID = max(lastRunID, id)
        }
        lastRunID = max(lastRunID, try runs.highestID())
    }

    // MARK: - Runs waiting for a line

    /// When a parked run can next be taken (see `LineQueue.next`).
    private func nextLine() -> Int64? {
        guard lines.count > 0, let free = capacity(from: clock.now) else { return nil }
        return lines.next(at: free, closedUntil: closedUntil(free))
    }

    /// Advances parked runs, oldest first, while a line frees before `bound`
    /// for a subject whose window is open then; returns the latest time reached.
    private func takeParked(from start: Int64, before bound: Int64, dials: inout [PendingDial]) throws -> Int64 {
        var reached = start
        for _ in 0..<options.batchSize where lines.count > 0 {
            if let max = options.maxCalls, summary.callsPlaced >= max { break }
            // When capacity frees and a parked subject's window is open then (maybe later, when one opens).
            guard let free = capacity(from: reached), let t = lines.next(at: free, closedUntil: closedUntil(free)), t < bound else { break }
            if let until = options.until?.seconds, t >= until { break }
            guard var run = lines.take(at: t, closedUntil: closedUntil(t)) else { break }
            run.wakeMs = t * 1000
            reached = t
            try advance(run, at: t, dials: &dials)
        }
        return reached
    }

    /// When both a line and some caller ID are free, from `t` on (nil: no number ever is).
    private func capacity(from t: Int64) -> Int64? {
        var free = gate.pacer.dialTime(t)
        for _ in 0..<64 {
            guard let pool = gate.selector.firstFree(at: free) else { return nil }
            if pool == free { return free }
            free = gate.pacer.dialTime(pool)
        }
        return free
    }

    /// When a subject's window, closed at `t`, opens; nil when it is open at
    /// `t` or never opens (its runs are taken, and the gate stops them).
    private func closedUntil(_ t: Int64) -> (Int32) -> Int64? {
        { [gate] slot in
            if case .closed(let opens) = gate!.window(slot: slot, at: t) { return opens }
            return nil
        }
    }

    /// The number of a workflow name (see `workflowNames`).
    private func workflowNumber(_ name: String) -> Int32 {
        if let number = workflowNumbers[name] { return number }
        let number = Int32(workflowNames.count)
        workflowNames.append(name)
        workflowNumbers[name] = number
        return number
    }

    // MARK: - Runs

    /// Advances one run through its steps until one blocks or the run ends. A
    /// run with id 0 is new (a post-call run started with its call's record,
    /// `subject` given): its row is written once, in the state it reaches.
    /// Returns the subject as the run left it (a later post-call run of the same call reads it).
    @discardableResult
    private func advance(_ run: QueuedRun, at clock: Int64, dials: inout [PendingDial], subject given: RunSubject? = nil) throws -> RunSubject? {
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
                    if env.loaded == nil, case .wait(let until, let reason, _)? = gate.waitWithoutLead(run.leadID, at: clock) {
                        try wait(run, state, until: until, reason, at: clock, rewindable: result.rewindable)
                        return nil
                    }
                    let lead = try env.subject().lead
                    switch gate.decide(DialLead(lead), number: settings.number, at: clock) {
                    case .dial(let choice)
                    where anyConnectionDisabled
                        && campaign.disabledConnection(step: settings.connection, callerID: gate.selector.numbers[choice.index].connection) != nil:
                        try wait(run, state, until: clock, .connectionDisabled, at: clock, rewindable: result.rewindable)
                    case .dial(let choice) where !self.clock.isVirtual && choice.dialAt > clock + 1:
                        // Live, a call is committed only when it can go now: one paced
                        // behind busy lines waits for a line (their calls may end sooner).
                        try wait(run, state, until: choice.dialAt, .lines, at: clock, rewindable: result.rewindable)
                    case .dial(let choice):
                        dials.append(try intend(choice, lead: lead, settings: settings, runID: run.id))
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

    /// Writes the CRM effects of a run's steps, in order.
    private func apply(_ effects: [Effect], leadID: Int64, at clock: Int64) throws {
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
    private func wait(_ run: QueuedRun, _ state: RunState, until: Int64, _ reason: WaitReason, at clock: Int64, rewindable: Bool) throws {
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
    private enum Hold {
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
    private func save(
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

    // MARK: - Calls

    /// Writes a call's intent and counts it; a connection that answers at once
    /// (the simulator) is asked now, so the line is held as long as the call lasts.
    private func intend(_ choice: DialChoice, lead: LeadRecord, settings: Step.PlaceCall, runID: Int64) throws -> PendingDial {
        let from = gate.selector.numbers[choice.index]
        guard let connection = connections.resolve(settings.connection, from.connection) else { throw ConnectionError.none(campaign: campaign.name) }
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

    private func sendRetries(at now: Int64) async throws {
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
    private func fail(_ dial: PendingDial, code: String, reason: String, error: String, dials: inout [PendingDial]) throws {
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

    // MARK: - What runs read

    func lead(_ id: Int64) throws -> LeadRecord? { try leads.lead(id) }
    func call(_ id: Int64) throws -> CallRecord? { try calls.record(id) }

    /// An inbound message's fields, as templates read them (`message.text` …).
    func message(_ id: Int64) throws -> [String: String] {
        try database.query("SELECT body, channel, from_addr, to_addr FROM messages WHERE id = ?", [.integer(id)]) {
            ["id": String(id), "text": $0.string(0) ?? "", "channel": $0.string(1) ?? "", "from": $0.string(2) ?? "", "to": $0.string(3) ?? ""]
        }.first ?? [:]
    }
    func window(for lead: LeadRecord, at t: Int64) -> WindowCheck { gate.window(slot: gate.slot(for: DialLead(lead)), at: t) }
    func window(forKnownLead id: Int64, at t: Int64) -> WindowCheck? { gate.knownSlot(id).map { gate.window(slot: $0, at: t) } }
    func writeTags(_ tags: [String], of leadID: Int64, at clock: Int64) throws { try actions.write(tags: tags, of: leadID, at: clock) }

    /// The provider's id of a caller ID of the pool.
    func providerNumberID(of e164: String) -> String? {
        guard let key = PhoneNumber(e164: e164)?.key, let index = gate.selector.index(of: key) else { return nil }
        return gate.selector.numbers[index].providerNumberID
    }
}
