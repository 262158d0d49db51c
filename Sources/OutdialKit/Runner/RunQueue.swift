/// The runs of a campaign that are waiting, earliest wake-up first (ties by
/// id, the order `ORDER BY wake_at, id` gives): the runner's working copy of
/// the `workflow_runs` rows whose status is `waiting`.
///
/// A binary heap of plain (wake-up, id, slot) entries over a slot table of the
/// runs themselves: pushing and taking the first are O(log n) and move no
/// reference-counted values, so hundreds of thousands of waiting runs cost no
/// query per batch.
struct RunQueue {
    private struct Entry {
        var wakeMs: Int64
        var id: Int64
        var slot: Int32

        func isBefore(_ other: Entry) -> Bool { wakeMs != other.wakeMs ? wakeMs < other.wakeMs : id < other.id }
    }

    private var heap: [Entry] = []
    private var runs: [QueuedRun?] = []
    private var freeSlots: [Int32] = []

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }

    /// When the first run wakes (UTC milliseconds).
    var firstWakeMs: Int64? { heap.first?.wakeMs }

    mutating func push(_ run: QueuedRun) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            runs[Int(slot)] = run
        } else {
            slot = Int32(runs.count)
            runs.append(run)
        }
        heap.append(Entry(wakeMs: run.wakeMs, id: run.id, slot: slot))
        var child = heap.count - 1
        let entry = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard entry.isBefore(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = entry
    }

    /// The leads of the runs held, in no order (a lead twice when two of its runs wait).
    var leadIDs: [Int64] { runs.compactMap { $0?.leadID } }

    /// The waiting runs whose wake-up is kept in memory only, in no order.
    var unsavedWakes: [(id: Int64, wakeMs: Int64, reason: WaitReason?)] {
        runs.compactMap { run in run.flatMap { $0.wakeUnsaved ? ($0.id, $0.wakeMs, $0.waitReason) : nil } }
    }

    /// Room for this many runs at once, instead of doubling towards them.
    mutating func reserve(_ count: Int) {
        heap.reserveCapacity(count)
        runs.reserveCapacity(count)
    }

    /// Brings forward to `wakeMs` every run that wakes later and matches;
    /// returns how many moved. O(n): for rare events (the pool changed).
    mutating func wake(by wakeMs: Int64, where matches: (QueuedRun) -> Bool) -> Int {
        var moved = 0
        for i in heap.indices where heap[i].wakeMs > wakeMs {
            let slot = Int(heap[i].slot)
            guard var run = runs[slot], matches(run) else { continue }
            run.wakeMs = wakeMs
            run.wakeUnsaved = true
            runs[slot] = run
            heap[i].wakeMs = wakeMs
            moved += 1
        }
        if moved > 0 {
            // Floyd's heap construction over the changed keys.
            for start in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(from: start) }
        }
        return moved
    }

    private mutating func siftDown(from start: Int) {
        let entry = heap[start]
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            var child = left
            if left + 1 < heap.count, heap[left + 1].isBefore(heap[left]) { child = left + 1 }
            guard heap[child].isBefore(entry) else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = entry
    }

    /// Takes the run that wakes first.
    mutating func popFirst() -> QueuedRun? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(from: 0)
        }
        let run = runs[Int(first.slot)].take()
        freeSlots.append(first.slot)
        return run
    }
}

/// A waiting run: its row's id, workflow and lead, the position and context
/// its row holds, and when it wakes. Laid out in 56 bytes: the queue holds one
/// for every waiting run of the campaign.
struct QueuedRun {
    var id: Int64
    var leadID: Int64
    /// The position and context as written in the row.
    var position: [Int]
    var context: [String: Int64]
    /// When the run wakes (UTC milliseconds).
    var wakeMs: Int64
    /// The event that started the run, written with a new run's row (0: none).
    var eventID: Int64 = 0
    /// The workflow, by its number in the runner's list of workflow names.
    var workflow: Int32
    /// The wake-up moved in memory only: the row still has an earlier one.
    var wakeUnsaved = false
    /// Why the run waits at its `place_call` (nil: a step's wait), written
    /// with an unsaved wake-up.
    var waitReason: WaitReason?

    init(id: Int64, workflow: Int32, leadID: Int64, eventID: Int64 = 0, position: [Int], context: [String: Int64], wakeMs: Int64) {
        self.id = id
        self.workflow = workflow
        self.leadID = leadID
        self.eventID = eventID
        self.position = position
        self.context = context
        self.wakeMs = wakeMs
    }

    /// When the run wakes, in whole UTC seconds (rounded up).
    var wake: Int64 { (wakeMs + 999) / 1000 }
}
