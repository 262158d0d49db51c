/// The runs waiting for a line (`WaitReason.lines`: their window is open but
/// every line and pacing slot is taken until it closes), parked in the order
/// they came, by window subject (the gate's slot), and taken out one at a
/// time as lines free: a campaign with far more leads than its lines can dial
/// in a day costs the calls it places, not its waiting leads × days.
///
/// A subject whose window is closed when a line frees sleeps until its
/// window opens again, so finding the longest-parked run of an open subject
/// looks at each subject about twice a day, however many runs it holds.
/// A parked run's row is left as it was (its wake-up is now or earlier):
/// after a stop it is looked at again at once and parks again.
struct LineQueue {
    private struct Awake: Comparable {
        /// The park order of the subject's first run.
        var order: Int64
        var slot: Int32
        static func < (a: Awake, b: Awake) -> Bool { a.order < b.order }
    }

    private struct Asleep: Comparable {
        /// When the subject's window opens (UTC seconds).
        var opens: Int64
        var slot: Int32
        static func < (a: Asleep, b: Asleep) -> Bool { a.opens != b.opens ? a.opens < b.opens : a.slot < b.slot }
    }

    private var runs: [Int32: [(order: Int64, run: QueuedRun)]] = [:]
    private var heads: [Int32: Int] = [:]
    private var awake = MinHeap<Awake>()
    private var asleep = MinHeap<Asleep>()
    private var order: Int64 = 0
    private(set) var count = 0

    /// Parks a run of the subject `slot`.
    mutating func park(_ run: QueuedRun, slot: Int32) {
        order += 1
        if runs[slot] == nil { awake.push(Awake(order: order, slot: slot)) }
        runs[slot, default: []].append((order, run))
        count += 1
    }

    /// When a parked run can next be taken, with a line free at `t`: `t` when
    /// a subject's window is open then, else when the first one opens; nil
    /// when none is parked. `closedUntil`: when a subject's closed window
    /// opens, nil when it is open (or never opens: the gate then stops its runs).
    mutating func next(at t: Int64, closedUntil: (Int32) -> Int64?) -> Int64? {
        guard count > 0 else { return nil }
        guard let open = firstOpen(at: t, closedUntil: closedUntil) else { return asleep.first?.opens }
        awake.push(open)
        return t
    }

    /// Takes the longest-parked run of a subject open at `t`.
    mutating func take(at t: Int64, closedUntil: (Int32) -> Int64?) -> QueuedRun? {
        guard let open = firstOpen(at: t, closedUntil: closedUntil), var queue = runs.removeValue(forKey: open.slot) else { return nil }
        let slot = open.slot
        var head = heads[slot, default: 0]
        let run = queue[head].run
        count -= 1
        head += 1
        if head == queue.count {
            heads[slot] = nil
            return run
        }
        if head > 64, head > queue.count / 2 {
            queue.removeFirst(head)
            head = 0
        }
        heads[slot] = head
        awake.push(Awake(order: queue[head].order, slot: slot))
        runs[slot] = queue
        return run
    }

    /// Wakes the subjects whose window has opened by `t`, then finds the
    /// awake one parked longest whose window is open at `t` (taken off the heap).
    private mutating func firstOpen(at t: Int64, closedUntil: (Int32) -> Int64?) -> Awake? {
        while let first = asleep.first, first.opens <= t {
            _ = asleep.popFirst()
            guard let queue = runs[first.slot] else { continue }
            awake.push(Awake(order: queue[heads[first.slot, default: 0]].order, slot: first.slot))
        }
        while let first = awake.popFirst() {
            guard let opens = closedUntil(first.slot) else { return first }
            asleep.push(Asleep(opens: max(opens, t + 1), slot: first.slot))
        }
        return nil
    }
}
