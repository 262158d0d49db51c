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
    let fault: (FaultPoint) throws -> Void
    var gate: DialGate!
    lazy var leads = LeadReader(database: database)
    var calls: CallStore { CallStore(database: database) }
    let runs: RunStore
    let recorder: EventRecorder
    var actions: ActionWriter { ActionWriter(database: database, campaign: campaign.name) }
    /// Workflow names by number: the campaign's in file order, then names found
    /// in rows the campaign no longer has (their runs fail, saying so).
    var workflowNames: [String]
    var workflowNumbers: [String: Int32] = [:]
    var wakes = WakeCache()
    var lines = LineQueue()
    /// The highest run id read or written: rows above it are new (enrolment's, another process's).
    var lastRunID: Int64 = 0
    /// Runs each lead was added to in this process: a guard against workflows
    /// that add each other forever without dialling.
    var added = LeadIndexed<Int32>(absent: 0)
    static let maximumAddedRuns: Int32 = 500
    /// Calls refused before reaching their provider, to send again.
    var retries: [PendingDial] = []
    /// Runs waiting for the operator to add or enable numbers (`WaitReason.pool`), in no order.
    var heldForOperator: [QueuedRun] = []
    /// Whether a connection of the campaign is switched off (checked at each call then).
    let anyConnectionDisabled: Bool
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
    var crashed = false

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

    func runLoop(progress: (RunSummary) -> Void) async throws -> RunSummary {
        // Time never runs backwards for a campaign: a resumed simulation starts
        // where the last call was placed, so the day's caps count what was done.
        // Without --start it goes on from its own clock, not from today.
        let lastQueued = try calls.lastQueuedAt(campaign: campaign.name)
        if let virtual = clock as? VirtualClock {
            let saved = try runs.state("clock").flatMap { Int64($0) }
            if let saved, !options.startGiven {
                virtual.resume(at: saved)
            } else if let last = saved ?? lastQueued.map({ $0 / 1000 }) {
                virtual.advance(to: last)
            }
        }
        var now = clock.now
        summary.clockStart = Instant(seconds: now)
        if options.startGiven, clock.isVirtual, now > options.start.seconds { summary.startNotUsed = options.start }
        let (lease, tookOver) = try RunLease.take(runs, campaign: campaign.name)
        defer { try? lease.release() }
        summary.leaseTakenOver = tookOver.map { "pid \($0.pid) on \($0.host), last seen \(Instant(seconds: $0.heartbeat).iso8601)" }
        var renewed = RunLease.now
        try StorePragmas.forRunner(database, simulation: options.simulate)
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
        // The gate learns the waiting runs' leads in one pass (a read each, in
        // wake-up order, costs a random page read a lead): a run that only has to wait then never reads its lead.
        try leads.dialLeads(wakes.leadIDs) { gate.learn($0) }
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
                // A live run given `--until` goes on until then with nothing of its own due:
                // runs that `serve` or `ingest` add meanwhile are its to advance.
                let liveUntil = clock.isVirtual ? nil : options.until?.seconds
                guard
                    let next = [wakes.firstWakeMs.map { ($0 + 999) / 1000 }, nextRetry, lineFrees, live.nextEvent, poolCheck].compactMap({ $0 }).min()
                        ?? liveUntil
                else {
                    break
                }
                if let until = options.until?.seconds, next > until, liveUntil == nil || now + clock.idleStep >= until {
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
        noteNextDue(at: now)
        return summary
    }

    /// When the first waiting run is due, and from when the pool can call
    /// again if no number of it can now.
    private func noteNextDue(at now: Int64) {
        guard let due = [wakes.firstWakeMs.map { ($0 + 999) / 1000 }, nextLine()].compactMap({ $0 }).min() else { return }
        summary.nextDue = Instant(seconds: max(due, now))
        if let pool = gate.selector.firstFree(at: now), pool > now { summary.poolFreeAt = Instant(seconds: pool) }
    }

    func inject(_ point: FaultPoint) throws {
        do { try fault(point) } catch {
            crashed = true
            throw error
        }
    }
}
