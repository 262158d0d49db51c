/// The runs of a campaign that are waiting, earliest wake-up first (ties by
/// id, the order `ORDER BY wake_at, id` gives): the runner's working copy of
/// the `workflow_runs` rows whose status is `waiting`.
///
/// A binary heap: pushing and taking the first are O(log n), so a campaign of
/// hundreds of thousands of waiting runs costs no query per batch.
struct RunQueue {
    private var heap: [QueuedRun] = []

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }

    /// The run that wakes first.
    var first: QueuedRun? { heap.first }

    mutating func push(_ run: QueuedRun) {
        heap.append(run)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Takes the run that wakes first.
    mutating func popFirst() -> QueuedRun? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            var child = left
            if left + 1 < heap.count, Self.before(heap[left + 1], heap[left]) { child = left + 1 }
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            parent = child
        }
        return first
    }

    private static func before(_ a: QueuedRun, _ b: QueuedRun) -> Bool {
        a.wakeMs != b.wakeMs ? a.wakeMs < b.wakeMs : a.id < b.id
    }
}

/// A waiting run: its row's id, workflow and lead, the position and context
/// its row holds, and when it wakes.
struct QueuedRun {
    var id: Int64
    var workflow: String
    var leadID: Int64
    /// The event that started the run (written with a new run's row).
    var eventID: Int64? = nil
    /// The position and context as written in the row.
    var position: [Int]
    var context: [String: Int64]
    /// When the run wakes (UTC milliseconds).
    var wakeMs: Int64

    /// When the run wakes, in whole UTC seconds (rounded up).
    var wake: Int64 { (wakeMs + 999) / 1000 }
}
