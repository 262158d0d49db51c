import Foundation
import TestSupport
import Testing

@testable import OutdialKit

@Suite struct LineQueueTests {
    static func run(_ id: Int64) -> QueuedRun { QueuedRun(id: id, workflow: 0, leadID: id, position: [1], context: [:], wakeMs: 0) }

    @Test func takesTheLongestParkedRunOfAnOpenSubject() {
        var queue = LineQueue()
        // Runs 1…6 parked alternately in subjects 0 and 1.
        for id in Int64(1)...6 { queue.park(Self.run(id), slot: Int32(id % 2)) }
        #expect(queue.count == 6)
        let allOpen: (Int32) -> Int64? = { _ in nil }
        #expect(queue.take(at: 100, closedUntil: allOpen)?.id == 1)
        #expect(queue.take(at: 100, closedUntil: allOpen)?.id == 2)
        // Subject 1 (odd ids) closed until 500: only subject 0's runs come out, in order.
        let oneClosed: (Int32) -> Int64? = { $0 == 1 ? 500 : nil }
        #expect(queue.take(at: 200, closedUntil: oneClosed)?.id == 4)
        #expect(queue.take(at: 200, closedUntil: oneClosed)?.id == 6)
        #expect(queue.take(at: 200, closedUntil: oneClosed) == nil)
        // With only closed subjects left, the next chance is when the first one opens.
        #expect(queue.next(at: 300, closedUntil: oneClosed) == 500)
        #expect(queue.next(at: 500, closedUntil: allOpen) == 500)
        #expect(queue.take(at: 500, closedUntil: allOpen)?.id == 3)
        #expect(queue.take(at: 500, closedUntil: allOpen)?.id == 5)
        #expect(queue.count == 0 && queue.next(at: 600, closedUntil: allOpen) == nil)
    }

    @Test func keepsParkOrderAcrossManySubjectsAndLongQueues() {
        var queue = LineQueue()
        var rng = SplitMix64(seed: 11)
        var expected: [Int64] = []
        for id in Int64(1)...2_000 {
            queue.park(Self.run(id), slot: Int32(rng.next() % 37))
            expected.append(id)
        }
        var taken: [Int64] = []
        while let run = queue.take(at: 0, closedUntil: { _ in nil }) { taken.append(run.id) }
        #expect(taken == expected)
    }
}
