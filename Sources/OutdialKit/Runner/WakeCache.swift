/// The campaign's waiting runs in wake-up order, kept in memory so a batch
/// costs no query; and the optimisation that goes with it: a run that only
/// has to wait longer (a closed window, pacing, a busy pool) keeps its row
/// as it is and its new wake-up in memory, written back when `run` stops.
/// After a crash such a run is merely looked at early, finds it must wait,
/// and waits again: the rows stay a correct, if early, account.
struct WakeCache {
    private(set) var queue = RunQueue()
    /// One shared array for each distinct position: the queue holds hundreds of
    /// thousands of runs at a handful of positions.
    private var positions: [[Int]: [Int]] = [:]

    var firstWakeMs: Int64? { queue.firstWakeMs }
    /// The runs held (each waiting for its wake-up).
    var count: Int { queue.count }

    mutating func reserve(_ count: Int) { queue.reserve(count) }

    /// The leads of the runs held, in no order.
    var leadIDs: [Int64] { queue.leadIDs }

    /// Queues a run as its row says.
    mutating func push(_ run: QueuedRun) {
        var run = run
        run.position = interned(run.position)
        queue.push(run)
    }

    /// Keeps the run's later wake-up in memory when nothing else about it
    /// changed; false when its row must be written. `rewindable`: the steps
    /// since the row's position were only window checks that passed, so
    /// resuming from the row's position is the same as resuming from `state`.
    mutating func keep(_ run: QueuedRun, state: RunState, wakeMs: Int64, rewindable: Bool, reason: WaitReason? = nil) -> Bool {
        guard canKeep(run, state: state, rewindable: rewindable) else { return false }
        var run = run
        run.wakeMs = wakeMs
        run.wakeUnsaved = true
        run.waitReason = reason
        queue.push(run)
        return true
    }

    /// Whether a run may wait on without its row being written (see `keep`).
    func canKeep(_ run: QueuedRun, state: RunState, rewindable: Bool) -> Bool {
        run.id != 0 && (state.position == run.position || rewindable) && state.context == run.context
    }

    /// Brings forward to `wakeMs` the runs waiting for one of `reasons` (see `RunQueue.wake`).
    mutating func wake(by wakeMs: Int64, waitingFor reasons: Set<WaitReason>) -> Int {
        queue.wake(by: wakeMs) { run in run.waitReason.map(reasons.contains) ?? false }
    }

    /// Takes the runs due by `horizonMs`, at most `limit`.
    mutating func due(by horizonMs: Int64, limit: Int) -> [QueuedRun] {
        var due: [QueuedRun] = []
        while due.count < limit, let first = queue.firstWakeMs, first <= horizonMs { due.append(queue.popFirst()!) }
        return due
    }

    /// The wake-ups kept in memory only.
    var unsaved: [(id: Int64, wakeMs: Int64, reason: WaitReason?)] { queue.unsavedWakes }

    private mutating func interned(_ position: [Int]) -> [Int] {
        if let known = positions[position] { return known }
        positions[position] = position
        return position
    }
}
