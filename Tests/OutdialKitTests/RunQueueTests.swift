import Testing

@testable import OutdialKit

@Suite struct RunQueueTests {
    private func run(_ id: Int64, wake: Int64) -> QueuedRun {
        var r = QueuedRun(
            id: id, workflow: Int32(id % 3), leadID: id * 10, eventID: id % 5, position: [Int(id % 4)], context: id % 2 == 0 ? ["call_id": id] : [:],
            wakeMs: wake)
        r.wakeUnsaved = id % 7 == 0
        return r
    }

    /// Bringing some runs forward (the pool changed) keeps the queue a heap:
    /// the moved runs come first, at the new time in id order, unsaved; the
    /// others keep their order and wake-ups.
    @Test(arguments: [7, 8] as [UInt64])
    func wakingMatchingRunsEarlierKeepsTheOrder(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var queue = RunQueue()
        var wakes: [Int64: Int64] = [:]
        for id in 1...500 as ClosedRange<Int64> {
            let wake = 1_000 + Int64(random.next() % 10_000)
            queue.push(run(id, wake: wake))
            wakes[id] = wake
        }
        let moved = queue.wake(by: 5_000) { $0.id % 4 == 0 }
        #expect(moved == wakes.filter { $0.key % 4 == 0 && $0.value > 5_000 }.count)
        var popped: [QueuedRun] = []
        while let next = queue.popFirst() { popped.append(next) }
        #expect(popped.count == 500)
        for (a, b) in zip(popped, popped.dropFirst()) { #expect(a.wakeMs < b.wakeMs || (a.wakeMs == b.wakeMs && a.id < b.id)) }
        for r in popped {
            let was = wakes[r.id]!
            #expect(r.wakeMs == (r.id % 4 == 0 ? min(was, 5_000) : was))
            if r.id % 4 == 0, was > 5_000 { #expect(r.wakeUnsaved) }
        }
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
            #expect(r.eventID == original.eventID && r.wakeUnsaved == original.wakeUnsaved)
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

    /// The queue's slot table holds a run for every waiting run of a campaign
    /// (hundreds of thousands): its layout is part of the memory budget.
    @Test func aQueuedRunTakes56Bytes() {
        #expect(MemoryLayout<QueuedRun?>.stride <= 56)
    }

    /// What `run` writes back on stopping: the runs still queued whose wake-up
    /// moved in memory only, not those taken out or saved.
    @Test func unsavedWakesAreTheQueuedRunsMarkedSo() {
        var queue = RunQueue()
        for id in 1...30 as ClosedRange<Int64> { queue.push(run(id, wake: 1000 - id)) }
        let first = queue.popFirst()!  // id 30, wakes first
        #expect(first.id == 30)
        let unsaved = queue.unsavedWakes.sorted { $0.id < $1.id }
        #expect(unsaved.map(\.id) == [7, 14, 21, 28])
        #expect(unsaved.map(\.wakeMs) == [993, 986, 979, 972])
    }
}

@Suite struct LeadIndexedTests {
    @Test func valuesByIDWithAbsentDefault() {
        var table = LeadIndexed<[Int64]>(absent: [])
        table.reserve(1...100)
        #expect(table[5].isEmpty)
        table.update(5) { $0.append(10) }
        table.update(5) { $0.append(20) }
        table[200] = [1]
        #expect(table[5] == [10, 20])
        #expect(table[200] == [1])
        #expect(table[199].isEmpty && table[4].isEmpty && table[1_000_000].isEmpty)
    }

    /// A file whose leads were deleted and imported again has high ids: the
    /// array starts at the lowest reserved id instead of at 0.
    @Test func theArrayStartsAtTheFirstReservedID() {
        var table = LeadIndexed<Int32>(absent: -1)
        table.reserve(9_000_000...9_000_099)
        for id in 9_000_000...9_000_099 as ClosedRange<Int64> { table[id] = Int32(id - 9_000_000) }
        table[12] = 5  // below the range: kept aside
        #expect(table.arraySpan == 100)
        #expect(table[9_000_042] == 42 && table[9_000_099] == 99 && table[12] == 5 && table[13] == -1 && table[9_000_100] == -1)
    }

    /// Ids outside the array's range (a hand-inserted huge or negative rowid)
    /// are kept too, without growing the array to them.
    @Test(arguments: [-1, LeadIndexed<Int32>.denseLimit + 1, Int64.max] as [Int64])
    func idsOutsideTheDenseRangeAreKept(id: Int64) {
        var table = LeadIndexed<Int32>(absent: -1)
        table.reserve(1...10)
        #expect(table[id] == -1)
        table[id] = 7
        table.update(id) { $0 += 1 }
        #expect(table[id] == 8)
        #expect(table[3] == -1)
        #expect(table.arraySpan == 0)
    }
}
