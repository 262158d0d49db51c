/// The runner's time: virtual for a simulation (days pass in seconds), the
/// wall clock for a live run. Injected, so tests drive a run without sleeping.
public protocol RunClock: AnyObject {
    /// UTC seconds.
    var now: Int64 { get }
    /// Whether time only moves when the runner moves it.
    var isVirtual: Bool { get }
    /// Waits until `t` (a virtual clock moves there at once); returns early when a stop is asked for.
    func sleep(until t: Int64) async
    /// Waits until `t` whether or not a stop was asked for (a stopping live run waiting for its calls in flight).
    func pause(until t: Int64) async
}

/// Time that moves only when the runner says so.
public final class VirtualClock: RunClock {
    public private(set) var now: Int64
    public var isVirtual: Bool { true }

    public init(start: Instant) { now = start.seconds }

    public func sleep(until t: Int64) async { now = max(now, t) }
    public func pause(until t: Int64) async { now = max(now, t) }

    /// Moves the clock on (never back).
    public func advance(to t: Int64) { now = max(now, t) }
}

/// The wall clock; sleeping wakes a few times a second to see whether a stop was asked for.
public final class WallClock: RunClock {
    public var now: Int64 { Instant.now.seconds }
    public var isVirtual: Bool { false }

    public init() {}

    public func sleep(until t: Int64) async {
        while !StopSignal.isRequested {
            let left = Instant(seconds: t).milliseconds - Instant.now.milliseconds
            guard left > 0 else { return }
            try? await Task.sleep(for: .milliseconds(min(left, 250)))
        }
    }

    public func pause(until t: Int64) async {
        let left = Instant(seconds: t).milliseconds - Instant.now.milliseconds
        if left > 0 { try? await Task.sleep(for: .milliseconds(left)) }
    }
}

/// A wall clock for tests: the runner runs live (dialling at each call's time,
/// polling calls in flight), but sleeping moves the clock at once.
public final class SteppingClock: RunClock {
    public private(set) var now: Int64
    public var isVirtual: Bool { false }
    /// How many times the runner slept.
    public private(set) var sleeps = 0

    public init(start: Instant) { now = start.seconds }

    public func sleep(until t: Int64) async {
        sleeps += 1
        now = max(now, t)
        await Task.yield()
    }

    public func pause(until t: Int64) async { await sleep(until: t) }
}
