import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM ask a running campaign to stop after the
/// batch in hand, so it leaves with its state committed and prints what it did.
public enum StopSignal {
    static let requests = Atomic<Int>(0)

    /// Installs the handlers (once, from the command that runs a campaign).
    public static func install() {
        signal(SIGINT) { _ in StopSignal.requests.add(1, ordering: .relaxed) }
        signal(SIGTERM) { _ in StopSignal.requests.add(1, ordering: .relaxed) }
    }

    /// Whether a stop was asked for.
    public static var isRequested: Bool { requests.load(ordering: .relaxed) > 0 }

    /// Asked twice: a live run stops waiting for its calls in flight at once.
    public static var isInsisting: Bool { requests.load(ordering: .relaxed) > 1 }
}
