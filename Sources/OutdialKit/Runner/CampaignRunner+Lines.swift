/// Runs parked for a line: a lead whose window is open but whose every line,
/// pacing slot or caller ID is taken until it closes waits in its window
/// subject's queue (`LineQueue`) and is taken as capacity frees.
extension CampaignRunner {

    /// When a parked run can next be taken (see `LineQueue.next`).
    func nextLine() -> Int64? {
        guard lines.count > 0, let free = capacity(from: clock.now) else { return nil }
        return lines.next(at: free, closedUntil: closedUntil(free))
    }

    /// Advances parked runs, oldest first, while a line frees before `bound`
    /// for a subject whose window is open then; returns the latest time reached.
    func takeParked(from start: Int64, before bound: Int64, dials: inout [PendingDial]) throws -> Int64 {
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
    func capacity(from t: Int64) -> Int64? {
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
    func closedUntil(_ t: Int64) -> (Int32) -> Int64? {
        { [gate] slot in
            if case .closed(let opens) = gate!.window(slot: slot, at: t) { return opens }
            return nil
        }
    }
}
