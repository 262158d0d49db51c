/// `calls_per_second` and `concurrent_calls`: when the next call may be
/// dialled, given the calls dialled so far and the lines they hold.
struct Pacer {
    let lines: Int
    let callsPerSecond: Double
    private var nextSlot: Double = 0
    private var activeEnds: [Int64] = []
    /// The latest dial time considered so far: no call is dialled before it.
    private var floor: Int64 = 0
    /// Off (a plan at one instant): every call may be dialled at once.
    let enabled: Bool

    init(lines: Int, callsPerSecond: Double, enabled: Bool = true) {
        self.lines = max(1, lines)
        self.callsPerSecond = max(callsPerSecond, 0.001)
        self.enabled = enabled
    }

    /// The earliest dial time at or after `clock`.
    mutating func dialTime(_ clock: Int64) -> Int64 {
        guard enabled else { return clock }
        // Dial times never go back (the clock and the pacing slot only move on), so
        // calls ended by now are done with for good; later ends stay until a call
        // is placed past them, whether or not this run dials.
        // Dial times are whole seconds: a call goes in the second its slot falls
        // in, so `calls_per_second: 5` dials five a second (rounding the slot up
        // would allow one a second whatever the rate).
        let now = max(clock, Int64(nextSlot.rounded(.down)), floor)
        floor = now
        activeEnds.removeAll { $0 <= now }
        guard activeEnds.count >= lines else { return now }
        // Enough calls must end to leave a line free: the (count - lines + 1)th end.
        activeEnds.sort()
        return max(now, activeEnds[activeEnds.count - lines])
    }

    /// Nothing is dialled before `t` (a pool that frees at `t`).
    mutating func hold(until t: Int64) { nextSlot = max(nextSlot, Double(t)) }

    /// A call dialled at `dialAt`: the next one is a slot later.
    mutating func dialled(at dialAt: Int64) { nextSlot = max(nextSlot, Double(dialAt)) + 1.0 / callsPerSecond }

    /// A line is held until `end` (UTC seconds).
    mutating func occupy(until end: Int64) { activeEnds.append(end) }

    /// A call held its line until `assumed`; it ended at `end` instead (its outcome came in).
    mutating func release(assumed: Int64, end: Int64) {
        if let i = activeEnds.firstIndex(of: assumed) { activeEnds[i] = end }
    }

    /// Picks up where an earlier run stopped: its saved position (`saved`), or
    /// else its last dial; and the calls still holding lines.
    mutating func resume(saved: String?, lastDial: Int64?, ends: [Int64]) {
        let parts = saved?.split(separator: " ") ?? []
        if parts.count == 2, let slot = Double(parts[0]), let floor = Int64(parts[1]) {
            nextSlot = slot
            self.floor = floor
        } else if let lastDial {
            dialled(at: lastDial)
        }
        activeEnds += ends
    }

    /// The pacing position, saved with each batch so a resumed run goes on from it.
    var saved: String { "\(nextSlot) \(floor)" }
}
