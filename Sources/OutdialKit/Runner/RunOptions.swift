/// How `outdial run` runs.
public struct RunOptions: Sendable {
    /// Virtual time and the simulated connection: days of dialling in seconds.
    public var simulate = true
    /// Where the clock starts (default now).
    public var start: Instant = .now
    /// `start` was asked for (`--start`), not the default: a resumed
    /// simulation whose clock is already past it says it went on from there.
    public var startGiven = false
    /// Stop when the clock reaches this.
    public var until: Instant?
    /// Stop after this many calls.
    public var maxCalls: Int?
    /// Due runs advanced per transaction (at most).
    public var batchSize = 4096
    /// A live run that stops (`until`, `maxCalls`, Ctrl-C) waits this long
    /// (seconds) for its calls in flight to end; the next run polls the rest.
    public var drainSeconds: Int64 = 300

    public init() {}
}

/// What a run did.
public struct RunSummary: Sendable {
    public var callsPlaced = 0
    public var outcomes: [CallOutcome: Int] = [:]
    public var postCallRuns = 0
    public var runsFinished = 0
    public var runsStopped: [StopCode: Int] = [:]
    /// Runs that failed, by reason (also in each run's `workflow_runs.error`).
    public var runsFailed: [String: Int] = [:]
    /// Runs waiting because no number of the pool can take their lead (for the operator), and the area codes they want.
    public var waitingForNumbers = 0
    public var areaCodesWanted: [Int: Int] = [:]
    /// Runs waiting because the connection their call would go through is switched off (`enabled: false`).
    public var waitingForConnection = 0
    /// The campaign's connections switched off, by name.
    public var disabledConnections: [String] = []
    /// Each time a run was told to wait at its `place_call`, by why: one lead
    /// waiting for its window and then for a line counts twice.
    public var waits: [WaitReason: Int] = [:]
    /// Live: times the caller-ID pool changed under the run (`numbers import`,
    /// `enable`, `disable`, `rest`) and was read again.
    public var poolReloads = 0
    /// The stale lease of a run that stopped without giving it back, taken over.
    public var leaseTakenOver: String?
    /// Calls found dialling from an earlier run that stopped: marked unknown, never redialled.
    public var recoveredUnknown = 0
    /// Requests that may have been placed and got no answer: unknown, never redialled.
    public var unknown = 0
    public var enrolled = 0
    /// The leads the campaign's `audience` selected (nil: no audience, every lead).
    public var audience: Int?
    /// What the outbox sender did (live runs with a sender).
    public var outbox = OutboxTally()
    public var clockStart: Instant
    public var clockEnd: Instant
    /// The `--start` a resumed simulation did not use: its own clock was
    /// already later (time never runs backwards for a campaign).
    public var startNotUsed: Instant?
    /// Runs still waiting when the run stopped (a later `run` resumes them).
    public var waiting = 0
    /// When the first of them is due (a wake-up, or a line and a caller ID free).
    public var nextDue: Instant?
    /// Set when that is as soon as any number of the pool can call again:
    /// every one is at its daily cap, resting or cooling down until then.
    public var poolFreeAt: Instant?
    /// Stopped by Ctrl-C or SIGTERM.
    public var interrupted = false
    /// Live: requests the provider turned away for want of lines (sent again later).
    public var throttled = 0
    /// Live: create-call requests sent, and polls of calls in flight.
    public var requests = 0
    public var polls = 0
    /// Live: calls still in flight when the run stopped (the next `run` polls them).
    public var inFlight = 0
    /// Live: calls whose request had not left when the run stopped (the next `run` sends them).
    public var notSent = 0
}

/// Workflow runs failed in a run (exit 1): the run went on, and says so at the end.
public struct RunFailures: Error, Equatable, Sendable, CustomStringConvertible {
    public var count: Int
    public var reason: String
    public var description: String {
        "\(count) workflow run\(count == 1 ? "" : "s") failed, the first because \(reason); each failed run's reason is in workflow_runs.error"
    }
}

extension RunFailures: CommandError { public var exitCode: ExitCode { .failure } }

extension RunSummary {
    /// The error a run with failed runs ends with, or nil.
    public var failure: RunFailures? {
        guard let first = runsFailed.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).first else { return nil }
        return RunFailures(count: runsFailed.values.reduce(0, +), reason: first.key)
    }
}
