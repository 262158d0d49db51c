import Foundation

/// Runs a campaign (SPEC §6): enrols each lead once, advances workflow runs
/// whose wake-up time has come, places calls through the connection, and
/// turns every ended call into a `call_completed` event and its post-call
/// runs. Everything a run must not forget (its position, its context, the
/// calls and what they came to) is in the database, so `run` can be stopped at
/// any point and started again. The waiting runs are also kept in memory in
/// wake-up order; a wake-up that only moved later is written back on stopping
/// (after a crash a run is merely looked at early, and waits again).
///
/// Dialling is at-most-once: the call row (the intent) is committed, with the
/// run moved past `place_call`, before the connection is asked; a call found
/// still dialling on the next start is marked `unknown` and never redialled.
public final class CampaignRunner {
    let database: Database
    let campaign: Campaign
    let options: RunOptions
    let plan: NumberingPlan
    /// Workflow names by number (a queued run keeps the number): the
    /// campaign's workflows first, numbered by their place in the file (names
    /// are unique), then names found in rows the campaign no longer has (their
    /// runs fail, saying so).
    private var workflowNames: [String]
    private var workflowNumbers: [String: Int32] = [:]
    private let policy: CallingWindowPolicy
    private let gate: WindowGate
    private var selector: NumberSelector!
    private lazy var leads = LeadReader(database: database)
    private var dnc = DoNotCallList()
    /// Each lead's calls in this campaign (dial times, oldest first) and the
    /// key of the number it was last called from (0: none).
    private var history = LeadIndexed<[Int64]>(absent: [])
    private var lastFrom = LeadIndexed<UInt64>(absent: 0)
    private let limits: FrequencyLimits
    private let connection: SimulatedConnection
    private var nextSlot: Double = 0
    private var activeEnds: [Int64] = []
    /// The latest dial time considered so far: no call is dialled before it.
    private var pacingFloor: Int64 = 0
    private var summary: RunSummary
    /// The distinct window subjects of the leads seen, numbered; and each lead's number.
    private var slots: [SubjectSlot] = []
    private var slotBySubject: [WindowSubject: Int32] = [:]
    private var slotByLead = LeadIndexed<Int32>(absent: -1)
    /// The campaign's waiting runs, and the highest run id read or written so
    /// far: rows above it are new (another process's, or enrolment's) and are read in.
    private var queue = RunQueue()
    private var lastRunID: Int64 = 0
    /// One shared array for each distinct position: the queue holds hundreds of
    /// thousands of runs at a handful of positions.
    private var positions: [[Int]: [Int]] = [:]
    /// Runs each lead was added to in this process: a guard against workflows
    /// that add each other forever without dialling.
    private var added = LeadIndexed<Int32>(absent: 0)
    static let maximumAddedRuns: Int32 = 500
    /// Raw payloads by outcome (see `rawRecord`).
    private var rawByOutcome: [String: String] = [:]
    private let now: () -> Instant

    public init(database: Database, campaign: Campaign, options: RunOptions, plan: NumberingPlan = .shared) throws {
        self.database = database
        self.campaign = campaign
        self.options = options
        self.plan = plan
        workflowNames = campaign.workflowNames
        for (number, name) in workflowNames.enumerated() { workflowNumbers[name] = Int32(number) }
        policy = try campaign.windowPolicy()
        gate = WindowGate(policy: policy)
        limits = FrequencyLimits(maxAttempts: campaign.limits.maxAttempts, minimumGap: campaign.limits.minimumGap?.seconds)
        let seed = campaign.connections.values.compactMap(\.seed).first ?? 1
        connection = SimulatedConnection(seed: UInt64(seed))
        summary = RunSummary(clockStart: options.start, clockEnd: options.start)
        now = { Instant.now }
    }

    // MARK: - SQL

    static let recoverSQL =
        "UPDATE calls SET status = 'unknown', error_message = 'outdial stopped while dialling; not redialled' WHERE campaign = ? AND status IN ('queued', 'dialing')"
    static let enrolEventsSQL = """
        INSERT INTO events (kind, dedupe_key, lead_id, payload, occurred_at, received_at)
        SELECT 'lead_added', 'lead_added:' || ?1 || ':' || id, id, '{}', ?2, ?2 FROM leads WHERE true
        ON CONFLICT(dedupe_key) DO NOTHING
        """
    static let enrolRunsSQL = """
        INSERT INTO workflow_runs (campaign, workflow, lead_id, event_id, status, position, wake_at, context, created_at, updated_at)
        SELECT ?1, ?2, e.lead_id, e.id, 'waiting', '[0]', ?3, '{}', ?3, ?3 FROM events e
        WHERE e.kind = 'lead_added' AND e.dedupe_key >= 'lead_added:' || ?1 || ':' AND e.dedupe_key < 'lead_added:' || ?1 || ';'
        ON CONFLICT(campaign, workflow, lead_id, event_id) DO NOTHING
        """
    static let newRunsSQL = """
        SELECT id, workflow, lead_id, position, context, wake_at FROM workflow_runs WHERE id > ? AND +campaign = ? AND +status = 'waiting' ORDER BY id
        """
    static let saveWakeSQL = "UPDATE workflow_runs SET wake_at = ? WHERE id = ? AND status = 'waiting'"
    static let waitingSQL = "SELECT count(*) FROM workflow_runs WHERE campaign = ? AND status = 'waiting'"
    static let insertRunSQL = """
        INSERT INTO workflow_runs (campaign, workflow, lead_id, event_id, status, position, wake_at, context, error, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
        """
    static let saveRunSQL = "UPDATE workflow_runs SET status = ?, position = ?, wake_at = ?, context = ?, error = ?, updated_at = ? WHERE id = ?"
    static let intentSQL = """
        INSERT INTO calls (provider, connection, agent_id, lead_id, campaign, workflow_run_id, attempt, direction, from_number, to_number,
            status, queued_at, lead_timezone, selection_tier)
        VALUES ('simulated', ?, ?, ?, ?, ?, ?, 'outbound', ?, ?, 'dialing', ?, ?, ?)
        """
    static let outcomeSQL = """
        UPDATE calls SET status = ?, outcome = ?, disconnection_reason = ?, started_at = ?, ended_at = ?, duration_ms = ?, transcript = ?,
            summary = ?, sentiment = ?, call_successful = ?, in_voicemail = ?, user_spoke = ?, custom_analysis = ?, cost_cents = ?,
            provider_call_id = ?, dynamic_variables = ?, raw = ?
        WHERE call_id = ?
        """
    static let eventSQL = """
        INSERT INTO events (kind, dedupe_key, call_id, lead_id, payload, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(dedupe_key) DO NOTHING
        """
    static let historySQL = "SELECT lead_id, queued_at FROM calls WHERE campaign = ? AND lead_id IS NOT NULL ORDER BY queued_at"
    static let callSQL = "SELECT \(RunSubject.callColumns.joined(separator: ", ")) FROM calls WHERE call_id = ?"

    // MARK: - Running

    /// Runs until nothing is due any more, `until` or `maxCalls`.
    public func run(progress: (RunSummary) -> Void = { _ in }) throws -> RunSummary {
        var clock = options.start.seconds
        // Time never runs backwards for a campaign: a resumed simulation starts
        // where the last call was placed, so the day's caps count what was done.
        if let last = try database.scalar("SELECT max(queued_at) FROM calls WHERE campaign = ?", [.text(campaign.name)]) {
            clock = max(clock, last / 1000)
        }
        summary.clockStart = Instant(seconds: clock)
        // A run touches leads, calls and runs all over their tables: 16 MiB of page
        // cache keeps them from being read back from the file for every batch, and
        // checkpointing every 30,000 pages instead of 1,000 copies a page rewritten
        // in several batches back to the main file once.
        try database.execute("PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 30000")
        // Every id the runner writes into a reference (a lead, a call, an event)
        // was read or written in the same transaction, so checking it again
        // against its table for each of the rows of a call finds nothing: the
        // runner's connection skips the check (every other command keeps it, and
        // the tests run PRAGMA foreign_key_check over finished runs).
        try database.execute("PRAGMA foreign_keys = OFF")
        defer { try? database.execute("PRAGMA foreign_keys = ON") }
        try database.transaction {
            summary.recoveredUnknown = try recover()
            try database.execute(
                "INSERT OR IGNORE INTO campaigns (name, file, created_at) VALUES (\(sqlQuote(campaign.name)), \(sqlQuote(campaign.file)), \(clock * 1000))")
            try database.run(Self.enrolEventsSQL, [.text(campaign.name), .integer(clock * 1000)])
            for workflow in campaign.workflows where workflow.trigger == .leadAdded {
                try database.run(Self.enrolRunsSQL, [.text(campaign.name), .text(workflow.name), .integer(clock * 1000)])
                summary.enrolled += database.changes
            }
        }
        try loadState(at: clock)
        try readNewRuns()
        defer { try? saveWakes() }

        while true {
            if StopSignal.isRequested {
                summary.interrupted = true
                break
            }
            if let until = options.until?.seconds, clock >= until { break }
            if let max = options.maxCalls, summary.callsPlaced >= max { break }
            // In simulation, runs due within the next few virtual minutes are taken
            // together, each advanced at its own wake-up time: fewer, larger
            // transactions. Pacing, caps and windows are all judged at each call's
            // own dial time, so nothing happens earlier than it may.
            let horizon = options.simulate ? clock + Self.simulationHorizon : clock
            var due: [QueuedRun] = []
            while due.count < options.batchSize, let first = queue.firstWakeMs, first <= horizon * 1000 {
                due.append(queue.popFirst()!)
            }
            if due.isEmpty {
                if !options.simulate { try readNewRuns() }
                guard let next = queue.firstWakeMs else { break }
                let nextSeconds = (next + 999) / 1000
                if let until = options.until?.seconds, nextSeconds > until {
                    clock = until
                    break
                }
                if options.simulate {
                    clock = max(clock + 1, nextSeconds)
                } else {
                    // Real time: sleep towards the next wake-up, a fraction at a time so Ctrl-C is prompt.
                    let wait = max(0, min(0.25, Double(nextSeconds - now().seconds)))
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                    clock = now().seconds
                }
                continue
            }
            var dials: [PendingDial] = []
            try write {
                var taken = 0
                for run in due {
                    if let max = options.maxCalls, summary.callsPlaced >= max { break }
                    if let until = options.until?.seconds, run.wake >= until { break }
                    taken += 1
                    try advance(run, at: max(clock, run.wake), dials: &dials)
                }
                // Runs the batch stopped before are still waiting.
                for run in due[taken...] { queue.push(run) }
            }
            // The intents are committed: now ask the connection, and record what happened.
            if !dials.isEmpty { try complete(dials, at: clock) }
            if options.simulate, let last = due.last { clock = max(clock, min(last.wake, horizon)) }
            progress(summary)
            if !options.simulate { clock = now().seconds }
        }
        summary.clockEnd = Instant(seconds: clock)
        summary.waiting = Int(try database.scalar(Self.waitingSQL, [.text(campaign.name)]) ?? 0)
        return summary
    }

    /// A transaction of the runner's: runs other processes added since the
    /// last look are read in first, so every row above `lastRunID` is one of ours.
    private func write<T>(_ body: () throws -> T) throws -> T {
        try database.transaction {
            try readNewRuns()
            return try body()
        }
    }

    /// Queues the waiting runs of the campaign not seen yet.
    private func readNewRuns() throws {
        if lastRunID == 0, let count = try database.scalar(Self.waitingSQL, [.text(campaign.name)]) { queue.reserve(Int(count)) }
        let rows = try database.prepare(Self.newRunsSQL)
        defer { rows.reset() }
        try rows.bind([.integer(lastRunID), .text(campaign.name)])
        while try rows.step() {
            let run = QueuedRun(
                id: rows.int64(0), workflow: workflowNumber(rows.string(1) ?? ""), leadID: rows.int64(2),
                position: interned(RunState.path(rows.string(3) ?? "[0]")), context: RunState.context(rows.string(4) ?? "{}"),
                wakeMs: rows.int64(5))
            queue.push(run)
            lastRunID = max(lastRunID, run.id)
        }
        if let last = try database.scalar("SELECT max(id) FROM workflow_runs") { lastRunID = max(lastRunID, last) }
    }

    /// The number of a workflow name (see `workflowNames`).
    private func workflowNumber(_ name: String) -> Int32 {
        if let number = workflowNumbers[name] { return number }
        let number = Int32(workflowNames.count)
        workflowNames.append(name)
        workflowNumbers[name] = number
        return number
    }

    private func interned(_ position: [Int]) -> [Int] {
        if let known = positions[position] { return known }
        positions[position] = position
        return position
    }

    /// Writes back the wake-ups kept in memory, so the rows say when each run wakes.
    private func saveWakes() throws {
        let unsaved = queue.unsavedWakes
        guard !unsaved.isEmpty else { return }
        try database.transaction {
            for (id, wakeMs) in unsaved.sorted(by: { $0.id < $1.id }) {
                try database.run(Self.saveWakeSQL, [.integer(wakeMs), .integer(id)])
            }
        }
    }

    private func sqlQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }

    private func recover() throws -> Int {
        try database.run(Self.recoverSQL, [.text(campaign.name)])
        return database.changes
    }

    private func loadState(at clock: Int64) throws {
        dnc = try DoNotCallStore(database: database).load()
        let spec = campaign.numbers
        let store = NumberStore(database: database, plan: plan)
        selector = try store.selector(
            settings: spec?.settings ?? SelectionSettings(), health: spec?.health ?? NumberStore.Health(), at: Instant(seconds: clock)
        ).0
        if let low = try database.scalar("SELECT min(id) FROM leads"), let high = try database.scalar("SELECT max(id) FROM leads") {
            let ids = low...high
            history.reserve(ids)
            lastFrom.reserve(ids)
            slotByLead.reserve(ids)
            added.reserve(ids)
        }
        for (lead, key) in try store.lastFromByLead() { lastFrom[lead] = key }
        for (lead, when) in try database.query(Self.historySQL, [.text(campaign.name)], { ($0.int64(0), $0.int64(1) / 1000) }) {
            history.update(lead) { $0.append(when) }
        }
    }

    /// How far ahead of the virtual clock a simulation batch reaches (seconds).
    static let simulationHorizon: Int64 = 600

    struct PendingDial {
        var callID: Int64
        var lead: LeadRecord
        var attempt: Int
        var dialAt: Int64
        var connection: String
        var agent: String?
        var from: String
        var tier: String?
        /// What the connection reported, and when the call started and ended (UTC ms).
        var outcome: CallOutcome
        var started: Int64
        var ended: Int64
        var leadID: Int64 { lead.id }

        /// What a post-call run reads: the lead, and the call as its row now says
        /// (the same values `loadCall` reads back).
        var subject: RunSubject {
            var subject = RunSubject(lead: lead)
            let columns: [String?] = [
                String(callID), "simulated", connection, agent, String(attempt), "outbound", from, lead.phone, outcome.status, outcome.outcome,
                outcome.disconnectionReason, String(outcome.durationMs), outcome.transcript, outcome.summary, outcome.sentiment,
                outcome.callSuccessful ? "1" : "0", outcome.inVoicemail ? "1" : "0", outcome.userSpoke ? "1" : "0", outcome.customAnalysis,
                String(outcome.costCents), tier, String(dialAt * 1000), String(started), String(ended),
            ]
            subject.call = columns
            return subject
        }
    }

    /// Advances one run through its steps until one blocks or the run ends.
    ///
    /// A run with id 0 is a new one (a post-call run started with its call's
    /// record, `subject` already known): its row is written once, in the state
    /// it reaches.
    @discardableResult
    private func advance(_ due: QueuedRun, at clock: Int64, dials: inout [PendingDial], subject given: RunSubject? = nil) throws -> RunSubject? {
        guard Int(due.workflow) < campaign.workflows.count else {
            let state = RunState(position: due.position, context: due.context)
            let name = workflowNames[Int(due.workflow)]
            try save(due, status: "failed", state: state, wake: nil, error: "the campaign has no workflow '\(name)' any more", at: clock)
            return given
        }
        let workflow = campaign.workflows[Int(due.workflow)]
        var subject: RunSubject
        if let given {
            subject = given
        } else {
            if due.id != 0, let until = stillWaiting(workflow, at: due.position, leadID: due.leadID, at: clock) {
                let state = RunState(position: due.position, context: due.context)
                try save(due, status: "waiting", state: state, wake: until, error: nil, at: clock)
                return nil
            }
            guard let lead = try leads.lead(due.leadID) else {
                let state = RunState(position: due.position, context: due.context)
                try save(due, status: "failed", state: state, wake: nil, error: "lead \(due.leadID) is gone", at: clock)
                return nil
            }
            subject = RunSubject(lead: lead)
            if let callID = due.context["call_id"] { try loadCall(callID, into: &subject) }
        }
        // Tags change in memory and are written once, when the run stops moving
        // (or before a step that reads the lead back).
        var writtenTags = subject.lead.tags
        try walk(due, workflow, &subject, writtenTags: &writtenTags, at: clock, dials: &dials)
        if subject.lead.tags != writtenTags {
            try ActionWriter(database: database, campaign: campaign.name).write(tags: subject.lead.tags, of: subject.lead.id, at: clock)
        }
        return subject
    }

    private func walk(
        _ due: QueuedRun, _ workflow: Workflow, _ subject: inout RunSubject, writtenTags: inout [String], at clock: Int64, dials: inout [PendingDial]
    ) throws {
        var state = RunState(position: due.position, context: due.context)
        let lead = subject.lead
        var steps = 0
        var onlyChecks = true  // every step before this one a window check that passed
        var lastWasCheck = true
        while true {
            steps += 1
            if steps > 1000 { return try save(due, status: "failed", state: state, wake: nil, error: "more than 1000 steps without waiting", at: clock) }
            guard let step = Step.at(state.position, in: workflow.steps) else {
                if state.leaveBranch() { continue }
                summary.runsFinished += 1
                return try save(due, status: "done", state: state, wake: nil, error: nil, at: clock)
            }
            onlyChecks = onlyChecks && lastWasCheck
            if case .waitUntilCallingWindow = step { lastWasCheck = true } else { lastWasCheck = false }
            switch step {
            case .waitUntilCallingWindow:
                let slot = slot(for: lead)
                if slots[Int(slot)].subject.zones.isEmpty {
                    summary.runsStopped["no-timezone", default: 0] += 1
                    return try save(due, status: "stopped", state: state, wake: nil, error: "no-timezone: no time zone is known for the lead", at: clock)
                }
                let answer = windowAnswer(slot: slot, at: clock)
                if answer.open {
                    state.next()
                    continue
                }
                guard let next = answer.nextOpen else {
                    // Rules that never open for this lead (a Sunday-only campaign and a Utah
                    // lead): waiting would never end, so the run stops and says why.
                    summary.runsStopped["window-never-opens", default: 0] += 1
                    return try save(
                        due, status: "stopped", state: state, wake: nil, error: "window-never-opens: the calling window does not open within 14 days",
                        at: clock)
                }
                return try save(due, status: "waiting", state: state, wake: next, error: nil, at: clock)
            case .wait(let seconds):
                if let until = state.context["wait_until"] {
                    if clock >= until {
                        state.context["wait_until"] = nil
                        state.next()
                        continue
                    }
                    return try save(due, status: "waiting", state: state, wake: until, error: nil, at: clock)
                }
                state.context["wait_until"] = clock + seconds
                return try save(due, status: "waiting", state: state, wake: clock + seconds, error: nil, at: clock)
            case .waitUntil(let instant):
                if clock >= instant.seconds {
                    state.next()
                    continue
                }
                return try save(due, status: "waiting", state: state, wake: instant.seconds, error: nil, at: clock)
            case .placeCall(let settings):
                // A new run started inside the call-completion transaction is queued
                // here and dials with the next batch.
                if due.id == 0 { return try save(due, status: "waiting", state: state, wake: clock, error: nil, at: clock) }
                switch try placeCall(lead, settings, runID: due.id, at: clock, dials: &dials) {
                case .placed:
                    state.next()
                    continue
                case .wait(let until):
                    return try save(due, status: "waiting", state: state, wake: until, error: nil, at: clock, rewindable: onlyChecks)
                case .stop(let code, let reason):
                    summary.runsStopped[code, default: 0] += 1
                    return try save(due, status: "stopped", state: state, wake: nil, error: "\(code): \(reason)", at: clock)
                }
            case .ifThen(let condition, _, _):
                state.enter(branch: condition.evaluate { subject.value($0) } ? 0 : 1)
                continue
            case .stop:
                summary.runsFinished += 1
                return try save(due, status: "done", state: state, wake: nil, error: nil, at: clock)
            case .addTag, .removeTag:
                subject.lead.tags = ActionWriter.tags(step, applyingTo: subject.lead.tags)
                state.next()
                continue
            default:
                let writer = ActionWriter(database: database, campaign: campaign.name)
                try writer.perform(step, subject: subject, callID: state.context["call_id"], at: clock, dnc: dnc)
                if case .addToWorkflow(let name, let delay) = step {
                    try addToWorkflow(name, leadID: lead.id, wake: clock + delay, at: clock)
                }
                if step.changesLead {
                    if subject.lead.tags != writtenTags {
                        try writer.write(tags: subject.lead.tags, of: lead.id, at: clock)
                        writtenTags = subject.lead.tags
                    }
                    if let updated = try leads.lead(lead.id) {
                        subject.lead = updated
                        writtenTags = updated.tags
                    }
                }
                state.next()
            }
        }
    }

    /// Writes the run's new state, or keeps it in memory when only its wake-up
    /// moved. `rewindable`: the steps since the row's position were only window
    /// checks that passed, so resuming from the row's position is the same as
    /// resuming from here.
    private func save(
        _ run: QueuedRun, status: String, state: RunState, wake: Int64?, error: String?, at clock: Int64, rewindable: Bool = false
    ) throws {
        var run = run
        // A new run (id 0) has no row yet, so it is always written.
        if run.id != 0, status == "waiting", let wake, state.position == run.position || rewindable, state.context == run.context {
            // Only the wake-up moved (a closed window, pacing, a busy pool): the row
            // already says what the run does next, and doing it earlier only finds
            // it must wait, so the time is kept in memory and written on stopping.
            run.wakeMs = wake * 1000
            run.wakeUnsaved = true
            queue.push(run)
            return
        }
        if run.id == 0 {
            try database.run(
                Self.insertRunSQL,
                [
                    .text(campaign.name), .text(workflowNames[Int(run.workflow)]), .integer(run.leadID), run.eventID == 0 ? .null : .integer(run.eventID),
                    .text(status), .text(state.positionJSON),
                    .optional(wake.map { $0 * 1000 }), .text(state.contextJSON), .optional(error), .integer(clock * 1000),
                ])
            run.id = database.lastInsertRowID
            lastRunID = max(lastRunID, run.id)
        } else {
            try database.run(
                Self.saveRunSQL,
                [
                    .text(status), .text(state.positionJSON), .optional(wake.map { $0 * 1000 }), .text(state.contextJSON), .optional(error),
                    .integer(clock * 1000), .integer(run.id),
                ])
        }
        if status == "waiting", let wake {
            queue.push(
                QueuedRun(
                    id: run.id, workflow: run.workflow, leadID: run.leadID, position: interned(state.position), context: state.context,
                    wakeMs: wake * 1000))
        }
    }

    /// `add_to_workflow`: a new run of the workflow, with no event behind it. The
    /// step and the run it starts commit together, so a replay cannot add it twice.
    private func addToWorkflow(_ name: String, leadID: Int64, wake: Int64, at clock: Int64) throws {
        added[leadID] += 1
        guard added[leadID] <= Self.maximumAddedRuns else {
            summary.runsStopped["workflow-loop", default: 0] += 1
            return
        }
        // A new run: `save` writes its row and queues it.
        let run = QueuedRun(id: 0, workflow: workflowNumber(name), leadID: leadID, position: [0], context: [:], wakeMs: wake * 1000)
        try save(run, status: "waiting", state: RunState(position: [0], context: [:]), wake: wake, error: nil, at: clock)
    }

    // MARK: - Calls

    enum PlaceResult {
        case placed
        case wait(until: Int64)
        case stop(code: String, reason: String)
    }

    private func subjectFor(_ lead: LeadRecord) -> WindowSubject {
        var zones = lead.zones
        if zones.isEmpty, let fallback = campaign.defaults.timezone { zones = [fallback] }
        let number = PhoneNumber(e164: lead.phone)
        let area = number?.areaCode.flatMap { plan.areaCode($0) }
        return WindowSubject(
            zones: zones, addressState: lead.stateSource == "phone" ? nil : lead.state, phoneState: area?.state,
            phoneCountry: area?.country ?? number.flatMap { plan.countries(callingCode: $0.countryCode).first?.region })
    }

    /// A distinct window subject: its rules are worked out once, the gate keeps
    /// its schedule by the slot's number, and its first zone's clock gives the
    /// local hour of a call.
    struct SubjectSlot {
        let subject: WindowSubject
        let rules: [WindowRule]
        let clock: ZoneClock?
    }

    /// The lead's subject slot (remembered for the lead, so a run that only has
    /// to wait again can be told so without reading the lead).
    private func slot(for lead: LeadRecord) -> Int32 {
        let subject = subjectFor(lead)
        let slot: Int32
        if let known = slotBySubject[subject] {
            slot = known
        } else {
            slot = Int32(slots.count)
            slots.append(SubjectSlot(subject: subject, rules: policy.rules(for: subject), clock: subject.zones.first.flatMap { ZoneClock(named: $0) }))
            slotBySubject[subject] = slot
        }
        slotByLead[lead.id] = slot
        return slot
    }

    private func windowAnswer(slot: Int32, at t: Int64) -> WindowAnswer {
        let s = slots[Int(slot)]
        return gate.answer(slot: Int(slot), zones: s.subject.zones, rules: s.rules, at: Instant(seconds: t))
    }

    /// When dialling could start now: calls_per_second spreads dials,
    /// concurrent_calls waits for a line.
    private func pacedDialTime(_ clock: Int64) -> Int64 {
        // Dial times never go back (the clock and the pacing slot only move on), so
        // calls ended by now are done with for good; later ends stay until a call
        // is placed past them, whether or not this run dials.
        let now = max(clock, Int64(nextSlot.rounded(.up)), pacingFloor)
        pacingFloor = now
        activeEnds.removeAll { $0 <= now }
        let lines = max(1, campaign.limits.concurrentCalls)
        guard activeEnds.count >= lines else { return now }
        // Enough calls must end to leave a line free: the (count - lines + 1)th end.
        activeEnds.sort()
        return max(now, activeEnds[activeEnds.count - lines])
    }

    /// Attempts, gaps and caps, then the window, at the dial time.
    private func dialCheck(leadID: Int64, slot: Int32, at dialAt: Int64) -> PlaceResult? {
        switch limits.check(calls: history[leadID], rules: slots[Int(slot)].rules, at: dialAt) {
        case .allowed: break
        case .wait(let until, _): return .wait(until: until)
        case .exhausted(let reason): return .stop(code: "attempts-exhausted", reason: reason)
        }
        let answer = windowAnswer(slot: slot, at: dialAt)
        guard answer.open else {
            guard let next = answer.nextOpen else { return .stop(code: "window-never-opens", reason: "the calling window does not open within 14 days") }
            return .wait(until: next)
        }
        return nil
    }

    /// For a run at a window or `place_call` step whose lead was seen before:
    /// when the run would only wait again, until when. Nothing is read or
    /// written; anything else (open, a stop) is left to the full step.
    private func stillWaiting(_ workflow: Workflow, at position: [Int], leadID: Int64, at clock: Int64) -> Int64? {
        let slot = slotByLead[leadID]
        guard slot >= 0, !slots[Int(slot)].subject.zones.isEmpty else { return nil }
        var position = position
        while let step = Step.at(position, in: workflow.steps) {
            switch step {
            case .waitUntilCallingWindow:
                let answer = windowAnswer(slot: slot, at: clock)
                guard answer.open else { return answer.nextOpen }
                position[position.count - 1] += 1  // open: on to the step after it
            case .placeCall:
                if case .wait(let until) = dialCheck(leadID: leadID, slot: slot, at: pacedDialTime(clock)) { return until }
                return nil
            default:
                return nil
            }
        }
        return nil
    }

    /// The safety net at dial time, independent of the workflow's own wait:
    /// DNC, window, attempts and caps, pacing and concurrency, then a number.
    private func placeCall(_ lead: LeadRecord, _ settings: Step.PlaceCall, runID: Int64, at clock: Int64, dials: inout [PendingDial]) throws -> PlaceResult {
        guard let number = PhoneNumber(e164: lead.phone) else { return .stop(code: "invalid-number", reason: "'\(lead.phone)' is not E.164") }
        if dnc.contains(number) || lead.dnc { return .stop(code: "dnc", reason: "on the do-not-call list") }
        let slot = slot(for: lead)
        let subject = slots[Int(slot)].subject
        if subject.zones.isEmpty { return .stop(code: "no-timezone", reason: "no time zone is known for the lead") }
        var dialAt = pacedDialTime(clock)
        let location = plan.locate(number)
        let last = lastFrom[lead.id]
        let wanted = NumberSelector.Lead(
            areaCode: number.areaCode ?? 0, state: location.state ?? lead.state, position: location.position, lastFrom: last == 0 ? nil : last)
        // Gate and select at the dial time; when no caller ID is free, queue for
        // the next one that frees (a cooldown, a cap's local midnight) instead of
        // sleeping and waking with every other waiting run at once.
        var choice: NumberSelector.Choice
        var rounds = 0
        while true {
            if let result = dialCheck(leadID: lead.id, slot: slot, at: dialAt) { return result }
            if let fixed = settings.number, let key = PhoneNumber(e164: fixed)?.key {
                choice = selector.fixed(key, at: dialAt)
            } else {
                choice = selector.select(wanted, at: dialAt, explain: false)
            }
            if choice.index != nil { break }
            rounds += 1
            guard let next = selector.nextChange(after: dialAt) else {
                // No caller ID will ever be free (an empty pool, every number disabled).
                return .stop(code: "no-caller-id", reason: "no number of the pool can be used; import or enable numbers and run again")
            }
            guard rounds < 64 else { return .wait(until: next) }
            dialAt = next
            nextSlot = max(nextSlot, Double(dialAt))
        }
        guard let index = choice.index else { return .wait(until: dialAt + 3600) }
        selector.recordUse(index, at: dialAt)
        let from = selector.numbers[index]
        let attempt = history[lead.id].count + 1
        let connectionName = settings.connection ?? from.connection ?? campaign.connections.keys.sorted().first ?? "simulated"
        try database.run(
            Self.intentSQL,
            [
                .text(connectionName), .optional(settings.agent), .integer(lead.id), .text(campaign.name), .integer(runID), .integer(Int64(attempt)),
                .text(from.e164), .text(lead.phone), .integer(dialAt * 1000), .text(subject.zones.joined(separator: " ")), .optional(choice.tier?.rawValue),
            ])
        let callID = database.lastInsertRowID
        history.update(lead.id) { $0.append(dialAt) }
        lastFrom[lead.id] = from.key
        nextSlot = max(nextSlot, Double(dialAt)) + 1.0 / max(campaign.limits.callsPerSecond, 0.001)
        let localHour = slots[Int(slot)].clock.map { Int(($0.local(at: dialAt) % 86_400 + 86_400) % 86_400 / 3600) } ?? 12
        // The simulated connection's answer is a function of the call alone, so it
        // is known now: the line stays busy until the call ends, which is what
        // keeps concurrent_calls within a batch. It is recorded after the intent commits.
        let outcome = connection.call(leadID: lead.id, attempt: attempt, localHour: localHour, firstName: lead.firstName)
        let (started, ended) = SimulatedConnection.times(of: outcome, dialledAt: dialAt)
        activeEnds.append((ended + 999) / 1000)
        dials.append(
            PendingDial(
                callID: callID, lead: lead, attempt: attempt, dialAt: dialAt, connection: connectionName, agent: settings.agent, from: from.e164,
                tier: choice.tier?.rawValue, outcome: outcome, started: started, ended: ended))
        summary.callsPlaced += 1
        return .placed
    }

    /// Asks the connection for each committed intent and records the outcome,
    /// the `call_completed` event and its post-call runs in one transaction.
    private func complete(_ dials: [PendingDial], at clock: Int64) throws {
        try write {
            for dial in dials {
                let (outcome, started, ended) = (dial.outcome, dial.started, dial.ended)
                let raw = rawRecord(outcome.outcome)
                try database.run(
                    Self.outcomeSQL,
                    [
                        .text(outcome.status), .text(outcome.outcome), .text(outcome.disconnectionReason), .integer(started), .integer(ended),
                        .integer(outcome.durationMs), .optional(outcome.transcript), .optional(outcome.summary), .optional(outcome.sentiment),
                        .integer(outcome.callSuccessful ? 1 : 0), .integer(outcome.inVoicemail ? 1 : 0), .integer(outcome.userSpoke ? 1 : 0),
                        .optional(outcome.customAnalysis), .integer(outcome.costCents), .text("sim-\(dial.callID)"), .text("{}"), .text(raw),
                        .integer(dial.callID),
                    ])
                summary.outcomes[outcome.outcome, default: 0] += 1
                try database.run(
                    Self.eventSQL,
                    [
                        .text("call_completed"), .text("call_completed:\(dial.callID)"), .integer(dial.callID), .integer(dial.leadID), .text(raw),
                        .integer(ended), .integer(clock * 1000),
                    ])
                guard database.changes > 0 else { continue }
                let event = database.lastInsertRowID
                var subject: RunSubject?
                for (number, workflow) in campaign.workflows.enumerated() {
                    guard case .callCompleted(let wanted, let sentiments, let connections) = workflow.trigger else { continue }
                    if !wanted.isEmpty, !wanted.contains(outcome.outcome) { continue }
                    if !sentiments.isEmpty, !sentiments.contains(outcome.sentiment ?? "") { continue }
                    if !connections.isEmpty, !connections.contains(dial.connection) { continue }
                    // The post-call run is advanced now, in the transaction that records
                    // its call, with the lead and the call already in hand.
                    if subject == nil { subject = dial.subject }
                    let run = QueuedRun(
                        id: 0, workflow: Int32(number), leadID: dial.leadID, eventID: event, position: [0], context: ["call_id": dial.callID],
                        wakeMs: ended)
                    var none: [PendingDial] = []
                    // A post-call run that changed the lead leaves the next one the lead as it is now.
                    subject = try advance(run, at: max(clock, run.wake), dials: &none, subject: subject)
                    summary.postCallRuns += 1
                }
            }
        }
    }

    /// The simulated provider's raw payload (the same few bytes for every call
    /// with one outcome), rendered once per outcome.
    private func rawRecord(_ outcome: String) -> String {
        if let known = rawByOutcome[outcome] { return known }
        let raw = JSONObject(["simulated": .bool(true), "seed": .int(Int64(connection.seed)), "outcome": .string(outcome)]).rendered
        rawByOutcome[outcome] = raw
        return raw
    }

    private func loadCall(_ id: Int64, into subject: inout RunSubject) throws {
        let s = try database.prepare(Self.callSQL)
        defer { s.reset() }
        try s.bind([.integer(id)])
        guard try s.step() else { return }
        subject.call = (0..<Int32(RunSubject.callColumns.count)).map { s.string($0) }
    }
}

/// A run's place in its workflow and the few values it carries.
struct RunState {
    var position: [Int]
    var context: [String: Int64]

    /// To the next step at the same level.
    mutating func next() { position[position.count - 1] += 1 }

    /// Into the then (0) or else (1) branch of the `if` at the position.
    mutating func enter(branch: Int) { position += [branch, 0] }

    /// Out of a finished branch to the step after its `if`; false at the top.
    mutating func leaveBranch() -> Bool {
        guard position.count >= 3 else { return false }
        position.removeLast(2)
        next()
        return true
    }

    var positionJSON: String { "[" + position.map(String.init).joined(separator: ",") + "]" }

    var contextJSON: String {
        "{" + context.keys.sorted().map { "\"\($0)\":\(context[$0]!)" }.joined(separator: ",") + "}"
    }

    static func path(_ text: String) -> [Int] {
        let digits = text.split(whereSeparator: { !$0.isNumber && $0 != "-" }).compactMap { Int($0) }
        return digits.isEmpty ? [0] : digits
    }

    /// `{"call_id":12,"wait_until":1795622400}`: the flat object of integers `contextJSON` writes.
    static func context(_ text: String) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for pair in text.dropFirst().dropLast().split(separator: ",") {
            let kv = pair.split(separator: ":", maxSplits: 1)
            guard kv.count == 2, let value = Int64(kv[1]) else { continue }
            result[String(kv[0].filter { $0 != "\"" })] = value
        }
        return result
    }
}
