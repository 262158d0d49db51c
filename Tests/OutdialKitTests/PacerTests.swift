import Testing

@testable import OutdialKit

@Suite struct PacerTests {
    /// `calls_per_second` above 1 dials that many in each second (dial times are whole seconds).
    @Test func fiveCallsASecondAreFiveDialsInEachSecond() {
        var pacer = Pacer(lines: 100, callsPerSecond: 5)
        var times: [Int64] = []
        for _ in 0..<12 {
            let t = pacer.dialTime(1000)
            pacer.dialled(at: t)
            times.append(t)
        }
        #expect(times == [1000, 1000, 1000, 1000, 1000, 1001, 1001, 1001, 1001, 1001, 1002, 1002])
    }

    @Test func belowOneASecondCallsAreSpacedOut() {
        var pacer = Pacer(lines: 100, callsPerSecond: 0.25)
        var times: [Int64] = []
        for _ in 0..<3 {
            let t = pacer.dialTime(1000)
            pacer.dialled(at: t)
            times.append(t)
        }
        #expect(times == [1000, 1004, 1008])
    }

    /// A call whose end was assumed frees its line when its outcome comes in.
    @Test func aReleasedLineIsFreeAtOnce() {
        var pacer = Pacer(lines: 1, callsPerSecond: 10)
        pacer.occupy(until: 1000 + 7200)
        #expect(pacer.dialTime(1000) == 8200)
        pacer.release(assumed: 8200, end: 1030)
        #expect(pacer.dialTime(1031) == 1031)
    }
}
