/// What a live run shows while it runs: on a terminal, one line on stderr
/// redrawn each second; elsewhere (a log file, a service), a line a minute.
public final class LiveProgress {
    private let terminal: Bool
    private let enabled: Bool
    private var last: Int64 = 0
    private var drawn = false

    public init(output: Output) {
        terminal = Terminal.isTerminal(.standardError)
        enabled = !output.quiet && !output.json
    }

    public func update(_ summary: RunSummary) {
        guard enabled else { return }
        let now = Instant.now.seconds
        guard now - last >= (terminal ? 1 : 60) else { return }
        last = now
        let line = Self.line(summary, at: now)
        if terminal {
            Terminal.writeRaw("\r" + Terminal.escapingControls(line) + "\u{1B}[K", to: .standardError)
            drawn = true
        } else {
            Terminal.write(Instant(seconds: now).iso8601 + " " + line + "\n", to: .standardError)
        }
    }

    /// Clears the line before the summary is printed.
    public func finish() {
        if drawn { Terminal.writeRaw("\r\u{1B}[K", to: .standardError) }
    }

    static func line(_ s: RunSummary, at now: Int64) -> String {
        var parts = ["\(s.inFlight) in flight", "\(s.callsPlaced) placed"]
        let ended = s.outcomes.values.reduce(0, +)
        if ended > 0 {
            parts.append("\(ended) ended (" + s.outcomes.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") + ")")
        }
        if s.throttled > 0 { parts.append("\(s.throttled) throttled") }
        if s.unknown > 0 { parts.append("\(s.unknown) unknown") }
        return parts.joined(separator: " · ")
    }
}
