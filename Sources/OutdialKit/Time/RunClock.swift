import Synchronization

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
    /// The longest a live run sleeps when idle before it looks again (for runs other processes add).
    var idleStep: Int64 { get }
}

extension RunClock {
    public var idleStep: Int64 { 1 }
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

    /// Sets a clock nothing has read yet to where a stopped simulation left off.
    func resume(at t: Int64) { now = t }
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
public final class SteppingClock: RunClock, Sendable {
    private let state: Mutex<(now: Int64, sleeps: Int)>
    public var now: Int64 { state.withLock { $0.now } }
    public var isVirtual: Bool { false }
    /// How many times the runner slept.
    public var sleeps: Int { state.withLock { $0.sleeps } }
    /// Idle, the clock jumps to the next thing due.
    public var idleStep: Int64 { 86_400 }

    public init(start: Instant) { state = Mutex((start.seconds, 0)) }

    public func sleep(until t: Int64) async {
        state.withLock {
            $0.sleeps += 1
            $0.now = max($0.now, t)
        }
        await Task.yield()
    }

    public func pause(until t: Int64) async { await sleep(until: t) }
}
