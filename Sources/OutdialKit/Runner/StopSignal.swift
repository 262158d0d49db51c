import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM ask a running campaign to stop after the
/// batch in hand, so it leaves with its state committed and prints what it did.
public enum StopSignal {
    static let requested = Atomic<Bool>(false)

    /// Installs the handlers (once, from the command that runs a campaign).
    public static func install() {
        signal(SIGINT) { _ in StopSignal.requested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in StopSignal.requested.store(true, ordering: .relaxed) }
    }

    /// Whether a stop was asked for.
    public static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
