/// How `outdial run` runs.
public struct RunOptions: Sendable {
    /// Virtual time and the simulated connection: days of dialling in seconds.
    public var simulate = true
    /// Where the clock starts (default now).
    public var start: Instant = .now
    /// Stop when the clock reaches this.
    public var until: Instant?
    /// Stop after this many calls.
    public var maxCalls: Int?
    /// Due runs advanced per transaction (at most).
    public var batchSize = 4096

    public init() {}
}

/// What a run did.
public struct RunSummary: Sendable {
    public var callsPlaced = 0
    public var outcomes: [CallOutcome: Int] = [:]
    public var postCallRuns = 0
    public var runsFinished = 0
    public var runsStopped: [StopCode: Int] = [:]
    /// Calls found dialling from an earlier run that stopped: marked unknown, never redialled.
    public var recoveredUnknown = 0
    /// Requests that may have been placed and got no answer: unknown, never redialled.
    public var unknown = 0
    public var enrolled = 0
    public var clockStart: Instant
    public var clockEnd: Instant
    /// Runs still waiting when the run stopped (a later `run` resumes them).
    public var waiting = 0
    /// Stopped by Ctrl-C or SIGTERM.
    public var interrupted = false
}
