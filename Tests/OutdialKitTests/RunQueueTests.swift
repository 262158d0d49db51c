import Testing

@testable import OutdialKit

@Suite struct RunQueueTests {
    private func run(_ id: Int64, wake: Int64) -> QueuedRun {
        QueuedRun(id: id, workflow: "w\(id % 3)", leadID: id * 10, position: [Int(id % 4)], context: id % 2 == 0 ? ["call_id": id] : [:], wakeMs: wake)
    }

    /// Pushes and pops interleaved at random give the runs back in (wake-up, id)
    /// order, each exactly once and unchanged, whatever the order they came in.
    @Test(arguments: [1, 2, 3, 42] as [UInt64])
    func popsInWakeThenIDOrder(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var queue = RunQueue()
        var expected: [QueuedRun] = []
        var popped: [QueuedRun] = []
        var floor: Int64 = 0  // runs pushed later never wake before what was taken, as in the runner
        for id in 1...2_000 as ClosedRange<Int64> {
            let r = run(id, wake: floor + Int64(random.next() % 50))
            queue.push(r)
            expected.append(r)
            if random.next() % 3 == 0, let first = queue.popFirst() {
                popped.append(first)
                floor = first.wakeMs
            }
        }
        while let next = queue.popFirst() { popped.append(next) }
        #expect(queue.isEmpty)
        #expect(popped.count == expected.count)
        #expect(Set(popped.map(\.id)) == Set(expected.map(\.id)))
        for (a, b) in zip(popped, popped.dropFirst()) {
            #expect(a.wakeMs < b.wakeMs || (a.wakeMs == b.wakeMs && a.id < b.id), "\(a.id)@\(a.wakeMs) came before \(b.id)@\(b.wakeMs)")
        }
        let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.id, $0) })
        for r in popped {
            let original = byID[r.id]!
            #expect(r.workflow == original.workflow && r.leadID == original.leadID && r.position == original.position && r.context == original.context)
        }
    }

    @Test func firstWakeIsTheEarliestWaiting() {
        var queue = RunQueue()
        #expect(queue.firstWakeMs == nil)
        #expect(queue.popFirst() == nil)
        queue.push(run(5, wake: 300))
        queue.push(run(2, wake: 300))
        queue.push(run(9, wake: 100))
        #expect(queue.firstWakeMs == 100)
        #expect(queue.popFirst()?.id == 9)
        #expect(queue.popFirst()?.id == 2)
        #expect(queue.count == 1)
    }
}
